// Rules at HAProxy's evaluation points, through the real loader and expression engine:
// tcp-request connection sees the real peer (before the header), expect-proxy layer4 makes
// the header conditional, session/content rules and use_backend see the advertised address.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { closedWithin, connect, readAll, recordingServer, type RecordingServer } from '../../support/peers.js';
import { daemonFromText, type ConfigDaemon } from '../../support/config-daemon.js';

// Servers are registered as soon as they exist, so a config that fails to load (the loader's
// assertion throws) still releases them.
const open: { d?: ConfigDaemon; recs: RecordingServer[] }[] = [];
after(async () => {
  for (const o of open.splice(0)) {
    await o.d?.daemon.stop(100);
    for (const r of o.recs) await r.close();
  }
});

async function setup(frontend: string, binds = '  bind 127.0.0.1:0 accept-proxy'): Promise<{ d: ConfigDaemon; a: RecordingServer; b: RecordingServer }> {
  const entry: (typeof open)[number] = { recs: [] };
  open.push(entry);
  const a = await recordingServer((c) => c.socket.end('A'));
  entry.recs.push(a);
  const b = await recordingServer((c) => c.socket.end('B'));
  entry.recs.push(b);
  const d = await daemonFromText(
    `defaults\n  mode tcp\n  timeout connect 2s\n  timeout client 5s\n  timeout server 5s\n` +
      `frontend fe\n${binds}\n${frontend}\n  default_backend be_a\n` +
      `backend be_a\n  server a 127.0.0.1:${a.port}\n` +
      `backend be_b\n  server b 127.0.0.1:${b.port}\n`,
  );
  entry.d = d;
  return { d, a, b };
}

async function ask(port: number, send: string, host = '127.0.0.1'): Promise<string> {
  const c = await connect(port, host);
  c.write(send);
  const r = (await readAll(c)).toString();
  c.end();
  return r;
}

const FROM = (ip: string): string => `PROXY TCP4 ${ip} 198.51.100.7 51234 443\r\n`;

describe('rules', () => {
  it('use_backend follows the advertised source address', async () => {
    const { d } = await setup('  use_backend be_b if { src 192.0.2.1 }');
    assert.equal(await ask(d.port('fe'), FROM('192.0.2.1')), 'B');
    assert.equal(await ask(d.port('fe'), FROM('192.0.2.2')), 'A');
  });

  it('tcp-request connection sees the real peer, not the advertised one (§4.1)', async () => {
    const { d } = await setup('  tcp-request connection reject if { src 192.0.2.1 }');
    assert.equal(await ask(d.port('fe'), FROM('192.0.2.1')), 'A', 'not rejected: the real peer is 127.0.0.1');
    const { d: d2 } = await setup('  tcp-request connection reject if { src 127.0.0.1 }');
    const c = await connect(d2.port('fe'));
    assert.equal(await closedWithin(c, 2000), true);
    assert.equal(d2.daemon.counters.ruleRejections, 1);
  });

  it('tcp-request content sees the advertised address and can reject', async () => {
    const { d, a } = await setup('  tcp-request content reject if { src 192.0.2.66 }');
    assert.equal(await ask(d.port('fe'), FROM('192.0.2.66')), '');
    assert.equal(a.connections.length, 0, 'no server connection for a rejected session');
    assert.equal(await ask(d.port('fe'), FROM('192.0.2.67')), 'A');
  });

  it('expect-proxy layer4 requires a header only from the listed peers (§4.2)', async () => {
    const { d } = await setup(
      '  tcp-request connection expect-proxy layer4 if { src 127.0.0.1 }',
      '  bind 127.0.0.1:0\n  bind [::1]:0',
    );
    // From 127.0.0.1 a header is required and believed…
    assert.equal(await ask(d.port('fe', 0), FROM('192.0.2.1')), 'A');
    assert.equal(await ask(d.port('fe', 0), 'plain'), '', 'no header from a listed peer: refused');
    // …from ::1 (not listed) the connection is plain.
    assert.equal(await ask(d.port('fe', 1), 'plain', '::1'), 'A');
  });

  it('a listen section is one frontend and one backend (accept-proxy in, send-proxy-v2 out)', async () => {
    const rec = await recordingServer();
    const entry: (typeof open)[number] = { recs: [rec] };
    open.push(entry);
    const d = await daemonFromText(
      `defaults\n  mode tcp\n  timeout connect 2s\n  timeout client 5s\n  timeout server 5s\n` +
        `listen app\n  bind 127.0.0.1:0 accept-proxy\n  balance roundrobin\n  server s1 127.0.0.1:${rec.port} send-proxy-v2\n`,
    );
    entry.d = d;
    const c = await connect(d.port('app'));
    c.write(FROM('192.0.2.9') + 'hi');
    const conn = await rec.connection(0);
    const want = Buffer.concat([
      Buffer.from('0d0a0d0a000d0a515549540a2111000cc0000209c6336407c82201bb', 'hex'),
      Buffer.from('hi'),
    ]);
    await new Promise<void>((resolve, reject) => {
      const t0 = Date.now();
      const poll = (): void => {
        if (conn.bytes().length >= want.length) return resolve();
        if (Date.now() - t0 > 3000) return reject(new Error('no bytes'));
        setTimeout(poll, 10);
      };
      poll();
    });
    assert.deepEqual(conn.bytes(), want);
    c.destroy();
  });
});

