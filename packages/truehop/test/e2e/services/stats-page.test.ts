// The stats page served by a mode http listen, end to end through the real loader and daemon:
// Basic auth with HAProxy's 401, the server rows, CSV at ;csv, a drain action POSTed as the
// page's form does (and the daemon then stops giving that server new sessions), actions
// refused without `stats admin` or from another origin, accept-proxy on the page's bind,
// HAProxy's 503 for any other request.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { daemonFromText, type ConfigDaemon } from '../../support/config-daemon.js';
import { connect, readAll, recordingServer, type RecordedConnection, type RecordingServer } from '../../support/peers.js';
import { basic, httpRequest } from '../../support/http-client.js';

const AUTH = basic('admin', 'se:cret');

describe('stats page', () => {
  let d: ConfigDaemon;
  let s1: RecordingServer;
  let s2: RecordingServer;

  before(async () => {
    const answer = (name: string) => (c: RecordedConnection): void => {
      c.socket.end(`${name}\n`);
    };
    s1 = await recordingServer(answer('s1'));
    s2 = await recordingServer(answer('s2'));
    d = await daemonFromText(`defaults
  timeout connect 1s
  timeout client 5s
  timeout server 5s
frontend fe
  bind 127.0.0.1:0
  default_backend be
backend be
  server s1 127.0.0.1:${s1.port}
  server s2 127.0.0.1:${s2.port}
listen stats
  mode http
  bind 127.0.0.1:0
  bind 127.0.0.1:0 accept-proxy
  stats enable
  stats uri /admin?stats
  stats auth admin:se:cret
  stats realm Truehop\\ ops
  stats refresh 10s
  stats admin if { src 127.0.0.1 }
listen readonly
  mode http
  bind 127.0.0.1:0
  stats uri /
`);
  });
  after(async () => {
    await d.daemon.stop(1000);
    await s1.close();
    await s2.close();
  });

  const page = (path = '/admin?stats', headers: Record<string, string> = { authorization: AUTH }) => httpRequest(d.port('stats'), path, { headers });

  async function through(): Promise<string> {
    const c = await connect(d.port('fe'));
    const text = (await readAll(c)).toString().trim();
    // Our side too, so the session ends (and its bytes are counted).
    c.end();
    return text;
  }

  it("asks for credentials with HAProxy's 401 and realm, and refuses wrong ones", async () => {
    for (const headers of [{}, { authorization: basic('admin', 'wrong') }, { authorization: 'Basic !!!' }, { authorization: basic('nobody', 'se:cret') }]) {
      const r = await page('/admin?stats', headers);
      assert.equal(r.status, 401);
      assert.equal(r.headers['www-authenticate'], 'Basic realm="Truehop ops"');
      assert.equal(r.body, '<html><body><h1>401 Unauthorized</h1>\nYou need a valid user and password to access this content.\n</body></html>\n');
    }
  });

  it('shows a table per proxy and a row per server, refreshing itself', async () => {
    const r = await page();
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-type'], 'text/html');
    assert.equal(r.headers.refresh, '10');
    assert.match(r.body, /<table class="px" data-frontend="fe">/);
    assert.match(r.body, /<table class="px" data-backend="be">/);
    assert.match(r.body, /<tr class="up" data-server="s1" data-state="UP">/);
    assert.match(r.body, /<tr class="up" data-server="s2" data-state="UP">/);
    assert.match(r.body, /<table class="pp" data-proxy-protocol="stats">/);
    assert.match(r.body, /<input type="checkbox" name="s" value="s1">/, 'stats admin holds for 127.0.0.1');
    const norefresh = await page('/admin?stats;norefresh');
    assert.equal(norefresh.headers.refresh, undefined);
  });

  it("exports HAProxy's show stat CSV at ;csv", async () => {
    const r = await page('/admin?stats;csv');
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-type'], 'text/plain');
    const lines = r.body.split('\n');
    assert.match(lines[0] ?? '', /^# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,/);
    assert.ok(lines.some((l) => l.startsWith('be,s1,')));
    assert.ok(lines.some((l) => l.startsWith('be,BACKEND,')));
  });

  it('drains a server from the form: the page says DRAIN and new sessions go elsewhere', async () => {
    assert.deepEqual([await through(), await through()].sort(), ['s1', 's2'], 'both servers serve before');
    const post = await httpRequest(d.port('stats'), '/admin?stats', {
      method: 'POST', body: 's=s1&action=drain&b=be',
      headers: { authorization: AUTH, 'content-type': 'application/x-www-form-urlencoded', origin: `http://127.0.0.1:${d.port('stats')}`, host: `127.0.0.1:${d.port('stats')}` },
    });
    assert.equal(post.status, 303);
    assert.equal(post.headers.location, '/admin?stats;st=DONE');
    const after = await page('/admin?stats;st=DONE');
    assert.match(after.body, /<tr class="drain" data-server="s1" data-state="DRAIN">/);
    assert.match(after.body, /\[DONE\] Action processed successfully\./);
    const answers = [];
    for (let i = 0; i < 6; i++) answers.push(await through());
    assert.deepEqual(answers, ['s2', 's2', 's2', 's2', 's2', 's2']);
    const ready = await httpRequest(d.port('stats'), '/admin?stats', { method: 'POST', body: 's=s1&action=ready&b=be', headers: { authorization: AUTH } });
    assert.equal(ready.headers.location, '/admin?stats;st=DONE');
    assert.deepEqual([await through(), await through()].sort(), ['s1', 's2'], 'ready again');
  });

  it('refuses actions from another origin, on unknown servers, and without stats admin', async () => {
    const cross = await httpRequest(d.port('stats'), '/admin?stats', { method: 'POST', body: 's=s1&action=maint&b=be', headers: { authorization: AUTH, origin: 'http://evil.example', host: `127.0.0.1:${d.port('stats')}` } });
    assert.equal(cross.headers.location, '/admin?stats;st=DENY');
    const unknown = await httpRequest(d.port('stats'), '/admin?stats', { method: 'POST', body: 's=nope&action=maint&b=be', headers: { authorization: AUTH } });
    assert.equal(unknown.headers.location, '/admin?stats;st=ERRP');
    const badAction = await httpRequest(d.port('stats'), '/admin?stats', { method: 'POST', body: 's=s1&action=explode&b=be', headers: { authorization: AUTH } });
    assert.equal(badAction.headers.location, '/admin?stats;st=ERRP');
    const readonly = await httpRequest(d.port('readonly'), '/', { method: 'POST', body: 's=s1&action=maint&b=be' });
    assert.equal(readonly.headers.location, '/;st=DENY');
    const html = (await httpRequest(d.port('readonly'), '/')).body;
    assert.equal(html.includes('<form'), false);
    assert.match(html, /data-server="s1" data-state="UP"/, 'nothing changed');
  });

  it('reads the PROXY header first on an accept-proxy bind, and refuses a client without one', async () => {
    const c = await connect(d.port('stats', 1));
    c.write(`PROXY TCP4 203.0.113.9 192.0.2.1 4000 80\r\nGET /admin?stats;csv HTTP/1.1\r\nHost: x\r\nAuthorization: ${AUTH}\r\nConnection: close\r\n\r\n`);
    const text = (await readAll(c)).toString();
    assert.match(text, /^HTTP\/1\.1 200 OK\r\n/);
    assert.match(text, /# pxname,svname/);
    const bare = await connect(d.port('stats', 1));
    bare.write(`GET /admin?stats HTTP/1.1\r\nHost: x\r\n\r\n`);
    assert.equal((await readAll(bare)).length, 0, 'closed without an answer');
  });

  it("answers HAProxy's 503 for a request that no service takes", async () => {
    for (const path of ['/', '/metrics', '/admin']) {
      const r = await page(path);
      assert.equal(r.status, 503);
      assert.equal(r.body, '<html><body><h1>503 Service Unavailable</h1>\nNo server is available to handle this request.\n</body></html>\n');
    }
    const put = await httpRequest(d.port('stats'), '/admin?stats', { method: 'PUT', headers: { authorization: AUTH } });
    assert.equal(put.status, 503, 'the stats URI takes GET, HEAD and POST only');
  });
});
