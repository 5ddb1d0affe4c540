// Differential: HAProxy 2.6 (Debian's, with its built-in exporter) and truehop run the same
// configuration and get the same traffic; every metric name and label set HAProxy's exporter
// emits is emitted by truehop too, with the same TYPE and HELP, except the ones listed in
// NOT_EXPORTED / TYPE_DIFFERS (and docs/metrics.md) — and those lists hold nothing HAProxy
// does not emit, so they cannot go stale.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { daemonFromText, type ConfigDaemon } from '../../support/config-daemon.js';
import { connect, readAll, recordingServer, type RecordingServer } from '../../support/peers.js';
import { httpRequest } from '../../support/http-client.js';
import { haproxySkip, startHaproxy, type RunningHaproxy } from '../../support/haproxy.js';
import { NOT_EXPORTED, TYPE_DIFFERS } from '../../../src/services/prometheus-metrics.js';

const config = (bind: (i: number) => string, servers: readonly number[]): string => `defaults
  timeout connect 1s
  timeout client 5s
  timeout server 5s
frontend fe
  bind ${bind(0)} accept-proxy
  default_backend be
backend be
  server s1 127.0.0.1:${servers[0]} check inter 500ms
  server s2 127.0.0.1:${servers[1]}
  server s3 127.0.0.1:${servers[2]} backup
listen stats
  mode http
  bind ${bind(1)}
  stats enable
  stats uri /stats
  http-request use-service prometheus-exporter if { path /metrics }
`;

interface Exposition {
  /** `name{label="…",…}` (build_info's version emptied) → value. */
  series: Map<string, string>;
  types: Map<string, string>;
  help: Map<string, string>;
}

function parse(text: string): Exposition {
  const out: Exposition = { series: new Map(), types: new Map(), help: new Map() };
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) out.types.set(type[1] as string, type[2] as string);
    const help = /^# HELP (\S+) (.*)$/.exec(line);
    if (help) out.help.set(help[1] as string, help[2] as string);
    if (line === '' || line.startsWith('#')) continue;
    const cut = line.lastIndexOf(' ');
    out.series.set(line.slice(0, cut).replace(/version="[^"]*"/, 'version=""'), line.slice(cut + 1));
  }
  return out;
}

const metricName = (series: string): string => series.replace(/\{.*$/, '');
const notExported = (name: string): boolean => Object.keys(NOT_EXPORTED).some((p) => new RegExp(`^${p.replace(/\*/g, '[a-z]+')}$`).test(name));

describe('exporter vs HAProxy 2.6', { skip: haproxySkip }, () => {
  let servers: RecordingServer[];
  let haproxy: RunningHaproxy;
  let d: ConfigDaemon;
  let theirs: Exposition;
  let ours: Exposition;

  before(async () => {
    servers = await Promise.all([0, 1, 2].map(() => recordingServer((c) => c.socket.end('ok\n'))));
    const ports = servers.map((s) => s.port);
    haproxy = await startHaproxy(2, (p) => config((i) => `127.0.0.1:${p[i]}`, ports));
    d = await daemonFromText(config(() => '127.0.0.1:0', ports));
    // The same traffic to both: a relayed client, then a client without a header.
    for (const port of [haproxy.ports[0] as number, d.port('fe')]) {
      const c = await connect(port);
      c.write('PROXY TCP4 198.51.100.1 192.0.2.1 1000 80\r\n');
      await readAll(c);
      const bad = await connect(port);
      bad.write('GET / HTTP/1.0\r\n\r\n');
      await readAll(bad);
    }
    // Scrape once both have run s1's first check (L4OK), so check metrics exist on both sides.
    const checked = 'haproxy_server_check_status{proxy="be",server="s1",state="L4OK"}';
    const deadline = Date.now() + 10_000;
    do {
      await new Promise((r) => setTimeout(r, 200));
      theirs = parse((await httpRequest(haproxy.ports[1] as number, '/metrics')).body);
      ours = parse((await httpRequest(d.port('stats'), '/metrics')).body);
    } while ((theirs.series.get(checked) !== '1' || ours.series.get(checked) !== '1') && Date.now() < deadline);
  });
  after(async () => {
    await d.daemon.stop(1000);
    await haproxy.stop();
    await Promise.all(servers.map((s) => s.close()));
  });

  it("emits every metric name and label set HAProxy's exporter emits (except the documented ones)", () => {
    const missing = [...theirs.series.keys()].filter((s) => !ours.series.has(s) && !notExported(metricName(s)));
    assert.deepEqual(missing, []);
    assert.ok(theirs.series.size > 300, `HAProxy emitted ${theirs.series.size} series`);
  });

  it('lists as not exported only metrics HAProxy really emits here, and truehop indeed lacks', () => {
    for (const pattern of Object.keys(NOT_EXPORTED)) {
      const re = new RegExp(`^${pattern.replace(/\*/g, '[a-z]+')}$`);
      assert.ok([...theirs.types.keys()].some((n) => re.test(n)), `${pattern} is not emitted by HAProxy 2.6`);
      assert.equal([...ours.types.keys()].some((n) => re.test(n)), false, `${pattern} is emitted by truehop`);
    }
  });

  it('gives each shared metric the same TYPE and HELP', () => {
    for (const [name, type] of theirs.types) {
      if (!ours.types.has(name)) continue;
      if (name in TYPE_DIFFERS) assert.notEqual(ours.types.get(name), type);
      else assert.equal(ours.types.get(name), type, name);
      assert.equal(ours.help.get(name), theirs.help.get(name), name);
    }
  });

  it('agrees with HAProxy on the values that mean the same thing', () => {
    const same = [
      ...['s1', 's2', 's3'].flatMap((s) => ['DOWN', 'UP', 'MAINT', 'DRAIN', 'NOLB'].map((st) => `haproxy_server_status{proxy="be",server="${s}",state="${st}"}`)),
      ...['s1', 's2', 's3'].flatMap((s) => [`haproxy_server_weight{proxy="be",server="${s}"}`, `haproxy_server_sessions_total{proxy="be",server="${s}"}`, `haproxy_server_bytes_out_total{proxy="be",server="${s}"}`]),
      'haproxy_server_check_status{proxy="be",server="s1",state="L4OK"}',
      'haproxy_backend_active_servers{proxy="be"}', 'haproxy_backend_backup_servers{proxy="be"}', 'haproxy_backend_weight{proxy="be"}',
      'haproxy_backend_sessions_total{proxy="be"}', 'haproxy_backend_bytes_out_total{proxy="be"}',
      'haproxy_frontend_connections_total{proxy="fe"}', 'haproxy_frontend_bytes_out_total{proxy="fe"}',
      'haproxy_frontend_status{proxy="fe",state="UP"}', 'haproxy_backend_status{proxy="be",state="UP"}',
    ];
    const differ = same.filter((k) => theirs.series.get(k) !== ours.series.get(k)).map((k) => `${k}: HAProxy ${theirs.series.get(k)}, truehop ${ours.series.get(k)}`);
    assert.deepEqual(differ, []);
  });

  it('documents every exception in docs/metrics.md', () => {
    const doc = readFileSync(new URL('../../../../../../docs/metrics.md', import.meta.url), 'utf8');
    for (const name of [...Object.keys(NOT_EXPORTED), ...Object.keys(TYPE_DIFFERS)]) assert.ok(doc.includes(`\`${name}\``), `${name} missing from docs/metrics.md`);
  });
});
