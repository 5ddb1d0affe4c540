// The stats page in a real browser: headless Chromium (Debian's package, driven by
// playwright-core, which downloads nothing) loads the page with Basic credentials, finds the
// server rows, drains a server through the page's own form, sees its row turn DRAIN, and the
// daemon then gives that server no new session. The screenshot is saved in the test's TMPDIR,
// or where TRUEHOP_STATS_SCREENSHOT says (docs/stats-page.png is made that way, see
// docs/stats-page.md).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import type { Browser } from 'playwright-core';
import { daemonFromText, type ConfigDaemon } from '../../support/config-daemon.js';
import { connect, readAll, recordingServer, type RecordedConnection, type RecordingServer } from '../../support/peers.js';
import { peerSkip, requirePeer } from '../../support/require-peer.js';

/** Runs in the page (no DOM types here): the computed background colour of an element. */
const backgroundOf = (el: unknown): string => (globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } }).getComputedStyle(el).backgroundColor;

describe('stats page in headless Chromium', { skip: peerSkip('chromium'), timeout: 120_000 }, () => {
  let d: ConfigDaemon;
  let servers: RecordingServer[];
  let browser: Browser;

  before(async () => {
    const answer = (name: string) => (c: RecordedConnection): void => void c.socket.end(`${name}\n`);
    servers = [await recordingServer(answer('web1')), await recordingServer(answer('web2'))];
    d = await daemonFromText(`defaults
  timeout connect 1s
  timeout client 10s
  timeout server 10s
frontend www
  bind 127.0.0.1:0 accept-proxy
  bind 127.0.0.1:0
  default_backend app
backend app
  balance roundrobin
  server web1 127.0.0.1:${servers[0]?.port} weight 10
  server web2 127.0.0.1:${servers[1]?.port} weight 10 check inter 1s
  server spare 127.0.0.1:1 backup disabled
listen stats
  mode http
  bind 127.0.0.1:0
  stats enable
  stats uri /stats
  stats refresh 30s
  stats auth admin:secret
  stats admin if TRUE
`);
    // Some traffic, so the page has numbers: relayed clients (v1 and v2) and a refused one.
    for (const header of ['PROXY TCP4 203.0.113.7 192.0.2.1 40000 443\r\n', Buffer.from('0d0a0d0a000d0a515549540a211100 0cc633710bc000020100 9c4001bb'.replace(/ /g, ''), 'hex'), 'GET / HTTP/1.0\r\n\r\n']) {
      const c = await connect(d.port('www'));
      c.write(header);
      await readAll(c);
    }
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: requirePeer('chromium'), headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  });
  after(async () => {
    await browser?.close();
    await d.daemon.stop(1000);
    await Promise.all(servers.map((s) => s.close()));
  });

  async function through(): Promise<string> {
    const c = await connect(d.port('www', 1));
    const text = (await readAll(c)).toString().trim();
    // Our side too, so the session ends (and its bytes are counted).
    c.end();
    return text;
  }

  it('shows the servers, drains one from the page, and the daemon stops sending it sessions', async () => {
    const context = await browser.newContext({ httpCredentials: { username: 'admin', password: 'secret' }, viewport: { width: 1280, height: 720 } });
    const offline: string[] = [];
    context.on('request', (r) => {
      if (!r.url().startsWith(`http://127.0.0.1:${d.port('stats')}/`)) offline.push(r.url());
    });
    const page = await context.newPage();
    const res = await page.goto(`http://127.0.0.1:${d.port('stats')}/stats`);
    assert.equal(res?.status(), 200);
    const rows = await page.locator('table[data-backend="app"] tr[data-server]').evaluateAll((trs) => trs.map((tr) => `${tr.getAttribute('data-server')}:${tr.getAttribute('data-state')}`));
    assert.deepEqual(rows, ['web1:UP', 'web2:UP', 'spare:MAINT']);
    const upColour = await page.locator('tr[data-server="web1"] td.state').evaluate(backgroundOf);
    assert.equal(upColour, 'rgb(192, 255, 192)');
    assert.match(await page.locator('table[data-proxy-protocol="www"]').innerText(), /v1 1\s+v2 1/);

    await page.locator('tr[data-server="web1"] input[type="checkbox"]').check();
    await page.locator('form:has(input[name="b"][value="app"]) select[name="action"]').selectOption('drain');
    await Promise.all([page.waitForURL(/;st=DONE$/), page.locator('form:has(input[name="b"][value="app"]) input[type="submit"]').click()]);
    assert.equal(await page.locator('tr[data-server="web1"]').getAttribute('data-state'), 'DRAIN');
    assert.match(await page.locator('#action-status').innerText(), /Action processed successfully/);
    const drainColour = await page.locator('tr[data-server="web1"] td.state').evaluate(backgroundOf);
    assert.notEqual(drainColour, upColour);

    const answers: string[] = [];
    for (let i = 0; i < 6; i++) answers.push(await through());
    assert.deepEqual(answers, Array(6).fill('web2'));
    await page.reload();
    await page.screenshot({ path: process.env['TRUEHOP_STATS_SCREENSHOT'] ?? join(tmpdir(), 'stats-page.png'), fullPage: true });
    assert.deepEqual(offline, [], 'the page loads nothing from elsewhere');
    await context.close();
  });
});
