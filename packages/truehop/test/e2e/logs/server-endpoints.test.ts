// %bi %bp %si %sp through the running daemon: the two ends of the connection to the server
// (they used to be filled only by the unit-test fixture, so the daemon always logged them
// empty). Checked against what the server itself saw, and in a PROXY v2 TLV the server
// receives (set-proxy-v2-tlv-fmt renders them at connect time, before the header is sent).
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decode } from '@truehop/proxy-protocol';
import { connect, readAll, recordingServer, waitFor, type RecordingServer } from '../../support/peers.js';
import { daemonFromText, type ConfigDaemon } from '../../support/config-daemon.js';

const open: { d: ConfigDaemon; rec: RecordingServer }[] = [];
/** The daemon's end of each connection the server accepted, read while the socket is open. */
const peers: string[] = [];
after(async () => {
  for (const o of open.splice(0)) {
    await o.d.daemon.stop(100);
    await o.rec.close();
  }
});

async function setup(frontendExtra: string, serverExtra = ''): Promise<{ d: ConfigDaemon; rec: RecordingServer }> {
  peers.length = 0;
  const rec = await recordingServer((c) => {
    peers.push(`${c.socket.remoteAddress}:${c.socket.remotePort}`);
    c.socket.end('hello');
  });
  const d = await daemonFromText(
    `global\n  log stdout format raw local0\ndefaults\n  mode tcp\n  log global\n  timeout connect 2s\n  timeout client 5s\n  timeout server 5s\n` +
      `frontend fe\n  bind 127.0.0.1:0\n${frontendExtra}\n  default_backend be\n` +
      `backend be\n  server s1 127.0.0.1:${rec.port}${serverExtra}\n`,
  );
  open.push({ d, rec });
  return { d, rec };
}

async function oneSession(port: number): Promise<void> {
  const c = await connect(port);
  await readAll(c);
  c.end();
}

describe('%bi %bp %si %sp', () => {
  it('log-format: our end and the server end of the server connection, as the server saw them', async () => {
    const { d, rec } = await setup('  log-format "bi=%bi bp=%bp si=%si sp=%sp"');
    await oneSession(d.port('fe'));
    await waitFor(() => d.logs.lines().length === 1, 3000, 'log line');
    assert.equal(peers.length, 1);
    const [bi, bp] = (peers[0] as string).split(':');
    assert.match(bp as string, /^\d+$/);
    assert.equal(d.logs.lines()[0], `bi=${bi} bp=${bp} si=127.0.0.1 sp=${rec.port}`);
  });

  it('set-proxy-v2-tlv-fmt: the values travel in the header the server receives', async () => {
    const { d, rec } = await setup('  option tcplog', ' send-proxy-v2 set-proxy-v2-tlv-fmt(0xE1) %bi:%bp>%si:%sp');
    await oneSession(d.port('fe'));
    const conn = await rec.connection(0);
    await conn.ended;
    const r = decode(conn.bytes());
    assert.equal(r.status, 'complete');
    if (r.status !== 'complete') return;
    const tlv = r.header.tlvs.find((t) => t.type === 0xe1);
    assert.ok(tlv !== undefined);
    assert.equal(Buffer.from(tlv.value).toString('latin1'), `${peers[0]}>127.0.0.1:${rec.port}`);
  });
});
