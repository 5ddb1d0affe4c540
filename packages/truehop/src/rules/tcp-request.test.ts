import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tlv } from '@truehop/proxy-protocol';
import { defineAcl } from '../acl/acl.js';
import type { CompiledTcpRule } from '../sample/compiled.js';
import { compileTcpRuleLine, createCompileEnv, words } from '../../test/support/compile-env-fixture.js';
import type { CollectingEnv } from '../../test/support/compile-env-fixture.js';
import { v2Header } from '../../test/support/header-fixture.js';
import { createSessionContext } from '../../test/support/session-fixture.js';

function compile(line: string, env: CollectingEnv = createCompileEnv('content')): CompiledTcpRule | undefined {
  return compileTcpRuleLine(line, env);
}

function rule(line: string, env: CollectingEnv = createCompileEnv('content')): CompiledTcpRule {
  const d = compile(line, env);
  assert.ok(d !== undefined, `${line}: ${JSON.stringify(env.diagnostics.items)}`);
  return d;
}

function codes(line: string, env: CollectingEnv = createCompileEnv('content')): string[] {
  compile(line, env);
  return env.diagnostics.items.map((d) => `${d.severity}:${d.code}`);
}

describe('tcp-request rules', () => {
  it('accept / reject with and without conditions', () => {
    const ctx = createSessionContext();
    assert.deepEqual(rule('content accept').run(ctx), { verdict: 'accept', matched: true });
    assert.deepEqual(rule('session reject').run(ctx), { verdict: 'reject', matched: true });
    assert.deepEqual(rule('connection reject if { src 10.0.0.0/8 }').run(ctx), { verdict: 'continue', matched: false });
    assert.deepEqual(rule('connection reject unless { src 10.0.0.0/8 }').run(ctx), { verdict: 'reject', matched: true });
  });
  it('the rule keyword sets the phase: src in connection rules is the real peer', () => {
    const ctx = createSessionContext({ proxyHeader: v2Header(), phase: 'content' });
    assert.equal(rule('connection accept if { src 127.0.0.1 }').run(ctx).matched, true);
    assert.equal(ctx.phase, 'connection');
    assert.equal(rule('content accept if { src 192.0.2.1 }').run(ctx).matched, true);
  });
  it('expect-proxy layer4: connection only, flags the rule, verdict continue', () => {
    const r = rule('connection expect-proxy layer4 if { src 127.0.0.0/8 }');
    assert.equal(r.expectsProxy, true);
    assert.deepEqual(r.run(createSessionContext()), { verdict: 'continue', matched: true });
    assert.deepEqual(codes('connection expect-proxy layer7'), ['alert:BAD_ACTION']);
    assert.deepEqual(codes('connection expect-proxy'), ['alert:BAD_ACTION']);
    assert.deepEqual(codes('content expect-proxy layer4'), ['alert:BAD_ACTION']);
  });
  it('set-var / unset-var in every phase and scope; a missing sample leaves the variable alone', () => {
    const ctx = createSessionContext({ proxyHeader: v2Header([tlv(0x02, 'example.com')]) });
    rule('session set-var(sess.host) fc_pp_authority').run(ctx);
    assert.deepEqual((ctx.vars ??= new Map()).get('sess.host'), { type: 'str', value: 'example.com' });
    rule('content set-var(txn.port) src_port').run(ctx);
    assert.deepEqual((ctx.vars ??= new Map()).get('txn.port'), { type: 'int', value: 51000 });
    rule('connection set-var(proc.seen) int(1)').run(ctx);
    assert.deepEqual(ctx.procVars.get('proc.seen'), { type: 'int', value: 1 });
    rule('content set-var(sess.host) fc_pp_tlv(0xEA)').run(ctx);
    assert.deepEqual((ctx.vars ??= new Map()).get('sess.host'), { type: 'str', value: 'example.com' }, 'unchanged');
    rule('content unset-var(sess.host)').run(ctx);
    assert.equal((ctx.vars ??= new Map()).has('sess.host'), false);
    rule('content set-var-fmt(txn.f) %[src]:%[src_port]').run(ctx);
    assert.deepEqual((ctx.vars ??= new Map()).get('txn.f'), { type: 'str', value: '192.0.2.1:51000' });
  });
  it('set-var conditions (HAProxy vars.c): ifexists ifnotexists ifset ifnotset ifempty ifnotempty ifgt iflt', () => {
    const ctx = createSessionContext();
    const set = (line: string): void => {
      rule(`content ${line}`).run(ctx);
    };
    set('set-var(sess.a,ifexists) int(1)');
    assert.equal((ctx.vars ??= new Map()).has('sess.a'), false, 'ifexists: not created');
    set('set-var(sess.a,ifnotexists) int(1)');
    set('set-var(sess.a,ifnotexists) int(2)');
    assert.deepEqual((ctx.vars ??= new Map()).get('sess.a'), { type: 'int', value: 1 }, 'ifnotexists: first one wins');
    set('set-var(sess.a,ifexists,ifset) int(3)');
    assert.deepEqual((ctx.vars ??= new Map()).get('sess.a'), { type: 'int', value: 3 });
    set('set-var(sess.a,ifnotset) int(4)');
    assert.deepEqual((ctx.vars ??= new Map()).get('sess.a'), { type: 'int', value: 3 });
    set('set-var(proc.p,ifexists) int(9)');
    assert.deepEqual(ctx.procVars.get('proc.p'), { type: 'int', value: 9 }, 'proc variables always exist');
    set('set-var(sess.a,ifgt) int(2)');
    assert.deepEqual((ctx.vars ??= new Map()).get('sess.a'), { type: 'int', value: 2 }, 'ifgt: 3 > 2, stored');
    set('set-var(sess.a,ifgt) int(5)');
    assert.deepEqual((ctx.vars ??= new Map()).get('sess.a'), { type: 'int', value: 2 }, 'ifgt: 2 > 5 is false');
    set('set-var(sess.a,iflt) int(5)');
    assert.deepEqual((ctx.vars ??= new Map()).get('sess.a'), { type: 'int', value: 5 });
    set('set-var(sess.e,ifempty) str(x)');
    assert.equal((ctx.vars ??= new Map()).has('sess.e'), false);
    set('set-var(sess.e,ifempty) int(0)');
    assert.equal((ctx.vars ??= new Map()).has('sess.e'), false, 'a scalar is never empty');
    set('set-var-fmt(sess.e,ifempty) %[str(x),bytes(1)]');
    assert.deepEqual((ctx.vars ??= new Map()).get('sess.e'), { type: 'str', value: '' });
    set('set-var(sess.e,ifnotempty) bin(00)');
    assert.deepEqual((ctx.vars ??= new Map()).get('sess.e'), { type: 'bin', value: Buffer.from([0]) });
    set('set-var-fmt(sess.e,ifnotempty) %[str(x),bytes(1)]');
    assert.deepEqual((ctx.vars ??= new Map()).get('sess.e'), { type: 'bin', value: Buffer.from([0]) });
  });
  it('set-var stores a copy of binary values (they may view the socket buffer)', () => {
    const value = Buffer.from('01c1450021', 'hex');
    const header = v2Header([tlv(0xee, value)]);
    const ctx = createSessionContext({ proxyHeader: header });
    rule('content set-var(sess.v) fc_pp_tlv(0xEE),bytes(1)').run(ctx);
    rule('content set-var(sess.s) fc_pp_tlv(0xEE)').run(ctx);
    (header.tlvs[0]?.value as Uint8Array).fill(0);
    assert.deepEqual((ctx.vars ??= new Map()).get('sess.v'), { type: 'bin', value: Buffer.from('c1450021', 'hex') });
    // A string variable keeps only its text, not a view of the header bytes.
    assert.deepEqual((ctx.vars ??= new Map()).get('sess.s'), { type: 'str', value: '\x01\xc1E\x00!' });
  });
  it('variable scope txn/req/res does not exist in connection and session rules: loads (as HAProxy), warns, does nothing', () => {
    assert.deepEqual(codes('connection set-var(txn.x) int(1)'), ['warning:VAR_SCOPE_NOT_AVAILABLE']);
    assert.deepEqual(codes('session unset-var(req.x)'), ['warning:VAR_SCOPE_NOT_AVAILABLE']);
    assert.deepEqual(codes('session set-var(sess.x) int(1)'), []);
    const ctx = createSessionContext();
    assert.deepEqual(rule('connection set-var(txn.x) int(1)').run(ctx), { verdict: 'continue', matched: true });
    assert.equal((ctx.vars ??= new Map()).has('txn.x'), false);
  });
  it('fc_pp_tlv in tcp-request connection is an alert (the header is not read yet)', () => {
    assert.deepEqual(codes('connection set-var(sess.x) fc_pp_tlv(0xEE)'), ['alert:FETCH_NOT_AVAILABLE']);
    assert.deepEqual(codes('connection reject if { fc_pp_tlv(0xEE) -m found }'), ['alert:FETCH_NOT_AVAILABLE']);
    const env = createCompileEnv('content');
    const a = defineAcl(words('azure fc_pp_tlv(0xEE) -m found'), env);
    assert.ok(a);
    env.acls.set('azure', a);
    assert.deepEqual(codes('connection reject if azure', env), ['alert:ACL_NOT_AVAILABLE']);
    assert.deepEqual(codes('session reject if { fc_pp_tlv(0xEE) -m found }'), []);
  });
  it('unknown and unsupported actions are named; bad syntax is reported', () => {
    assert.deepEqual(codes('content acept'), ['alert:UNKNOWN_ACTION']);
    assert.deepEqual(codes('content track-sc0 src'), ['alert:NOT_SUPPORTED_YET']);
    assert.deepEqual(codes('content'), ['alert:BAD_ACTION']);
    assert.deepEqual(codes('content accept now'), ['alert:BAD_ACTION']);
    assert.deepEqual(codes('content accept if'), ['alert:BAD_CONDITION']);
    assert.deepEqual(codes('content set-var sess.x'), ['alert:BAD_ACTION']);
    assert.deepEqual(codes('content set-var(x) int(1)'), ['alert:BAD_ACTION']);
    assert.deepEqual(codes('content set-var(sess.x)'), ['alert:BAD_ACTION']);
    assert.deepEqual(codes('content set-var(sess.x,ifexist) int(1)'), ['alert:BAD_ACTION']);
    assert.deepEqual(codes('content unset-var(sess.x,ifexists)'), ['alert:BAD_ACTION']);
  });
  it('running a rule allocates no result object', () => {
    const r = rule('content reject if { always_false }');
    const ctx = createSessionContext();
    assert.equal(r.run(ctx), r.run(ctx));
  });
});
