// In master-worker mode the page and the exporter live in the workers but show and steer the
// whole daemon: whichever worker answers, a scrape reports every worker (nbthread, sessions
// summed), and a drain POSTed to one worker applies in all of them (service-ipc.ts).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startCli, type CliProcess } from '../../support/cli-process.js';
import { connect, readAll, recordingServer, type RecordingServer } from '../../support/peers.js';
import { httpRequest } from '../../support/http-client.js';

const WORKERS = 2;
const THROUGH = 8;

describe('services in master-worker mode', { timeout: 90_000 }, () => {
  let cli: CliProcess;
  let s1: RecordingServer;
  let s2: RecordingServer;
  let fePort: number;
  let statsPort: number;

  before(async () => {
    s1 = await recordingServer((c) => c.socket.end('s1\n'));
    s2 = await recordingServer((c) => c.socket.end('s2\n'));
    cli = startCli(`global
  master-worker
  nbthread ${WORKERS}
defaults
  timeout connect 2s
  timeout client 10s
  timeout server 10s
frontend fe
  bind 127.0.0.1:0
  default_backend be
backend be
  server s1 127.0.0.1:${s1.port}
  server s2 127.0.0.1:${s2.port}
listen stats
  mode http
  bind 127.0.0.1:0
  stats uri /stats
  stats admin if TRUE
  http-request use-service prometheus-exporter if { path /metrics }
`);
    fePort = Number((await cli.waitLog(/frontend 'fe' listening on [^\s]+:(\d+)/, 30_000))[1]);
    statsPort = Number((await cli.waitLog(/frontend 'stats' listening on [^\s]+:(\d+)/, 30_000))[1]);
  });
  after(async () => {
    cli.child.kill('SIGTERM');
    await Promise.race([cli.exit, new Promise((r) => setTimeout(r, 10_000))]);
    cli.cleanup();
    await s1.close();
    await s2.close();
  });

  async function through(): Promise<string> {
    const c = await connect(fePort);
    const text = (await readAll(c)).toString().trim();
    c.end();
    return text;
  }
  const metric = (text: string, series: string): string | undefined => text.split('\n').find((l) => l.startsWith(`${series} `))?.slice(series.length + 1);

  it('reports every worker in each scrape, whichever worker answers', async () => {
    for (let i = 0; i < THROUGH; i++) await through();
    const deadline = Date.now() + 10_000;
    let text = '';
    // Sessions end asynchronously: wait until every one is counted, then every scrape agrees.
    while (Date.now() < deadline && metric(text, 'haproxy_backend_sessions_total{proxy="be"}') !== String(THROUGH)) {
      text = (await httpRequest(statsPort, '/metrics')).body;
    }
    assert.equal(metric(text, 'haproxy_process_nbthread'), String(WORKERS));
    for (let i = 0; i < 6; i++) {
      const t = (await httpRequest(statsPort, '/metrics')).body;
      assert.equal(metric(t, 'haproxy_backend_sessions_total{proxy="be"}'), String(THROUGH), 'summed over the workers');
    }
  });

  it('applies a drain from the page in every worker', async () => {
    const post = await httpRequest(statsPort, '/stats', { method: 'POST', body: 's=s1&action=drain&b=be' });
    assert.equal(post.headers.location, '/stats;st=DONE');
    // The master tells every worker; each applies it on its next turn of the loop.
    await new Promise((r) => setTimeout(r, 300));
    const answers: string[] = [];
    for (let i = 0; i < THROUGH; i++) answers.push(await through());
    assert.deepEqual(answers, Array(THROUGH).fill('s2'));
    for (let i = 0; i < 4; i++) {
      const t = (await httpRequest(statsPort, '/metrics')).body;
      assert.equal(metric(t, 'haproxy_server_status{proxy="be",server="s1",state="DRAIN"}'), '1');
    }
  });
});
