// Configuration fidelity, as an operator meets it with a real HAProxy configuration: every
// keyword, option, fetch and converter of HAProxy 2.6–3.x that truehop does not implement is
// named as "not supported yet" — one alert at the word, with no follow-on alerts — and never
// called unknown with a misleading "did you mean".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfigText } from '../../src/config/load-config.js';
import type { LoadResult } from '../../src/config/load-config.js';
import {
  HAPROXY_BIND_OPTIONS,
  HAPROXY_CONVERTERS,
  HAPROXY_FETCHES,
  HAPROXY_GLOBAL_KEYWORDS,
  HAPROXY_PROXY_KEYWORDS,
  HAPROXY_SERVER_OPTIONS,
} from '../../src/text/haproxy-names.js';

const HEAD = ['defaults', '  timeout client 5s', '  timeout server 5s', '  timeout connect 5s'];

function load(lines: readonly string[]): LoadResult {
  return loadConfigText([{ file: 'op.cfg', text: [...HEAD, ...lines, ''].join('\n') }], { env: {} });
}

/** `severity CODE line:col` of every diagnostic, lines counted in `lines` (after HEAD). */
function diags(r: LoadResult): string[] {
  return r.diagnostics.map((d) => `${d.severity} ${d.code} ${d.pos.line - HEAD.length}:${d.pos.col}`);
}

test('HAProxy fetches truehop lacks are "not supported yet", once, and the ACL still counts as declared', () => {
  const r = load([
    'frontend fe',
    '  bind 127.0.0.1:61080',
    '  acl is_a path_beg /a',
    '  acl is_h hdr(host) -i example.com',
    '  acl is_sni req.ssl_alpn -i h2',
    '  use_backend be if is_a || is_h || is_sni',
    '  default_backend be',
    'backend be',
    '  server s 127.0.0.1:61081',
  ]);
  assert.deepEqual(diags(r), [
    'alert NOT_SUPPORTED_YET 3:12',
    'alert NOT_SUPPORTED_YET 4:12',
    'alert NOT_SUPPORTED_YET 5:14',
  ]);
  assert.doesNotMatch(r.diagnostics.map((d) => d.message).join('\n'), /did you mean|no such ACL/);
});

test('converters, actions and log-format fetches truehop lacks are "not supported yet" too', () => {
  const r = load([
    'frontend fe',
    '  bind 127.0.0.1:61080',
    '  log-format "%[src,url_dec] %[req.hdr(host)]"',
    '  tcp-request content track-sc0 src',
    '  default_backend be',
    'backend be',
    '  server s 127.0.0.1:61081',
  ]);
  assert.deepEqual(diags(r), ['alert NOT_SUPPORTED_YET 3:20', 'alert NOT_SUPPORTED_YET 3:31', 'alert NOT_SUPPORTED_YET 4:23']);
});

test("'mode http' is one alert (not silently forwarded as TCP), reported once even from defaults", () => {
  const r = loadConfigText([{ file: 'op.cfg', text: [
    'defaults', '  mode http', '  option httplog', '  timeout client 5s', '  timeout server 5s', '  timeout connect 5s',
    'frontend a', '  bind 127.0.0.1:61080', '  default_backend be',
    'frontend b', '  bind 127.0.0.1:61082', '  default_backend be',
    'backend be', '  server s 127.0.0.1:61081', '',
  ].join('\n') }], { env: {} });
  const got = r.diagnostics.map((d) => `${d.severity} ${d.code} ${d.pos.line}:${d.pos.col}`);
  // The httplog warning comes from the defaults line: once, not once per frontend.
  assert.deepEqual(got, ['alert NOT_SUPPORTED_YET 2:8', 'warning HTTPLOG_IN_TCP_MODE 3:3']);
  assert.match(r.diagnostics[1]?.message ?? '', /this defaults section/);
  assert.equal(r.ok, false);
});

test('a log format inherited from defaults with a problem is reported once, at the defaults line', () => {
  const r = loadConfigText([{ file: 'op.cfg', text: [
    'defaults', '  log-format "%[nope]"', '  timeout client 5s', '  timeout server 5s', '  timeout connect 5s',
    'frontend a', '  bind 127.0.0.1:61080', '  default_backend be',
    'frontend b', '  bind 127.0.0.1:61082', '  default_backend be',
    'backend be', '  server s 127.0.0.1:61081', '',
  ].join('\n') }], { env: {} });
  assert.deepEqual(r.diagnostics.map((d) => `${d.code} ${d.pos.line}:${d.pos.col}`), ['UNKNOWN_FETCH 2:16']);
});

test('every HAProxy proxy and global keyword is known: none is reported as unknown', () => {
  for (const name of HAPROXY_PROXY_KEYWORDS) {
    const r = load(['listen l', '  bind 127.0.0.1:61080', `  ${name} x`, '  server s 127.0.0.1:61081']);
    const unknown = r.diagnostics.filter((d) => d.code === 'UNKNOWN_KEYWORD' && d.pos.col === 3);
    assert.deepEqual(unknown.map((d) => d.message), [], name);
  }
  for (const name of HAPROXY_GLOBAL_KEYWORDS) {
    const r = loadConfigText([{ file: 'g.cfg', text: `global\n  ${name} x\n` }], { env: {} });
    assert.deepEqual(r.diagnostics.filter((d) => d.code === 'UNKNOWN_KEYWORD').map((d) => d.message), [], name);
  }
});

test('every HAProxy bind and server option is known: supported, or one "not supported yet" alert', () => {
  for (const name of HAPROXY_BIND_OPTIONS) {
    const r = load(['frontend f', `  bind 127.0.0.1:61080 ${name}`, '  default_backend be', 'backend be', '  server s 127.0.0.1:61081']);
    assert.ok(!r.diagnostics.some((d) => d.code === 'UNKNOWN_KEYWORD'), name);
  }
  for (const name of HAPROXY_SERVER_OPTIONS) {
    const r = load(['backend be', `  server s 127.0.0.1:61081 ${name}`]);
    assert.ok(!r.diagnostics.some((d) => d.code === 'UNKNOWN_KEYWORD'), name);
  }
});

test('every HAProxy fetch and converter is known: never UNKNOWN_FETCH or UNKNOWN_CONVERTER', () => {
  const lines: string[] = ['frontend f', '  bind 127.0.0.1:61080', '  default_backend be'];
  HAPROXY_FETCHES.forEach((name, i) => lines.push(`  acl f${i} ${name} x`));
  HAPROXY_CONVERTERS.forEach((name, i) => lines.push(`  acl c${i} src,${name} x`));
  lines.push('backend be', '  server s 127.0.0.1:61081');
  const r = load(lines);
  const unknown = r.diagnostics.filter((d) => d.code === 'UNKNOWN_FETCH' || d.code === 'UNKNOWN_CONVERTER');
  assert.deepEqual(unknown.map((d) => d.message), []);
});

test('a misspelt name still gets "did you mean", in one wording', () => {
  const r = load(['frontend f', '  bind 127.0.0.1:61080', '  acl a fc_pp_tvl(0xEE) -m found', '  defualt_backend be', 'backend be', '  server s 127.0.0.1:61081']);
  assert.deepEqual(r.diagnostics.map((d) => [d.code, /\(did you mean '[^']+'\?\)/.exec(d.message)?.[0]]), [
    ['UNKNOWN_FETCH', "(did you mean 'fc_pp_tlv'?)"],
    ['UNKNOWN_KEYWORD', "(did you mean 'default_backend'?)"],
  ]);
});

test('a family truehop lacks is named with its member: one alert per line', () => {
  // (`stats uri` itself is supported since the stats page exists: `stats scope` is not.)
  const r = load(['listen l', '  bind 127.0.0.1:61080', '  stats scope be', '  capture request header Host len 32', '  server s 127.0.0.1:61081']);
  assert.deepEqual(r.diagnostics.map((d) => `${d.code} ${/'([^']+)'/.exec(d.message)?.[1]}`), ['NOT_SUPPORTED_YET stats scope', 'NOT_SUPPORTED_YET capture']);
});
