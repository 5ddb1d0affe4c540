// stunnel sends to truehop: a TLS server service with `protocol = proxy` (v1) connecting to
// truehop in clear, from IPv4 and IPv6 TLS clients.
import assert from 'node:assert/strict';
import tls from 'node:tls';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Matrix } from '../matrix.js';
import { INTEROP_PEERS } from '../peer-packages.js';
import { INTEROP_PORTS } from '../ports.js';
import { runToEnd, startPeer } from '../peer-process.js';
import { receivingTruehopFor, sendingPeerFor } from '../sender.js';
import { connectFrom } from '../receiver.js';

const PORT = INTEROP_PORTS.fromStunnel;
const STUNNEL_PORT = PORT + 5;
const matrix = new Matrix('stunnel', 'peer→truehop', INTEROP_PEERS.stunnel, [INTEROP_PEERS.openssl]);
const truehop = receivingTruehopFor(PORT);

const startStunnel = sendingPeerFor('stunnel-sender', async (dir) => {
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  await runToEnd(INTEROP_PEERS.openssl.path(), ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=interop.test'], 10_000);
  const service = (name: string, accept: string): string => `[${name}]\naccept = ${accept}\nconnect = 127.0.0.1:${PORT}\ncert = ${cert}\nkey = ${key}\nprotocol = proxy\n`;
  writeFileSync(join(dir, 'stunnel.conf'), `foreground = yes\npid =\noutput = ${dir}/stunnel.log\n${service('v4', `127.0.0.1:${STUNNEL_PORT}`)}${service('v6', `::1:${STUNNEL_PORT}`)}`);
  return startPeer(INTEROP_PEERS.stunnel.path(), [join(dir, 'stunnel.conf')], STUNNEL_PORT);
});

async function tlsGet(host: string, localAddress: string): Promise<string> {
  const tcp = await connectFrom(STUNNEL_PORT, host, localAddress);
  return new Promise((resolve, reject) => {
    // The certificate is the throw-away self-signed one above: the test checks the PROXY hop, not TLS trust.
    const socket = tls.connect({ socket: tcp, rejectUnauthorized: false }, () => socket.write('GET / HTTP/1.0\r\n\r\n'));
    let answer = '';
    const timer = setTimeout(() => socket.destroy(new Error('stunnel exchange timed out')), 5_000);
    socket.on('data', (d: Buffer) => (answer += d.toString()));
    socket.on('error', reject);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(answer);
    });
  });
}

for (const [feature, client] of [['v1', '127.0.0.2'], ['v1 IPv6 client', '::1']] as const) {
  matrix.cell(feature, async () => {
    const t = await truehop();
    await startStunnel();
    const from = t.lines().length;
    assert.match(await tlsGet(client === '::1' ? '::1' : '127.0.0.1', client), /^HTTP\/1\.0 200/);
    await t.waitLine(from, `src=${client}:`);
  });
}

matrix.cell('v2', () => Promise.resolve({ outcome: 'unsupported', note: 'stunnel 5.68 sends PROXY v1 only (protocol = proxy)' }));
