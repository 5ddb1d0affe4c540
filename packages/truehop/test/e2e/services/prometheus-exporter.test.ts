// The exporter for real Prometheus tooling: `promtool check metrics` accepts its output, and a
// real Prometheus server (Debian's package, its own config and storage in a temp dir, on
// loopback port 61510) scrapes truehop and answers a query for haproxy_server_status
// through its HTTP API.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { daemonFromText, type ConfigDaemon } from '../../support/config-daemon.js';
import { connect, readAll, recordingServer, type RecordingServer } from '../../support/peers.js';
import { httpRequest } from '../../support/http-client.js';
import { peerSkip, requirePeer } from '../../support/require-peer.js';

/** Fixed, in this suite's range: Prometheus has no "port 0" that it would report back. */
const PROMETHEUS_PORT = 61510;
const QUERY_DEADLINE_MS = 40_000;

interface VectorSample {
  metric: Record<string, string>;
  value: [number, string];
}

describe('Prometheus exporter', () => {
  let d: ConfigDaemon;
  let s1: RecordingServer;

  before(async () => {
    s1 = await recordingServer((c) => c.socket.end('ok\n'));
    d = await daemonFromText(`defaults
  timeout connect 1s
  timeout client 5s
  timeout server 5s
frontend fe
  bind 127.0.0.1:0 accept-proxy
  default_backend be
backend be
  server s1 127.0.0.1:${s1.port} check inter 500ms
  server s2 127.0.0.1:1 disabled
frontend prometheus
  mode http
  bind 127.0.0.1:0
  http-request use-service prometheus-exporter if { path /metrics }
`);
    // Some traffic, so counters are not all zero: one relayed client, one refused header.
    const c = await connect(d.port('fe'));
    c.write('PROXY TCP4 198.51.100.1 192.0.2.1 1000 80\r\n');
    await readAll(c);
    const bad = await connect(d.port('fe'));
    bad.write('GET / HTTP/1.0\r\n\r\n');
    await readAll(bad);
  });
  after(async () => {
    await d.daemon.stop(1000);
    await s1.close();
  });

  it('passes promtool check metrics', { skip: peerSkip('promtool') }, async () => {
    const r = await httpRequest(d.port('prometheus'), '/metrics');
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-type'], 'text/plain; version=0.0.4');
    assert.match(r.body, /^haproxy_frontend_connections_total\{proxy="fe"\} 2$/m);
    assert.match(r.body, /^truehop_proxy_protocol_rejections_total\{proxy="fe",reason="PRX_NOT_HDR"\} 1$/m);
    assert.match(r.body, /^truehop_proxy_protocol_headers_total\{proxy="fe",version="1"\} 1$/m);
    const check = spawnSync(requirePeer('promtool'), ['check', 'metrics'], { input: r.body, encoding: 'utf8', timeout: 20_000 });
    assert.equal(check.status, 0, `promtool: ${check.stdout}${check.stderr}`);
  });

  it('is scraped by a real Prometheus server that answers a query for haproxy_server_status', { skip: peerSkip('prometheus'), timeout: 90_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'truehop-prometheus-'));
    const config = join(dir, 'prometheus.yml');
    writeFileSync(config, `global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: truehop
    metrics_path: /metrics
    static_configs:
      - targets: ['127.0.0.1:${d.port('prometheus')}']
`);
    let log = '';
    const child: ChildProcess = spawn(requirePeer('prometheus'), [
      `--config.file=${config}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${PROMETHEUS_PORT}`, '--log.level=warn',
    ], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr?.on('data', (b: Buffer) => (log = (log + b.toString()).slice(-4000)));
    try {
      const deadline = Date.now() + QUERY_DEADLINE_MS;
      let samples: VectorSample[] = [];
      while (Date.now() < deadline && samples.length === 0) {
        await new Promise((r) => setTimeout(r, 500));
        if (child.exitCode !== null) break;
        try {
          const r = await httpRequest(PROMETHEUS_PORT, `/api/v1/query?query=${encodeURIComponent('haproxy_server_status{proxy="be"}')}`, { timeoutMs: 2000 });
          if (r.status === 200) samples = (JSON.parse(r.body) as { data: { result: VectorSample[] } }).data.result;
        } catch {
          // not listening yet
        }
      }
      assert.ok(samples.length > 0, `no answer from Prometheus within ${QUERY_DEADLINE_MS} ms: ${log}`);
      const value = (server: string, state: string): string | undefined => samples.find((s) => s.metric.server === server && s.metric.state === state)?.value[1];
      assert.equal(value('s1', 'UP'), '1');
      assert.equal(value('s1', 'DOWN'), '0');
      assert.equal(value('s2', 'MAINT'), '1');
      assert.equal(samples[0]?.metric.job, 'truehop');
    } finally {
      await new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
        child.once('exit', () => {
          clearTimeout(kill);
          resolve();
        });
        child.kill('SIGTERM');
      });
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
