// The valid-config corpus: each fixture under fixtures/valid/ loads without an alert and
// round-trips into the expected model (a JSON projection without positions and closures).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { loadConfig, loadConfigText } from '../../src/config/load-config.js';
import type { LoadResult } from '../../src/config/load-config.js';
import type { BackendModel, FrontendModel, TruehopModel } from '../../src/model/config-model.js';

const DIR = fileURLToPath(new URL('../../../test/config/fixtures/valid/', import.meta.url));

function load(name: string, env: Record<string, string> = {}): LoadResult {
  const r = loadConfig([DIR + name], { env });
  const alerts = r.diagnostics.filter((d) => d.severity === 'alert');
  assert.deepEqual(alerts.map((d) => `${d.code} ${d.pos.line}:${d.pos.col} ${d.message}`), []);
  assert.equal(r.ok, true);
  return r;
}

const json = (v: unknown): unknown => JSON.parse(JSON.stringify(v));

function fe(f: FrontendModel | undefined): unknown {
  assert.ok(f);
  return json({
    mode: f.mode,
    binds: f.binds.map((b) => ({ host: b.host, port: b.port, acceptProxy: b.acceptProxy, name: b.name, v4v6: b.v4v6, v6only: b.v6only })),
    timeouts: f.timeouts,
    maxconn: f.maxconn,
    defaultBackend: f.defaultBackend?.name,
    useBackends: f.useBackends.map((u) => u.backend.name),
    inspectDelayMs: f.tcpRequest.inspectDelayMs,
    logs: f.logs.map((l) => ({ kind: l.kind, address: l.address, port: l.port, facility: l.facility, level: l.level, format: l.format })),
  });
}

function servers(b: BackendModel | undefined): Record<string, unknown> {
  assert.ok(b);
  return Object.fromEntries(b.servers.map((s) => [s.name, json({
    host: s.host, port: s.port, weight: s.weight, backup: s.backup, disabled: s.disabled, maxconn: s.maxconn,
    sendProxy: s.sendProxy, proxyV2Options: [...s.proxyV2Options].sort(), tlv: s.tlvFormats.length, check: s.check,
  })]));
}

const codes = (r: LoadResult): string[] => r.diagnostics.map((d) => `${d.severity} ${d.code} ${d.pos.line}:${d.pos.col}`);
const CHECK_DEFAULTS = { enabled: false, interMs: 2000, fastinterMs: 2000, downinterMs: 2000, rise: 2, fall: 3, sendProxy: false };

test('full.cfg: every supported keyword', () => {
  const r = load('full.cfg');
  // s2 drops v2 for v1 but keeps the crc32c inherited from default-server: worth a warning,
  // pointed at the server (the option is on the default-server line).
  assert.deepEqual(codes(r), ['warning PP2_OPTION_WITHOUT_V2 37:3']);
  const m: TruehopModel = r.model;
  assert.deepEqual(json(m.global), json({
    maxconn: 4000, nbthread: 2, pp2NeverSendLocal: true, hardStopAfterMs: 30_000, statsSockets: [],
    logs: [
      { kind: 'stdout', facility: 'local0', format: 'raw', level: 'info', pos: { file: DIR + 'full.cfg', line: 5, col: 3 } },
      { kind: 'udp', address: '127.0.0.1', port: 5514, facility: 'local1', pos: { file: DIR + 'full.cfg', line: 6, col: 3 } },
    ],
  }));
  const timeouts = { connect: 5000, client: 30_000, server: 30_000, clientHs: 2000, check: 1000, tunnel: 3_600_000, clientFin: 1000, serverFin: 1000, queue: 10_000 };
  assert.deepEqual(fe(m.frontends.get('fe_main')), {
    mode: 'tcp',
    binds: [
      { host: '127.0.0.1', port: 8080, acceptProxy: true, name: 'main', v4v6: false, v6only: false },
      { host: '::1', port: 8081, acceptProxy: false, v4v6: false, v6only: true },
    ],
    timeouts, maxconn: 1000, defaultBackend: 'be_app', useBackends: [], inspectDelayMs: 5000,
    logs: [{ kind: 'stdout', facility: 'local0', level: 'info', format: 'raw' }, { kind: 'udp', address: '127.0.0.1', port: 5514, facility: 'local1' }],
  });
  assert.equal(m.frontends.get('fe_main')?.logFormat, undefined, 'tcplog is written by the data path');
  const be = m.backends.get('be_app');
  assert.equal(be?.balance, 'leastconn');
  assert.equal(be?.retries, 2);
  assert.equal(be?.redispatch, true);
  assert.deepEqual(json(be?.timeouts), timeouts);
  assert.deepEqual(be?.checkKind, { kind: 'tcp' });
  assert.deepEqual(servers(be), {
    s1: { host: '10.0.0.1', port: 80, weight: 10, backup: false, disabled: false, sendProxy: 'v2', proxyV2Options: ['crc32c'], tlv: 0,
      check: { ...CHECK_DEFAULTS, enabled: true, interMs: 3000, fastinterMs: 3000, downinterMs: 3000, fall: 5, sendProxy: true } },
    s2: { host: '10.0.0.2', port: 80, weight: 1, backup: true, disabled: false, maxconn: 50, sendProxy: 'v1', proxyV2Options: ['crc32c'], tlv: 0,
      check: { ...CHECK_DEFAULTS, enabled: true, interMs: 3000, fastinterMs: 3000, downinterMs: 3000, fall: 5, sendProxy: true } },
    s3: { host: 'localhost', port: 8443, weight: 1, backup: false, disabled: true, sendProxy: 'v2', proxyV2Options: ['crc32c'], tlv: 0,
      check: { enabled: true, interMs: 3000, fastinterMs: 500, downinterMs: 10_000, rise: 3, fall: 5, port: 9000, sendProxy: true } },
  });
});

test('the model is frozen, maps and sets included', () => {
  const m = load('full.cfg').model;
  assert.ok(Object.isFrozen(m) && Object.isFrozen(m.global) && Object.isFrozen(m.global.logs));
  const f = m.frontends.get('fe_main')!;
  assert.ok(Object.isFrozen(f) && Object.isFrozen(f.binds) && Object.isFrozen(f.binds[0]) && Object.isFrozen(f.timeouts));
  const s = m.backends.get('be_app')!.servers[0]!;
  assert.ok(Object.isFrozen(s) && Object.isFrozen(s.check));
  assert.throws(() => (m.frontends as Map<string, FrontendModel>).set('x', f), TypeError);
  assert.throws(() => (m.backends as Map<string, BackendModel>).delete('be_app'), TypeError);
  assert.throws(() => (s.proxyV2Options as Set<string>).add('ssl'), TypeError);
  assert.equal(m.frontends.size, 1);
});

test('listen.cfg: a listen is a frontend and a backend of the same name', () => {
  const m = load('listen.cfg').model;
  assert.deepEqual([...m.frontends.keys()], ['li', 'li2']);
  assert.deepEqual([...m.backends.keys()], ['li', 'li2', 'be']);
  assert.equal(m.frontends.get('li')?.defaultBackend, m.backends.get('li'), 'a listen is its own backend: the same object');
  assert.equal(m.frontends.get('li2')?.defaultBackend, m.backends.get('be'));
  assert.equal(m.backends.get('li')?.balance, 'source');
  assert.deepEqual(m.frontends.get('li2')?.binds.map((b) => [b.host, b.port]), [['', 9100]]);
  assert.deepEqual(Object.keys(servers(m.backends.get('li2'))), ['b']);
});

test('defaults-inheritance.cfg: last defaults, from <name>, a later defaults resets', () => {
  const r = load('defaults-inheritance.cfg');
  const m = r.model;
  const last = m.backends.get('be_last_defaults')!;
  assert.deepEqual(json(last.timeouts), { connect: 1000, client: 20_000, server: 3000 });
  assert.equal(last.retries, 5);
  assert.equal(last.balance, 'first');
  assert.equal(last.servers[0]?.sendProxy, 'v1');
  const base = m.backends.get('be_from_base')!;
  assert.deepEqual(json(base.timeouts), { connect: 1000, client: 2000, server: 3000 });
  assert.equal(base.retries, 3);
  const reset = m.backends.get('be_reset')!;
  assert.deepEqual(json(reset.timeouts), { connect: 9000 });
  assert.equal(reset.balance, 'roundrobin');
  assert.equal(reset.servers[0]?.sendProxy, 'none');
  // Only the reset backend lacks timeouts.
  assert.deepEqual(codes(r).filter((c) => c.includes('MISSING_TIMEOUTS')), ['warning MISSING_TIMEOUTS 22:1']);
});

test('default-server-order.cfg: servers copy the default-server as it is when they are declared', () => {
  const s = servers(load('default-server-order.cfg').model.backends.get('be')) as Record<string, { sendProxy: string; weight: number; check: { enabled: boolean } }>;
  assert.deepEqual([s.before?.sendProxy, s.before?.weight, s.before?.check.enabled], ['none', 1, false]);
  assert.deepEqual([s.after?.sendProxy, s.after?.weight, s.after?.check.enabled], ['v2', 7, true]);
  assert.deepEqual([s.undo?.sendProxy, s.undo?.weight, s.undo?.check.enabled], ['none', 1, false]);
});

test('send-proxy-semantics.cfg: v2 wins, -ssl/-ssl-cn and their no- forms, check inheritance', () => {
  const r = load('send-proxy-semantics.cfg');
  const s = servers(r.model.backends.get('be')) as Record<string, { sendProxy: string; proxyV2Options: string[]; check: { sendProxy: boolean; port?: number; addr?: string } }>;
  assert.deepEqual([s.both?.sendProxy, s.both?.check.sendProxy], ['v2', true]);
  assert.deepEqual([s.ssl_cn?.sendProxy, s.ssl_cn?.proxyV2Options], ['v2', ['cert-cn', 'ssl']]);
  assert.deepEqual([s.ssl_cleared?.sendProxy, s.ssl_cleared?.proxyV2Options], ['none', ['cert-cn']]);
  assert.deepEqual([s.cn_cleared?.sendProxy, s.cn_cleared?.proxyV2Options], ['none', []]);
  assert.deepEqual(s.opts?.proxyV2Options, ['authority', 'cert-key', 'ssl', 'unique-id']);
  assert.deepEqual([s.chk_addr?.check.sendProxy, s.chk_addr?.check.addr], [true, '127.0.0.9']);
  assert.deepEqual([s.chk_only?.sendProxy, s.chk_only?.check.sendProxy], ['none', true]);
  assert.deepEqual([s.chk_undo?.check.sendProxy, s.chk_undo?.check.port], [false, 99]);
  // cert-cn left over without v2 on ssl_cleared is worth a warning; chk_undo loses its header.
  assert.deepEqual(codes(r).filter((c) => !c.includes('MISSING_TIMEOUTS') && !c.includes('NO_LISTENER')), [
    'warning PP2_OPTION_WITHOUT_V2 5:34',
    'warning CHECK_WITHOUT_PROXY 10:3',
  ]);
});

test('bind-forms.cfg: every address form', () => {
  const m = load('bind-forms.cfg').model;
  const binds = m.frontends.get('fe')!.binds.map((b) => [b.host, b.port, b.acceptProxy, b.name ?? null, b.v4v6, b.v6only]);
  assert.deepEqual(binds, [
    ['', 80, false, null, false, false],
    ['', 81, false, null, false, false],
    ['', 82, false, null, false, false],
    ['::', 83, false, null, true, false],
    ['::', 84, false, null, false, false],
    ['::1', 85, false, null, false, true],
    ['127.0.0.1', 86, true, 'pair', false, false],
    ['127.0.0.2', 87, true, 'pair', false, false],
    ['::', 88, false, null, false, false],
    ['127.0.0.3', 89, false, null, false, false],
  ]);
  const withEnv = loadConfig([DIR + 'bind-forms.cfg'], { env: { TRUEHOP_TEST_HOST: '::1' } });
  assert.deepEqual(withEnv.model.frontends.get('fe')!.binds.at(-1)?.host, '::1');
});

test('conditional.cfg: .if/.elif/.else', () => {
  assert.equal(load('conditional.cfg').model.global.maxconn, 33);
  assert.equal(load('conditional.cfg', { TRUEHOP_TEST_FLAG: '1' }).model.global.maxconn, 11);
});

test('several files are read in order; defaults carry over to the next file', () => {
  const r = loadConfig([DIR + 'defaults-inheritance.cfg', DIR + 'default-server-order.cfg'], { env: {} });
  assert.equal(r.ok, true);
  // default-server-order.cfg declares no defaults: the last one of the first file applies.
  assert.deepEqual(json(r.model.backends.get('be')?.timeouts), { connect: 9000 });
  const files = [...new Set(r.diagnostics.map((d) => d.pos.file))];
  assert.deepEqual(files, [DIR + 'defaults-inheritance.cfg', DIR + 'default-server-order.cfg']);
});

test('a directory loads its *.cfg files in lexical order', () => {
  const r = loadConfig([DIR], { env: {} });
  // listen.cfg and full.cfg both define proxies; the directory as a whole is one config.
  assert.ok(r.model.frontends.has('fe_main') && r.model.frontends.has('li'));
});

test('health-checks.cfg: option httpchk (inherited, uri form, reset by defaults), http-check expect, tcp-check steps', () => {
  const r = load('health-checks.cfg');
  assert.deepEqual(codes(r), ['warning NO_LISTENER 1:1']);
  const m = r.model;
  assert.deepEqual(m.backends.get('be_http')?.checkKind, { kind: 'httpchk', method: 'GET', uri: '/health', version: 'HTTP/1.1', expectStatus: '200-299' });
  assert.deepEqual(m.backends.get('be_uri')?.checkKind, { kind: 'httpchk', method: 'OPTIONS', uri: '/ping', version: 'HTTP/1.0', expectStatus: '200-299' });
  assert.deepEqual(m.backends.get('be_plain')?.checkKind, { kind: 'tcp' });
  const tcp = m.backends.get('be_tcp')?.checkKind;
  assert.ok(tcp?.kind === 'tcp-check');
  assert.deepEqual(tcp.steps, [
    { kind: 'connect', port: 6379, sendProxy: true },
    { kind: 'send', data: Buffer.from('PING\r\n') },
    { kind: 'send', data: Buffer.from([0x0d, 0x0a]) },
    { kind: 'expect-string', text: '+PONG', negate: false },
    { kind: 'expect-rstring', pattern: /^-ERR/, negate: true },
  ]);
});

test('rules.cfg: ACLs, conditions, tcp-request rules, log formats and TLV formats reach the model compiled', () => {
  const r = load('rules.cfg');
  assert.deepEqual(codes(r), ['warning EMPTY_TLV_FMT 20:149']);
  const fe = r.model.frontends.get('fe')!;
  assert.deepEqual(fe.useBackends.map((u) => [u.backend.name, u.pos.line]), [['be_azure', 12], ['be_lb', 13], ['be_other', 14]]);
  // Resolved at load time: the rules hold the backends of the model, not names to look up.
  for (const u of fe.useBackends) assert.equal(u.backend, r.model.backends.get(u.backend.name));
  assert.equal(fe.useBackends[2]?.condition.source, '');
  assert.equal(fe.tcpRequest.connection.length, 1);
  assert.equal(fe.tcpRequest.content.length, 1);
  assert.equal(fe.logFormat?.source, '%ci:%cp %[var(sess.link),hex]');
  assert.equal(fe.uniqueIdFormat?.source, '%{+X}o %ci:%cp');
  assert.equal(fe.defaultBackend, r.model.backends.get('be_lb'));
  const s = r.model.backends.get('be_azure')!.servers[0]!;
  assert.deepEqual(s.tlvFormats.map((t) => [t.type, t.format.source]), [[0xee, '%[fc_pp_tlv(0xEE)]'], [225, '%[src] x'], [0o341, '']]);
});

test('compat-global.cfg: a distribution-style global section loads, with warnings naming what is not applied', () => {
  const r = load('compat-global.cfg');
  const notApplied = r.diagnostics.filter((d) => d.code === 'PARSED_NOT_APPLIED').map((d) => d.pos.line);
  // Lines 9 and 10 (stats socket, stats timeout) are applied: the runtime API serves them;
  // ca-base, crt-base and ssl-default-bind-* (lines 14-17) are applied to ssl binds.
  assert.deepEqual(notApplied, [8, 11, 12, 13, 23, 27]);
  assert.equal(r.diagnostics.some((d) => d.pos.line >= 14 && d.pos.line <= 17), false);
  assert.deepEqual(r.model.global.logs.map((l) => [l.kind, l.address ?? null, l.port ?? null, l.facility, l.level ?? null]), [
    ['stdout', null, null, 'local0', null],
    ['udp', '127.0.0.1', 514, 'local1', 'notice'],
  ]);
  assert.deepEqual(r.model.global.statsSockets.map((s) => [s.path, s.mode, s.level]), [['/run/haproxy/admin.sock', 0o660, 'admin']]);
  assert.equal(r.model.global.statsTimeoutMs, 30_000);
  const fe = r.model.frontends.get('app')!;
  assert.equal(fe.logs.length, 2, 'log global in defaults reaches the listen');
  assert.deepEqual(fe.timeouts, { connect: 5000, client: 50_000, server: 50_000 });
});

test('pattern-file.cfg: -f pattern files are read relative to the config file; expect-proxy reaches the model', () => {
  const r = load('pattern-file.cfg');
  assert.deepEqual(codes(r), []);
  const rules = r.model.frontends.get('fe')!.tcpRequest.connection;
  assert.equal(rules.length, 1);
  assert.equal(rules[0]?.expectsProxy, true);
});

test('tcp-request: the keyword checks the rule-set word (one alert, at the word); the rule compiler gets only connection/session/content', () => {
  const rule = (line: string): LoadResult => loadConfigText([{ file: 'r.cfg', text: [
    'defaults', '  mode tcp', '  timeout connect 1s', '  timeout client 1s', '  timeout server 1s',
    'frontend fe', '  bind 127.0.0.1:61992', `  tcp-request ${line}`, '  default_backend be',
    'backend be', '  server s1 127.0.0.1:61993', ''].join('\n') }], { env: {} });
  const misspelt = rule('conection accept');
  assert.deepEqual(codes(misspelt), ['alert UNKNOWN_KEYWORD 8:15']);
  assert.match(misspelt.diagnostics[0]?.message ?? '', /rule set 'conection'.*did you mean 'connection'/);
  assert.deepEqual(codes(rule('request accept')), ['alert UNKNOWN_KEYWORD 8:15']);
  // An action missing after a valid set is the rule compiler's alert, still at the set word.
  assert.deepEqual(codes(rule('session')), ['alert BAD_ACTION 8:15']);
  const ok = rule('content reject if { src 10.0.0.1 }');
  assert.deepEqual(codes(ok), []);
  assert.deepEqual(ok.model?.frontends.get('fe')?.tcpRequest.content.map((r) => [r.phase, r.source]), [['content', 'tcp-request content reject if { src 10.0.0.1 }']]);
});

test('tcp-request inspect-delay: HAProxy time values become the frontend setting; bad ones are alerts at the value', () => {
  const delay = (value: string): { ms: number | undefined; codes: string[] } => {
    const r = loadConfigText([{ file: 'd.cfg', text: [
      'defaults', '  mode tcp', '  timeout connect 1s', '  timeout client 1s', '  timeout server 1s',
      'frontend fe', '  bind 127.0.0.1:61992', `  tcp-request inspect-delay ${value}`, '  default_backend be',
      'backend be', '  server s1 127.0.0.1:61993', ''].join('\n') }], { env: {} });
    return { ms: r.model?.frontends.get('fe')?.tcpRequest.inspectDelayMs, codes: codes(r) };
  };
  assert.deepEqual(delay('5s'), { ms: 5000, codes: [] });
  assert.deepEqual(delay('250'), { ms: 250, codes: [] });
  assert.deepEqual(delay('2m'), { ms: 120000, codes: [] });
  assert.deepEqual(delay('1500us'), { ms: 2, codes: [] });
  assert.deepEqual(delay('5x').codes, ['alert BAD_TIME 8:29']);
  assert.deepEqual(delay('99999999d').codes, ['alert BAD_TIME 8:29']);
  assert.deepEqual(delay('').codes, ['alert MISSING_ARGUMENT 8:15']);
});
