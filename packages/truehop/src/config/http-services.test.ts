// mode http is accepted only for a frontend/listen whose requests all go to the built-in
// services; the stats and use-service keywords compile into the model; everything else
// HTTP stays an alert at its line.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfigText } from './load-config.js';
import { createSessionContext } from '../model/session-context.js';

const DEFAULTS = 'defaults\n  timeout connect 1s\n  timeout client 5s\n  timeout server 5s\n';

function load(body: string): ReturnType<typeof loadConfigText> {
  return loadConfigText([{ file: 't.cfg', text: DEFAULTS + body }]);
}
function alerts(r: ReturnType<typeof loadConfigText>): string[] {
  return r.diagnostics.filter((d) => d.severity === 'alert').map((d) => `${d.pos.line}:${d.code}:${d.message}`);
}
const ctx = (path: string | null): ReturnType<typeof createSessionContext> => {
  const c = createSessionContext({
    realClient: { address: '127.0.0.1', port: 1, family: 'IPv4' }, realLocal: { address: '127.0.0.1', port: 2, family: 'IPv4' },
    frontendName: 'stats', procVars: new Map(), acceptedAtMs: 0, phase: 'http-request',
  });
  c.httpPath = path;
  return c;
};

describe('mode http for the stats page and the exporter', () => {
  it('compiles the stats keywords and the exporter rule of a services-only listen', () => {
    const r = load(`listen stats
  mode http
  bind 127.0.0.1:0
  stats enable
  stats uri /stats
  stats refresh 5s
  stats auth admin:s3cr:et
  stats auth ops:pw
  stats realm Ops
  stats hide-version
  stats admin if { src 127.0.0.1 }
  http-request use-service prometheus-exporter if { path /metrics }
`);
    assert.deepEqual(alerts(r), []);
    const fe = r.model.frontends.get('stats');
    const s = fe?.services;
    assert.ok(s?.stats);
    assert.equal(s.stats.uri, '/stats');
    assert.equal(s.stats.refreshMs, 5000);
    assert.equal(s.stats.realm, 'Ops');
    assert.equal(s.stats.hideVersion, true);
    assert.deepEqual(s.stats.users, [{ user: 'admin', password: 's3cr:et' }, { user: 'ops', password: 'pw' }]);
    assert.equal(s.stats.admin?.test(ctx('/stats')), true);
    assert.equal(s.useServices.length, 1);
    assert.equal(s.useServices[0]?.condition.test(ctx('/metrics')), true);
    assert.equal(s.useServices[0]?.condition.test(ctx('/metricsx')), false);
    assert.equal(s.useServices[0]?.condition.test(ctx(null)), false);
  });

  it('gives HAProxy defaults: uri /haproxy?stats, realm HAProxy Statistics, no refresh, no admin', () => {
    const r = load('frontend st\n  mode http\n  bind 127.0.0.1:0\n  stats enable\n');
    assert.deepEqual(alerts(r), []);
    const st = r.model.frontends.get('st')?.services?.stats;
    assert.equal(st?.uri, '/haproxy?stats');
    assert.equal(st?.realm, 'HAProxy Statistics');
    assert.equal(st?.refreshMs, undefined);
    assert.equal(st?.admin, undefined);
  });

  it('refuses mode http anywhere else, at the mode line, saying why', () => {
    const cases: [string, RegExp][] = [
      ['frontend fe\n  mode http\n  bind :0\n  default_backend be\nbackend be\n  server a 127.0.0.1:1\n', /it serves neither the stats page nor the Prometheus exporter, it has a default_backend/],
      ['listen l\n  mode http\n  bind :0\n  stats enable\n  server a 127.0.0.1:1\n', /it has servers/],
      ['backend be\n  mode http\n  server a 127.0.0.1:1\n', /it is a backend/],
    ];
    for (const [body, why] of cases) {
      const a = alerts(load(body));
      assert.ok(a.some((x) => x.startsWith('6:NOT_SUPPORTED_YET') && why.test(x)), `${body}: ${a.join('\n')}`);
    }
  });

  it('reports a mode http inherited from defaults at the defaults line', () => {
    const r = loadConfigText([{ file: 't.cfg', text: 'defaults\n  mode http\n  timeout client 1s\nfrontend fe\n  bind :0\n' }]);
    assert.ok(alerts(r).some((x) => /^2:NOT_SUPPORTED_YET:'mode http' in frontend 'fe' \(mode http from its defaults section\)/.test(x)), alerts(r).join('\n'));
  });

  it('keeps other http-request actions, stats sub-keywords and services as alerts', () => {
    const r = load(`listen stats
  mode http
  bind 127.0.0.1:0
  stats enable
  stats scope be
  http-request deny
  http-request use-service lua.hello
  stats admin
  stats auth nocolon
`);
    const a = alerts(r);
    assert.ok(a.some((x) => x.startsWith("9:NOT_SUPPORTED_YET:'stats scope'")), a.join('\n'));
    assert.ok(a.some((x) => x.startsWith("10:NOT_SUPPORTED_YET:'http-request deny'")), a.join('\n'));
    assert.ok(a.some((x) => x.startsWith('11:BAD_VALUE') && x.includes('lua.hello')), a.join('\n'));
    assert.ok(a.some((x) => x.startsWith('12:MISSING_ARGUMENT')), a.join('\n'));
    assert.ok(a.some((x) => x.startsWith('13:BAD_VALUE')), a.join('\n'));
  });

  it("refuses the path fetch outside http-request rules and warns about stats in mode tcp", () => {
    const r = load('frontend t\n  bind :0\n  stats enable\n  tcp-request content reject if { path /x }\n  default_backend be\nbackend be\n  server a 127.0.0.1:1\n');
    assert.ok(alerts(r).some((x) => x.startsWith('8:FETCH_NOT_AVAILABLE')), alerts(r).join('\n'));
    assert.ok(r.diagnostics.some((d) => d.severity === 'warning' && d.code === 'HTTP_SERVICE_IN_TCP_MODE' && d.pos.line === 7));
  });
});
