// Log lines: HAProxy's tcplog fields, the proxy-hop suffix, a custom log-format through the
// expression engine, and a syslog UDP target with RFC 3164 framing.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { connect, readAll, recordingServer, waitFor, type RecordingServer } from '../../support/peers.js';
import { daemonFromText, type ConfigDaemon } from '../../support/config-daemon.js';

const open: { d: ConfigDaemon; rec: RecordingServer }[] = [];
after(async () => {
  for (const o of open.splice(0)) {
    await o.d.daemon.stop(100);
    await o.rec.close();
  }
});

async function setup(frontendExtra: string, global = 'log stdout format raw local0', bindExtra = ''): Promise<{ d: ConfigDaemon; rec: RecordingServer }> {
  // Answers "hello" and closes: %B = 5.
  const rec = await recordingServer((c) => c.socket.end('hello'));
  const d = await daemonFromText(
    `global\n  ${global}\ndefaults\n  mode tcp\n  log global\n  timeout connect 2s\n  timeout client 5s\n  timeout server 5s\n` +
      `frontend fe\n  bind 127.0.0.1:0${bindExtra}\n${frontendExtra}\n  default_backend be\n` +
      `backend be\n  server s1 127.0.0.1:${rec.port}\n`,
  );
  open.push({ d, rec });
  return { d, rec };
}

/** Runs one session to its end; returns the client's local port. */
async function session(port: number, send = ''): Promise<number> {
  const c = await connect(port);
  const local = c.localPort as number;
  if (send) c.write(send);
  await readAll(c);
  c.end();
  return local;
}

describe('log lines', () => {
  it('option tcplog: every HAProxy tcplog field in order', async () => {
    const { d } = await setup('  option tcplog');
    const c = await session(d.port('fe'));
    await waitFor(() => d.logs.lines().length === 1, 3000, 'log line');
    const line = d.logs.lines()[0] as string;
    const m = /^127\.0\.0\.1:(\d+) \[(\d\d)\/(\w{3})\/(\d{4}):(\d\d):(\d\d):(\d\d)\.(\d{3})\] fe be\/s1 (\d+)\/(\d+)\/(\d+) 5 -- 1\/1\/1\/1\/0 0\/0$/.exec(line);
    assert.ok(m, line);
    assert.equal(Number(m[1]), c, '%cp is the client port');
    assert.ok(Number(m[11]) >= Number(m[10]), '%Tt >= %Tc');
  });

  it('the proxy that sent the header is appended as proxy=<ip>:<port> (beyond HAProxy)', async () => {
    const { d } = await setup('  option tcplog', 'log stdout format raw local0', ' accept-proxy');
    const c = await session(d.port('fe'), 'PROXY TCP4 192.0.2.1 198.51.100.7 51234 443\r\n');
    await waitFor(() => d.logs.lines().length === 1, 3000, 'log line');
    assert.match(d.logs.lines()[0] as string, new RegExp(`^192\\.0\\.2\\.1:51234 \\[.*\\] fe be/s1 .* proxy=127\\.0\\.0\\.1:${c}$`));
  });

  it('log-format renders through the expression engine', async () => {
    const { d } = await setup('  log-format "%ci:%cp via %[fc_src] to %b/%s bytes=%B"', 'log stdout format raw local0', ' accept-proxy');
    await session(d.port('fe'), 'PROXY TCP4 192.0.2.1 198.51.100.7 51234 443\r\n');
    await waitFor(() => d.logs.lines().length === 1, 3000, 'log line');
    assert.equal(d.logs.lines()[0], `192.0.2.1:51234 via 127.0.0.1 to be/s1 bytes=5`);
  });

  it('syslog over UDP with RFC 3164 framing (<PRI>timestamp tag[pid]: message)', async () => {
    const sock = dgram.createSocket('udp4');
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
    const messages: string[] = [];
    sock.on('message', (m) => messages.push(m.toString()));
    try {
      const { d } = await setup('  option tcplog', `log 127.0.0.1:${sock.address().port} local1 info`);
      await session(d.port('fe'));
      await waitFor(() => messages.length === 1, 3000, 'syslog datagram');
      // local1 = 17, info = 6 → PRI 17*8+6 = 142.
      assert.match(messages[0] as string, /^<142>\w{3} [ \d]\d \d\d:\d\d:\d\d truehop\[\d+\]: 127\.0\.0\.1:\d+ \[.*\] fe be\/s1 .* -- /);
    } finally {
      sock.close();
    }
  });
});
