// The stats page in a real browser: headless Chromium (Debian's package, driven by
// playwright-core, which downloads nothing; support/stats-page-driver.ts) loads the page with
// Basic credentials, finds the server rows and their colours, drains a server through the
// page's own form, sees its row turn DRAIN, and the daemon then gives that server no new
// session. The screenshot is saved in the test's TMPDIR, or where TRUEHOP_STATS_SCREENSHOT says
// (docs/stats-page.png is made that way, see docs/stats-page.md).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { daemonFromText, type ConfigDaemon } from '../../support/config-daemon.js';
import { connect, readAll, recordingServer, type RecordedConnection, type RecordingServer } from '../../support/peers.js';
import { peerSkip, requirePeer } from '../../support/require-peer.js';

const DRIVER = fileURLToPath(new URL('../../support/stats-page-driver.js', import.meta.url));
const STEP_TIMEOUT_MS = 30_000;

describe('stats page in headless Chromium', { skip: peerSkip('chromium'), timeout: 120_000 }, () => {
  let d: ConfigDaemon;
  let servers: RecordingServer[];

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
    for (const header of ['PROXY TCP4 203.0.113.7 192.0.2.1 40000 443\r\n', Buffer.from('0d0a0d0a000d0a515549540a2111000cc633710bc0000201009c4001bb', 'hex'), 'GET / HTTP/1.0\r\n\r\n']) {
      const c = await connect(d.port('www'));
      c.write(header);
      await readAll(c);
      c.end();
    }
  });
  after(async () => {
    await d.daemon.stop(1000);
    await Promise.all(servers.map((s) => s.close()));
  });

  async function through(): Promise<string> {
    const c = await connect(d.port('www', 1));
    const text = (await readAll(c)).toString().trim();
    c.end();
    return text;
  }

  it('shows the servers, drains one from the page, and the daemon stops sending it sessions', async () => {
    const args = {
      url: `http://127.0.0.1:${d.port('stats')}/stats`, user: 'admin', password: 'secret', chromium: requirePeer('chromium'),
      screenshot: process.env['TRUEHOP_STATS_SCREENSHOT'] ?? join(tmpdir(), 'stats-page.png'),
    };
    const child: ChildProcess = spawn(process.execPath, [DRIVER, JSON.stringify(args)], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (b: Buffer) => (stderr = (stderr + b.toString()).slice(-4000)));
    const steps = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
    const step = async <T>(name: string): Promise<T> => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no '${name}' from the browser driver: ${stderr}`)), STEP_TIMEOUT_MS)));
      try {
        const line = await Promise.race([steps.next(), timeout]);
        assert.equal(line.done, false, `the browser driver ended before '${name}': ${stderr}`);
        const parsed = JSON.parse(line.value) as { step: string; value: T };
        assert.equal(parsed.step, name);
        return parsed.value;
      } finally {
        clearTimeout(timer);
      }
    };
    try {
      const loaded = await step<{ status: number; rows: string[]; upColour: string; proxyProtocol: string }>('loaded');
      assert.equal(loaded.status, 200);
      assert.deepEqual(loaded.rows, ['web1:UP', 'web2:UP', 'spare:MAINT']);
      assert.equal(loaded.upColour, 'rgb(192, 255, 192)');
      assert.match(loaded.proxyProtocol, /v1 1\s+v2 1/);
      assert.match(loaded.proxyProtocol, /PRX_NOT_HDR 1/);
      child.stdin?.write('drain\n');

      const drained = await step<{ url: string; rows: string[]; status: string; drainColour: string }>('drained');
      assert.match(drained.url, /\/stats;st=DONE$/);
      assert.deepEqual(drained.rows, ['web1:DRAIN', 'web2:UP', 'spare:MAINT']);
      assert.match(drained.status, /Action processed successfully/);
      assert.notEqual(drained.drainColour, loaded.upColour);
      const answers: string[] = [];
      for (let i = 0; i < 6; i++) answers.push(await through());
      assert.deepEqual(answers, Array(6).fill('web2'));
      child.stdin?.write('screenshot\n');

      const done = await step<{ elsewhere: string[] }>('done');
      assert.deepEqual(done.elsewhere, [], 'the page loads nothing from elsewhere');
    } finally {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
        child.stdin?.end();
        await exited;
        clearTimeout(kill);
      }
    }
  });
});
