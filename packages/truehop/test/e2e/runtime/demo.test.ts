// The demo (`npm start`): truehop with the bundled config and two apps using @truehop/node;
// a plain client and a client behind a pretend proxy both get answered with the address
// that travelled in the PROXY header.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startDemo, demoInstructions, type RunningDemo } from '../../../src/runtime/demo.js';
import { Capture, connect, readAll, waitFor } from '../../support/peers.js';

describe('demo', () => {
  let demo: RunningDemo;
  const out = new Capture();

  before(async () => {
    demo = await startDemo({ plainPort: 0, proxyPort: 0, stdout: out, stderr: out });
  });
  after(async () => {
    await demo.stop();
  });

  async function get(port: number, prefix = ''): Promise<string> {
    const c = await connect(port);
    c.write(`${prefix}GET / HTTP/1.0\r\nHost: demo\r\n\r\n`);
    const body = (await readAll(c)).toString();
    // Our side too (the client socket is half-open capable), so the session completes.
    c.end();
    return body;
  }

  it('answers a plain client with its real address, from both apps in turn', async () => {
    const a = await get(demo.plainPort);
    const b = await get(demo.plainPort);
    assert.match(a, /your address, as the PROXY header told me: 127\.0\.0\.1:\d+/);
    assert.deepEqual([a.match(/Hello from (app\d)/)?.[1], b.match(/Hello from (app\d)/)?.[1]].sort(), ['app1', 'app2']);
  });

  it('passes an advertised address from an upstream proxy on to the app', async () => {
    const r = await get(demo.proxyPort, 'PROXY TCP4 203.0.113.7 192.0.2.10 40000 80\r\n');
    assert.match(r, /your address, as the PROXY header told me: 203\.0\.113\.7:40000/);
    assert.match(r, /the address you connected to: +192\.0\.2\.10:80/);
    await waitFor(() => out.text.includes('203.0.113.7:40000 ['), 2000, 'log line');
    assert.match(out.text, /203\.0\.113\.7:40000 \[[^\]]+\] demo demo_apps\/app\d \d+\/\d+\/\d+ \d+ -- [\d/]+ \d+\/\d+ proxy=127\.0\.0\.1:\d+/);
  });

  it('refuses a header-less client on the accept-proxy listener and logs PRX_NOT_HDR', async () => {
    const r = await get(demo.proxyPort);
    assert.equal(r, '');
    await waitFor(() => out.text.includes('[PRX_NOT_HDR]'), 2000, 'rejection log');
  });

  it('prints how to try it, with curl and curl --haproxy-protocol', () => {
    const text = demoInstructions(demo);
    assert.ok(text.includes(`curl http://127.0.0.1:${demo.plainPort}/`));
    assert.ok(text.includes(`curl --haproxy-protocol http://127.0.0.1:${demo.proxyPort}/`));
  });
});
