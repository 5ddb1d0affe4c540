// HAProxy sends to truehop: `send-proxy` (v1), `send-proxy-v2`, `send-proxy-v2` with
// `proxy-v2-options crc32c,unique-id`, IPv6 clients, and health checks (v2 checks carry LOCAL).
import { after } from 'node:test';
import assert from 'node:assert/strict';
import { Matrix } from '../matrix.js';
import { INTEROP_PEERS } from '../peer-packages.js';
import { INTEROP_PORTS } from '../ports.js';
import { startHaproxy, type RunningHaproxy } from '../../support/haproxy.js';
import { waitFor } from '../../support/peers.js';
import { connectFrom, httpGet } from '../receiver.js';
import { receivingTruehopFor } from '../sender.js';

const PORT = INTEROP_PORTS.fromHaproxy;
const matrix = new Matrix('HAProxy', 'peer→truehop', INTEROP_PEERS.haproxy);
const truehop = receivingTruehopFor(PORT);

const VARIANTS = [
  { feature: 'v1', keywords: 'send-proxy', client: '127.0.0.2' },
  { feature: 'v1 IPv6 client', keywords: 'send-proxy', client: '::1' },
  { feature: 'v2', keywords: 'send-proxy-v2', client: '127.0.0.3' },
  { feature: 'v2 IPv6 client', keywords: 'send-proxy-v2', client: '::1' },
  { feature: 'v2 + TLVs', keywords: 'send-proxy-v2 proxy-v2-options crc32c,unique-id', client: '127.0.0.4' },
] as const;

/** HAProxy with one frontend per variant (ports[i]) in front of truehop, plus checked servers. */
let haproxy: Promise<RunningHaproxy> | null = null;
function startPeerHaproxy(): Promise<RunningHaproxy> {
  return (haproxy ??= startHaproxy(VARIANTS.length, (ports) => {
    let text = 'global\n  nbthread 1\ndefaults\n  mode tcp\n  timeout connect 2s\n  timeout client 10s\n  timeout server 10s\n';
    VARIANTS.forEach((v, i) => {
      text += `frontend f${i}\n  bind 127.0.0.1:${ports[i]}\n  bind [::1]:${ports[i]}\n  unique-id-format interop-%ci\n  default_backend b${i}\n`;
      text += `backend b${i}\n  server truehop 127.0.0.1:${PORT} ${v.keywords}\n`;
    });
    // Health checks through truehop to its application: HTTP checks behind v1 and v2 (LOCAL) headers.
    text += `backend checks\n  option httpchk GET /interop-check\n`;
    text += `  server c1 127.0.0.1:${PORT} send-proxy check inter 300\n  server c2 127.0.0.1:${PORT} send-proxy-v2 check inter 300\n`;
    return text;
  }));
}

after(async () => {
  if (haproxy !== null) await (await haproxy).stop();
});

VARIANTS.forEach((variant, i) => {
  matrix.cell(variant.feature, async () => {
    const t = await truehop();
    const peer = await startPeerHaproxy();
    const from = t.lines().length;
    const socket = await connectFrom(peer.ports[i] as number, variant.client === '::1' ? '::1' : '127.0.0.1', variant.client);
    assert.match(await httpGet()(socket), /^HTTP\/1\.0 200/);
    const line = await t.waitLine(from, `src=${variant.client}:`);
    if (variant.feature === 'v2 + TLVs') assert.match(line, new RegExp(`unique_id=interop-${variant.client.replace(/\./g, '\\.')}`), line);
  });
});

matrix.cell('LOCAL (health checks)', async () => {
  const t = await truehop();
  await startPeerHaproxy();
  // Both checked servers' requests reach the application through truehop: truehop accepted the
  // v1 check header and the v2 LOCAL one (whose addresses are the connection's own).
  const checks = (): number => t.app.connections.filter((c) => c.bytes().toString().startsWith('GET /interop-check')).length;
  await waitFor(() => checks() >= 4, 10_000, 'four HAProxy checks through truehop');
  const local = t.lines().filter((l) => l.includes('src=127.0.0.1:') && l.includes('pp=1'));
  assert.ok(local.length >= 2, t.lines().join('\n'));
});
