// The exporter's text: HAProxy's metric names, types and labels for each object, exposition
// format 0.0.4 (HELP/TYPE once per family, escaped label values, NaN for unset limits).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { renderMetrics } from './prometheus-exposition.js';
import type { ScrapeEnv } from './prometheus-metrics.js';
import { HttpServiceCounters } from './http-service.js';
import { NOW_MS, statsSnapshot } from '../../test/support/stats-snapshot-fixture.js';

export function scrapeEnv(partial: Partial<ScrapeEnv> = {}): ScrapeEnv {
  return {
    snapshot: statsSnapshot(), nowMs: NOW_MS, http: new Map(), nbthread: 1, listeners: 2, idlePercent: 97,
    memory: process.memoryUsage(), stopping: false, version: '0.0.0-test', ...partial,
  };
}

const sample = (text: string, series: string): string | undefined => text.split('\n').find((l) => l.startsWith(`${series} `))?.slice(series.length + 1);

describe('Prometheus exposition', () => {
  const text = renderMetrics(scrapeEnv());

  it('writes HELP and TYPE once per family, before its samples', () => {
    const types = text.split('\n').filter((l) => l.startsWith('# TYPE '));
    assert.equal(new Set(types).size, types.length);
    assert.ok(types.includes('# TYPE haproxy_server_status gauge'));
    assert.ok(types.includes('# TYPE haproxy_frontend_sessions_total counter'));
    assert.ok(text.indexOf('# HELP haproxy_server_status') < text.indexOf('haproxy_server_status{'));
  });

  it('labels servers with proxy, server and one state per HAProxy state, the current one at 1', () => {
    assert.equal(sample(text, 'haproxy_server_status{proxy="be",server="s1",state="UP"}'), '1');
    assert.equal(sample(text, 'haproxy_server_status{proxy="be",server="s2",state="DRAIN"}'), '1');
    assert.equal(sample(text, 'haproxy_server_status{proxy="be",server="s2",state="UP"}'), '0');
    assert.equal(sample(text, 'haproxy_server_status{proxy="be",server="s3",state="MAINT"}'), '1');
    assert.equal(sample(text, 'haproxy_server_weight{proxy="be",server="s2"}'), '0', 'a draining server weighs 0');
  });

  it('gives check metrics to checked servers only, NaN where HAProxy has no value', () => {
    assert.equal(sample(text, 'haproxy_server_check_status{proxy="be",server="s1",state="L4OK"}'), '1');
    assert.equal(sample(text, 'haproxy_server_check_status{proxy="be",server="s2",state="L4OK"}'), undefined);
    assert.equal(sample(text, 'haproxy_server_check_failures_total{proxy="be",server="s2"}'), 'NaN');
    assert.equal(sample(text, 'haproxy_server_downtime_seconds_total{proxy="be",server="s1"}'), '4');
    assert.equal(sample(text, 'haproxy_server_limit_sessions{proxy="be",server="s1"}'), 'NaN');
  });

  it('reports the counters of the snapshot under their promex names', () => {
    assert.equal(sample(text, 'haproxy_frontend_sessions_total{proxy="fe"}'), '9');
    assert.equal(sample(text, 'haproxy_frontend_connections_total{proxy="fe"}'), '11');
    assert.equal(sample(text, 'haproxy_frontend_request_errors_total{proxy="fe"}'), '2');
    assert.equal(sample(text, 'haproxy_backend_active_servers{proxy="be"}'), '1');
    assert.equal(sample(text, 'haproxy_backend_agg_server_status{proxy="be",state="DRAIN"}'), '1');
    assert.equal(sample(text, 'haproxy_server_last_session_seconds{proxy="be",server="s1"}'), '2');
    assert.equal(sample(text, 'haproxy_process_uptime_seconds'), '3600');
  });

  it("adds truehop's PROXY-protocol metrics per frontend", () => {
    assert.equal(sample(text, 'truehop_proxy_protocol_headers_total{proxy="fe",version="2"}'), '6');
    assert.equal(sample(text, 'truehop_proxy_protocol_rejections_total{proxy="fe",reason="PRX_NOT_HDR"}'), '2');
    assert.equal(sample(text, 'truehop_proxy_protocol_rejections_total{proxy="fe",reason="PRX_TIMEOUT"}'), '0');
    assert.equal(sample(text, 'truehop_proxy_protocol_tlvs_total{proxy="fe",type="0xea"}'), '1');
    assert.equal(sample(text, 'truehop_proxy_protocol_commands_total{proxy="fe",command="LOCAL"}'), '1');
  });

  it('leaves the HTTP metrics out for TCP proxies and counts them for mode http ones', () => {
    assert.equal(text.includes('haproxy_frontend_http_requests_total'), false);
    const snapshot = statsSnapshot();
    const fe = snapshot.frontends[0]!;
    snapshot.frontends.push({ ...fe, name: 'stats', mode: 'http' });
    const h = new HttpServiceCounters();
    h.requests = 4;
    h.count(200);
    h.count(401);
    const t = renderMetrics(scrapeEnv({ snapshot, http: new Map([['stats', h]]) }));
    assert.equal(sample(t, 'haproxy_frontend_http_requests_total{proxy="stats"}'), '4');
    assert.equal(sample(t, 'haproxy_frontend_http_responses_total{proxy="stats",code="4xx"}'), '1');
  });

  it('escapes label values', () => {
    const snapshot = statsSnapshot();
    snapshot.frontends[0]!.name = 'a"b\\c';
    assert.ok(renderMetrics(scrapeEnv({ snapshot })).includes('haproxy_frontend_sessions_total{proxy="a\\"b\\\\c"} 9'));
  });
});
