// ACL lines: every match method, operator and flag; the default method from the output type;
// config diagnostics for misuse.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tlv } from '@truehop/proxy-protocol';
import type { SessionContext } from '../model/session.js';
import type { NamedAcl } from '../sample/compile-env.js';
import { createCompileEnv, words } from '../../test/support/compile-env-fixture.js';
import type { CollectingEnv } from '../../test/support/compile-env-fixture.js';
import { v2Header } from '../../test/support/header-fixture.js';
import { createSessionContext } from '../../test/support/session-fixture.js';
import { defineAcl } from './acl.js';

function acl(line: string, env: CollectingEnv = createCompileEnv('content')): NamedAcl {
  const defined = defineAcl(words(line), env);
  assert.ok(defined, `${line}: ${JSON.stringify(env.diagnostics.items)}`);
  return defined;
}

function test(line: string, ctx: SessionContext): boolean {
  return acl(line).test(ctx);
}

function codes(line: string, env: CollectingEnv = createCompileEnv('content')): string[] {
  defineAcl(words(line), env);
  return env.diagnostics.items.map((d) => `${d.severity}:${d.code}`);
}

const ctx = (): SessionContext => {
  const c = createSessionContext({ proxyHeader: v2Header([tlv(0xee, Buffer.from('01c1450021', 'hex')), tlv(0x02, 'www.Example.com')]) });
  (c.vars ??= new Map()).set('sess.n', { type: 'int', value: 42 });
  return c;
};

describe('ACL match methods', () => {
  it('str (default for strings): exact and case-sensitive; -i folds ASCII case', () => {
    assert.equal(test('a fc_pp_authority www.Example.com', ctx()), true);
    assert.equal(test('a fc_pp_authority www.example.com', ctx()), false);
    assert.equal(test('a fc_pp_authority -i WWW.EXAMPLE.COM', ctx()), true);
    assert.equal(test('a fc_pp_authority other www.Example.com', ctx()), true, 'any pattern');
    assert.equal(test('a fc_pp_authority www.Example', ctx()), false, 'not a prefix match');
  });
  it('beg, end, sub, dir, dom', () => {
    assert.equal(test('a fc_pp_authority -m beg www.', ctx()), true);
    assert.equal(test('a fc_pp_authority -m end .com', ctx()), true);
    assert.equal(test('a fc_pp_authority -m sub Example', ctx()), true);
    assert.equal(test('a fc_pp_authority -m sub -i EXAMPLE', ctx()), true);
    assert.equal(test('a fc_pp_authority -m sub nope', ctx()), false);
    assert.equal(test('a fc_pp_authority -m dom Example', ctx()), true);
    assert.equal(test('a fc_pp_authority -m dom xample', ctx()), false);
    assert.equal(test('a str(/a/b/c) -m dir b', ctx()), true);
    assert.equal(test('a str(/a/bb/c) -m dir b', ctx()), false);
  });
  it('reg: regular expressions, -i', () => {
    assert.equal(test('a fc_pp_authority -m reg ^www\\.[a-z]+\\.com$', ctx()), false);
    assert.equal(test('a fc_pp_authority -m reg -i ^www\\.[a-z]+\\.com$', ctx()), true);
  });
  it('bin: hex patterns compared with raw bytes, NULs included', () => {
    assert.equal(test('a fc_pp_tlv(0xEE),bytes(0,1) -m bin 01', ctx()), true);
    assert.equal(test('a fc_pp_tlv(0xEE),bytes(1) -m bin c1450021', ctx()), true);
    assert.equal(test('a fc_pp_tlv(0xEE),bytes(1) -m bin C1450021', ctx()), true);
    assert.equal(test('a fc_pp_tlv(0xEE) -m bin 01c1450021', ctx()), true, 'string sample cast to bin keeps the NUL');
    assert.equal(test('a fc_pp_tlv(0xEE),bytes(0,1) -m bin 02', ctx()), false);
  });
  it('int (default for integers): values, ranges, operators eq ge gt le lt', () => {
    const c = ctx();
    assert.equal(test('a var(sess.n) -m int 42', c), true);
    assert.equal(test('a src_port 51000', c), true);
    assert.equal(test('a src_port 1:1024', c), false);
    assert.equal(test('a src_port 50000:', c), true);
    assert.equal(test('a src_port :51000', c), true);
    assert.equal(test('a src_port eq 51000', c), true);
    assert.equal(test('a src_port ge 51000', c), true);
    assert.equal(test('a src_port gt 51000', c), false);
    assert.equal(test('a src_port le 51000', c), true);
    assert.equal(test('a src_port lt 51000', c), false);
    assert.equal(test('a fc_pp_tlv(0xEE),bytes(0,1),hex -m int eq 1', c), true, 'the intent-revealing form of §4.13');
  });
  it('len: sample length with integer patterns and operators', () => {
    assert.equal(test('a fc_pp_tlv(0xEE) -m len 5', ctx()), true);
    assert.equal(test('a fc_pp_tlv(0xEE) -m len gt 5', ctx()), false);
    assert.equal(test('a fc_pp_authority -m len 10:20', ctx()), true);
  });
  it('ip (default for addresses): single, CIDR, dotted mask, IPv6, mapped forms', () => {
    const c = ctx();
    assert.equal(test('a src 192.0.2.1', c), true);
    assert.equal(test('a src 192.0.2.0/24', c), true);
    assert.equal(test('a src 192.0.2.0/255.255.255.0', c), true);
    assert.equal(test('a src 10.0.0.0/8 2001:db8::/32', c), false);
    assert.equal(test('a src ::ffff:192.0.2.0/120', c), true, 'IPv4 sample against an IPv4-mapped IPv6 network');
    assert.equal(test('a ipv6(::ffff:10.1.2.3) 10.0.0.0/8', c), true, 'mapped IPv6 sample against an IPv4 network');
    assert.equal(test('a ipv6(2001:db8::7) 2001:db8::/64', c), true);
    assert.equal(test('a fc_pp_authority -m ip 10.0.0.0/8', c), false, 'a string that is not an address does not match');
    assert.equal(test('a str(10.1.1.1) -m ip 10.0.0.0/8', c), true);
  });
  it('found and bool (default for booleans)', () => {
    assert.equal(test('a fc_pp_tlv(0xEE) -m found', ctx()), true);
    assert.equal(test('a fc_pp_tlv(0xEA) -m found', ctx()), false);
    assert.equal(test('a fc_rcvd_proxy', ctx()), true);
    assert.equal(test('a always_false', ctx()), false);
    assert.equal(test('a var(sess.n) -m bool', ctx()), true);
  });
  it('-f: patterns from a file (comments, blank lines, leading blanks)', () => {
    const env = createCompileEnv('content');
    env.files.set('hosts.lst', '# comment\n\n  www.Example.com\r\nother.example\n');
    assert.equal(acl('a fc_pp_authority -f hosts.lst', env).test(ctx()), true);
    const env2 = createCompileEnv('content');
    assert.deepEqual(codes('a fc_pp_authority -f missing.lst', env2), ['alert:FILE_UNREADABLE']);
  });
  it('-- ends flags so a pattern may start with a dash; -n is accepted', () => {
    assert.equal(test('a int(-5) -n -- -5', ctx()), true);
    assert.deepEqual(codes('a int(-5) -5'), ['alert:BAD_ACL']);
  });
  it('a second line with the same name ORs with the first', () => {
    const env = createCompileEnv('content');
    const first = defineAcl(words('a src 10.0.0.0/8'), env);
    assert.ok(first);
    assert.equal(first.test(ctx()), false);
    const second = defineAcl(words('a fc_pp_tlv(0xEE) -m found'), env, first);
    assert.ok(second);
    assert.equal(second.test(ctx()), true);
    assert.equal(second.earliestPhase, 'session');
  });
  it('multi-valued fc_pp_tlv: the ACL matches if any occurrence does', () => {
    const c = createSessionContext({ proxyHeader: v2Header([tlv(0xee, '\x02x'), tlv(0xee, '\x03y'), tlv(0xee, '\x01z')]) });
    assert.equal(test('a fc_pp_tlv(0xEE),bytes(0,1),hex 01', c), true);
    assert.equal(test('a fc_pp_tlv(0xEE),bytes(0,1),hex 04', c), false);
  });
});

describe('ACL diagnostics', () => {
  it("`hex eq 01`: 'eq' stays a string pattern (HAProxy semantics) and a warning explains it", () => {
    const env = createCompileEnv('content');
    const a = defineAcl(words('a fc_pp_tlv(0xEE),bytes(0,1),hex eq 01'), env);
    assert.ok(a);
    assert.deepEqual(env.diagnostics.items.map((d) => d.code), ['ACL_OPERATOR_AS_PATTERN']);
    assert.equal(env.diagnostics.items[0]?.severity, 'warning');
    assert.match(env.diagnostics.items[0]?.message ?? '', /not an operator/);
    assert.equal(a.test(ctx()), true);
    // Proof that 'eq' is a pattern: the string "eq" itself matches (§4.13 [OBS]).
    assert.equal(test('a str(eq) eq 01', ctx()), true);
  });
  it('binary output without -m is an alert', () => {
    assert.deepEqual(codes('a fc_pp_tlv(0xEE),bytes(0,1) 01'), ['alert:ACL_MATCH_METHOD_REQUIRED']);
    assert.deepEqual(codes('a var(sess.x) foo'), ['alert:ACL_MATCH_METHOD_REQUIRED']);
  });
  it('lower-case hex against the upper-case hex converter warns', () => {
    assert.deepEqual(codes('a fc_pp_tlv(0xEE),bytes(1),hex 0a000000'), ['warning:ACL_HEX_CASE']);
    assert.deepEqual(codes('a fc_pp_tlv(0xEE),bytes(1),hex -i 0a000000'), []);
  });
  it('bad patterns, flags, methods', () => {
    assert.deepEqual(codes('a src 10.0.0.300'), ['alert:BAD_PATTERN']);
    assert.deepEqual(codes('a src www.example.com'), ['alert:BAD_PATTERN']);
    assert.deepEqual(codes('a src_port abc'), ['alert:BAD_PATTERN']);
    assert.deepEqual(codes('a src_port 5:x'), ['alert:BAD_PATTERN']);
    assert.deepEqual(codes('a fc_pp_tlv(1) -m bin 0'), ['alert:BAD_PATTERN']);
    assert.deepEqual(codes('a fc_pp_tlv(1) -m reg (['), ['alert:BAD_PATTERN']);
    assert.deepEqual(codes('a fc_pp_tlv(1) -m foo x'), ['alert:BAD_ACL']);
    assert.deepEqual(codes('a fc_pp_tlv(1) -x y'), ['alert:BAD_ACL']);
    assert.deepEqual(codes('a src_port gt'), ['alert:BAD_ACL']);
    assert.deepEqual(codes('a'), ['alert:BAD_ACL']);
    assert.deepEqual(codes('a! src 1.2.3.4'), ['alert:BAD_ACL']);
    assert.deepEqual(codes('a fc_pp_tlv(1)'), ['warning:ACL_NO_PATTERN']);
    assert.deepEqual(codes('a fc_rcvd_proxy 1'), ['warning:ACL_PATTERN_IGNORED']);
  });
  it('named ACLs are not phase-checked at definition (only where used)', () => {
    assert.deepEqual(codes('a fc_pp_tlv(1) -m found', createCompileEnv('connection')), []);
  });
});
