// curl sends to truehop: `--haproxy-protocol` (v1 with curl's own connection addresses) and
// `--haproxy-clientip` (v1 advertising an address of the user's choice), over IPv4 and IPv6.
import assert from 'node:assert/strict';
import { debianVersion, Matrix, type CellReport } from '../matrix.js';
import { INTEROP_PEERS } from '../peer-packages.js';
import { INTEROP_PORTS } from '../ports.js';
import { runToEnd } from '../peer-process.js';
import { receivingTruehopFor } from '../sender.js';

const PORT = INTEROP_PORTS.fromCurl;
const matrix = new Matrix('curl', 'peer→truehop', INTEROP_PEERS.curl);
const truehop = receivingTruehopFor(PORT);

async function curl(args: readonly string[]): Promise<string> {
  return runToEnd(INTEROP_PEERS.curl.path(), ['-sS', '--max-time', '5', ...args], 10_000);
}

matrix.cell('v1', async () => {
  const t = await truehop();
  const from = t.lines().length;
  assert.equal(await curl(['--haproxy-protocol', '--interface', '127.0.0.2', `http://127.0.0.1:${PORT}/`]), 'ok\n');
  await t.waitLine(from, 'src=127.0.0.2:');
});

matrix.cell('v1 IPv6 client', async () => {
  const t = await truehop();
  const from = t.lines().length;
  assert.equal(await curl(['--haproxy-protocol', '-g', `http://[::1]:${PORT}/`]), 'ok\n');
  await t.waitLine(from, 'src=::1:');
});

/** --haproxy-clientip arrived in curl 8.2.0; Debian 12 ships 7.88. */
async function clientIpUnsupported(): Promise<CellReport | undefined> {
  if ((await curl(['--help', 'all'])).includes('--haproxy-clientip')) return undefined;
  return { outcome: 'unsupported', note: `this curl (${debianVersion('curl')}) has no --haproxy-clientip (added in curl 8.2.0)` };
}

matrix.cell('advertised client (v1)', async () => {
  const unsupported = await clientIpUnsupported();
  if (unsupported !== undefined) return unsupported;
  const t = await truehop();
  const from = t.lines().length;
  assert.equal(await curl(['--haproxy-clientip', '203.0.113.7', `http://127.0.0.1:${PORT}/`]), 'ok\n');
  await t.waitLine(from, 'src=203.0.113.7:');
  return undefined;
});

matrix.cell('advertised IPv6 client (v1)', async () => {
  const unsupported = await clientIpUnsupported();
  if (unsupported !== undefined) return unsupported;
  const t = await truehop();
  const from = t.lines().length;
  assert.equal(await curl(['--haproxy-clientip', '2001:db8::7', '-g', `http://[::1]:${PORT}/`]), 'ok\n');
  await t.waitLine(from, 'src=2001:db8::7:');
  return undefined;
});
