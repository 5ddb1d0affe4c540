// Varnish sends to truehop: a backend with `.proxy_header = 1` and one with `.proxy_header = 2`
// (chosen by URL), from IPv4 and IPv6 clients.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Matrix } from '../matrix.js';
import { INTEROP_PEERS } from '../peer-packages.js';
import { INTEROP_PORTS } from '../ports.js';
import { startPeer } from '../peer-process.js';
import { connectFrom, httpGet } from '../receiver.js';
import { receivingTruehopFor, sendingPeerFor } from '../sender.js';

const PORT = INTEROP_PORTS.fromVarnish;
const VARNISH_PORT = PORT + 5;
const matrix = new Matrix('Varnish', 'peer→truehop', INTEROP_PEERS.varnish);
const truehop = receivingTruehopFor(PORT);

const startVarnish = sendingPeerFor('varnish-sender', async (dir) => {
  writeFileSync(
    join(dir, 'default.vcl'),
    `vcl 4.1;
backend v1 { .host = "127.0.0.1"; .port = "${PORT}"; .proxy_header = 1; }
backend v2 { .host = "127.0.0.1"; .port = "${PORT}"; .proxy_header = 2; }
sub vcl_recv {
if (req.url ~ "^/v2") { set req.backend_hint = v2; } else { set req.backend_hint = v1; }
return (pass);
}
`,
  );
  return startPeer(
    INTEROP_PEERS.varnish.path(),
    ['-F', '-n', join(dir, 'work'), '-a', `127.0.0.1:${VARNISH_PORT}`, '-a', `[::1]:${VARNISH_PORT}`, '-f', join(dir, 'default.vcl'), '-s', 'malloc,16m', '-T', 'none', '-p', 'thread_pools=1', '-p', 'thread_pool_min=5'],
    VARNISH_PORT,
  );
});

const CELLS = [
  { feature: 'v1', path: '/v1', client: '127.0.0.2' },
  { feature: 'v1 IPv6 client', path: '/v1', client: '::1' },
  { feature: 'v2', path: '/v2', client: '127.0.0.3' },
  { feature: 'v2 IPv6 client', path: '/v2', client: '::1' },
] as const;

for (const cell of CELLS) {
  matrix.cell(cell.feature, async () => {
    const t = await truehop();
    await startVarnish();
    const from = t.lines().length;
    const socket = await connectFrom(VARNISH_PORT, cell.client === '::1' ? '::1' : '127.0.0.1', cell.client);
    assert.match(await httpGet(cell.path)(socket), /^HTTP\/1\.1 200/);
    await t.waitLine(from, `src=${cell.client}:`);
  });
}
