// Bad input on the stats page and the exporter: binary junk and malformed request lines get
// HAProxy's 400 and a closed connection, overlong headers too, a half-sent request HAProxy's
// 408 once `timeout client` passes, and hundreds of idle connections neither block the page
// nor the data path next to it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type net from 'node:net';
import { daemonFromText, type ConfigDaemon } from '../../support/config-daemon.js';
import { closedWithin, connect, readAll, recordingServer, type RecordingServer } from '../../support/peers.js';
import { httpRequest } from '../../support/http-client.js';

const BAD_REQUEST = 'HTTP/1.1 400 Bad request\r\n';
const IDLE_CONNECTIONS = 300;

describe('hostile requests to the HTTP services', () => {
  let d: ConfigDaemon;
  let backend: RecordingServer;

  before(async () => {
    backend = await recordingServer((c) => c.socket.end('data path ok\n'));
    d = await daemonFromText(`defaults
  timeout connect 1s
  timeout client 1500ms
  timeout server 5s
frontend fe
  bind 127.0.0.1:0
  default_backend be
backend be
  server s1 127.0.0.1:${backend.port}
frontend stats
  mode http
  bind 127.0.0.1:0
  stats uri /stats
  http-request use-service prometheus-exporter if { path /metrics }
`);
  });
  after(async () => {
    await d.daemon.stop(1000);
    await backend.close();
  });

  async function raw(bytes: string | Buffer): Promise<string> {
    const c = await connect(d.port('stats'));
    c.write(bytes);
    return (await readAll(c, 5000)).toString('latin1');
  }

  it("answers binary junk and broken request lines with HAProxy's 400 and closes", async () => {
    for (const junk of [Buffer.from([0x16, 0x03, 0x01, 0x00, 0xa5, 0x01, 0x00, 0x00, 0xa1, 0x03, 0x03, 0x0d, 0x0a, 0x0d, 0x0a]), 'GET\r\n\r\n', 'GET / HTTP/9.9 x\r\n\r\n', 'GET / HTTP/1.1\r\nBad Header\r\n\r\n']) {
      const text = await raw(junk);
      assert.ok(text.startsWith(BAD_REQUEST), JSON.stringify(text));
      assert.ok(text.endsWith('<html><body><h1>400 Bad request</h1>\nYour browser sent an invalid request.\n</body></html>\n'));
    }
  });

  it('refuses headers over 16 KiB with 400 and closes', async () => {
    const text = await raw(`GET /stats HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    assert.ok(text.startsWith(BAD_REQUEST), text.slice(0, 60));
  });

  it("sends HAProxy's 408 for a half-sent request after timeout client, then closes", async () => {
    const c = await connect(d.port('stats'));
    c.write('GET /stats HTTP/1.1\r\nHost: x\r\n');
    const started = Date.now();
    const text = (await readAll(c, 6000)).toString();
    assert.ok(text.startsWith('HTTP/1.1 408 Request Time-out\r\n'), text);
    assert.ok(Date.now() - started >= 1000, 'not before timeout client');
  });

  it('closes an idle keep-alive connection silently after timeout client', async () => {
    const c = await connect(d.port('stats'));
    c.write('GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n');
    const text = (await readAll(c, 6000)).toString();
    assert.match(text, /^HTTP\/1\.1 200 OK\r\n/);
    // No second response: a 408 would be a status line after the first answer (the digits
    // 408 alone can occur in the metrics themselves, e.g. a byte count).
    assert.equal(/\r\nHTTP\/1\.[01] 408 /.test(text), false, 'a 408 after the answer');
    assert.equal(text.match(/^HTTP\/1\.1 /gm)?.length, 1, 'one response only');
  });

  it('keeps serving the page, the exporter and the data path with hundreds of idle connections open', async () => {
    const idle: net.Socket[] = [];
    try {
      for (let i = 0; i < IDLE_CONNECTIONS; i++) idle.push(await connect(d.port('stats')));
      const metrics = await httpRequest(d.port('stats'), '/metrics');
      assert.equal(metrics.status, 200);
      assert.match(metrics.body, /^haproxy_frontend_current_sessions\{proxy="stats"\} \d+$/m);
      assert.equal((await httpRequest(d.port('stats'), '/stats')).status, 200);
      const c = await connect(d.port('fe'));
      assert.equal((await readAll(c)).toString(), 'data path ok\n');
      // Each idle connection is closed by timeout client, never held forever.
      const closed = await Promise.all(idle.map((s) => closedWithin(s, 6000)));
      assert.equal(closed.filter((x) => !x).length, 0);
    } finally {
      for (const s of idle) s.destroy();
    }
  });
});
