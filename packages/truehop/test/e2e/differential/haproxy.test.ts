// Differential: the same configuration through HAProxy 2.6 and through truehop; a recording
// server behind each receives the PROXY header, and the bytes must be identical except the
// ports that come from real sockets (the client's ephemeral port, the listener's port),
// which are normalised. CRC32C values are zeroed for the comparison and each one is
// recomputed over its own header, so a correct CRC over different ports still matches.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { crc32c } from '@truehop/proxy-protocol';
import { loadConfigText } from '../../../src/config/load-config.js';
import { startDaemon, type RunningDaemon } from '../../../src/runtime/run.js';
import { connect, recordingServer, waitFor, type RecordingServer } from '../../support/peers.js';
import { crcValueOffset, SIG } from '../../support/expected-header.js';
import { INCOMING } from '../../support/incoming-headers.js';
import { haproxySkip, startHaproxy, type RunningHaproxy } from '../../support/haproxy.js';

const PAYLOAD = Buffer.from('PING\n');

const BACKENDS = {
  v1: 'send-proxy',
  v2: 'send-proxy-v2',
  v2crc: 'send-proxy-v2 proxy-v2-options crc32c',
  v2opts: 'send-proxy-v2 proxy-v2-options crc32c,authority',
  v2more: 'send-proxy-v2 proxy-v2-options unique-id,ssl',
} as const;
type BackendKey = keyof typeof BACKENDS;

interface FrontendSpec {
  name: string;
  host: string;
  acceptProxy: boolean;
  backend: BackendKey;
}

const FRONTENDS: FrontendSpec[] = [];
for (const backend of Object.keys(BACKENDS) as BackendKey[]) {
  FRONTENDS.push({ name: `plain_${backend}`, host: '127.0.0.1', acceptProxy: false, backend });
  FRONTENDS.push({ name: `plain6_${backend}`, host: '::1', acceptProxy: false, backend });
  FRONTENDS.push({ name: `ap_${backend}`, host: '127.0.0.1', acceptProxy: true, backend });
}

function configText(recPort: number, port: (i: number) => number): string {
  const lines = [
    'defaults',
    '  mode tcp',
    '  timeout connect 2s',
    '  timeout client 10s',
    '  timeout server 10s',
    '',
  ];
  FRONTENDS.forEach((f, i) => {
    const addr = f.host.includes(':') ? `[${f.host}]` : f.host;
    lines.push(`frontend ${f.name}`, `  bind ${f.host.includes(':') ? `${f.host}@` : ''}${f.host.includes(':') ? '' : addr}:${port(i)}${f.acceptProxy ? ' accept-proxy' : ''}`);
    lines.push(`  default_backend be_${f.backend}`, '');
  });
  for (const [key, keywords] of Object.entries(BACKENDS)) {
    lines.push(`backend be_${key}`, `  server s1 127.0.0.1:${recPort} ${keywords}`, '');
  }
  return lines.join('\n');
}

// `bind ::1:port` is how HAProxy writes an IPv6 bind (the last colon separates the port).
function fixBinds(text: string): string {
  return text.replace(/bind ::1@:(\d+)/g, 'bind ::1:$1');
}

/** Zeroes the ports that come from real sockets and the CRC value; checks the CRC first. */
function normalise(bytes: Buffer, realPorts: boolean): string {
  const b = Buffer.from(bytes);
  if (b.subarray(0, 12).equals(SIG)) {
    const off = crcValueOffset(b);
    const len = 16 + b.readUInt16BE(14);
    if (off >= 0) {
      const sent = b.readUInt32BE(off);
      b.fill(0, off, off + 4);
      assert.equal(sent, crc32c(b.subarray(0, len)), 'CRC32C is valid over its own header');
    }
    if (realPorts) {
      const fam = (b[13] as number) >> 4;
      const portsAt = 16 + (fam === 1 ? 8 : 32);
      b.fill(0, portsAt, portsAt + 4);
    }
    return b.toString('hex');
  }
  const text = b.toString('latin1');
  return realPorts ? text.replace(/^(PROXY TCP[46] \S+ \S+) \d+ \d+\r\n/, '$1 <sport> <dport>\r\n') : text;
}

describe('differential: header bytes from HAProxy 2.6 and truehop', { skip: haproxySkip }, () => {
  let rec: RecordingServer;
  let haproxy: RunningHaproxy;
  let daemon: RunningDaemon;

  before(async () => {
    rec = await recordingServer();
    haproxy = await startHaproxy(FRONTENDS.length, (ports) => fixBinds(configText(rec.port, (i) => ports[i] as number)));
    const loaded = loadConfigText([{ file: 'differential.cfg', text: fixBinds(configText(rec.port, () => 0)) }]);
    assert.equal(loaded.ok, true, JSON.stringify(loaded.diagnostics));
    daemon = await startDaemon(loaded.model);
  });

  after(async () => {
    await daemon?.stop(100);
    await haproxy?.stop();
    await rec?.close();
  });

  async function capture(host: string, port: number, send: Buffer): Promise<Buffer> {
    const n = rec.connections.length;
    const c = await connect(port, host);
    try {
      c.write(Buffer.concat([send, PAYLOAD]));
      const conn = await rec.connection(n);
      await waitFor(() => conn.bytes().subarray(-PAYLOAD.length).equals(PAYLOAD), 3000, 'payload at the server');
      return conn.bytes();
    } finally {
      c.destroy();
    }
  }

  for (const [i, fe] of FRONTENDS.entries()) {
    const cases: [string, Buffer, boolean][] = fe.acceptProxy
      ? [
          ['v1 TCP4 in', INCOMING.v1_tcp4, false],
          ['v1 TCP6 in', INCOMING.v1_tcp6, false],
          ['v2 TCP4 + TLVs in', INCOMING.v2_tcp4_tlvs, false],
          ['v2 LOCAL in', INCOMING.v2_local, true],
          ['v1 UNKNOWN in', INCOMING.v1_unknown, true],
        ]
      : [['plain client', Buffer.alloc(0), true]];
    for (const [label, send, realPorts] of cases) {
      it(`${fe.name} (${BACKENDS[fe.backend]}): ${label}`, async () => {
        const fromHaproxy = await capture(fe.host, haproxy.ports[i] as number, send);
        const fromTruehop = await capture(fe.host, daemon.listening.get(fe.name)?.[0]?.port as number, send);
        if (process.env["DIFF_DEBUG"]) console.log(fe.name, label, fromHaproxy.toString("hex"), fromTruehop.toString("hex"));
        assert.equal(normalise(fromTruehop, realPorts), normalise(fromHaproxy, realPorts));
      });
    }
  }
});
