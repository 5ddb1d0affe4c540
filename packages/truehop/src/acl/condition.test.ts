import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tlv } from '@truehop/proxy-protocol';
import type { Phase, SessionContext } from '../model/session.js';
import { createCompileEnv, words } from '../../test/support/compile-env-fixture.js';
import type { CollectingEnv } from '../../test/support/compile-env-fixture.js';
import { v2Header } from '../../test/support/header-fixture.js';
import { createSessionContext } from '../../test/support/session-fixture.js';
import { defineAcl } from './acl.js';
import { compileCondition } from './condition.js';

function envWith(phase: Phase = 'content'): CollectingEnv {
  const env = createCompileEnv(phase);
  for (const line of ['yes always_true', 'no always_false', 'azure fc_pp_tlv(0xEE) -m found', 'local src 127.0.0.0/8']) {
    const a = defineAcl(words(line), env);
    assert.ok(a);
    env.acls.set(a.name, a);
  }
  return env;
}

function cond(text: string, ctx: SessionContext = createSessionContext(), env = envWith()): boolean {
  const c = compileCondition(words(text), env);
  assert.ok(c, `${text}: ${JSON.stringify(env.diagnostics.items)}`);
  return c.test(ctx);
}

function codes(text: string, env = envWith()): string[] {
  compileCondition(words(text), env);
  return env.diagnostics.items.map((d) => `${d.severity}:${d.code}`);
}

describe('conditions', () => {
  it('if / unless', () => {
    assert.equal(cond('if yes'), true);
    assert.equal(cond('unless yes'), false);
    assert.equal(cond('unless no'), true);
  });
  it('implicit AND, || and or, ! and !name', () => {
    assert.equal(cond('if yes no'), false);
    assert.equal(cond('if yes yes'), true);
    assert.equal(cond('if no || yes'), true);
    assert.equal(cond('if no or no'), false);
    assert.equal(cond('if ! no'), true);
    assert.equal(cond('if !no yes'), true);
    assert.equal(cond('if yes !yes || !no'), true);
    assert.equal(cond('unless no || no'), true);
  });
  it('anonymous ACLs in braces, mixed with named ones', () => {
    const ctx = createSessionContext({ proxyHeader: v2Header([tlv(0xee, Buffer.from('01c1450021', 'hex'))]) });
    assert.equal(cond('if { fc_pp_tlv(0xEE),bytes(0,1) -m bin 01 } yes', ctx), true);
    assert.equal(cond('if { fc_pp_tlv(0xEE),bytes(0,1) -m bin 02 } || no', ctx), false);
    assert.equal(cond('if ! { src 10.0.0.0/8 }', ctx), true);
    assert.equal(cond('if azure', ctx), true);
  });
  it('predefined TRUE, FALSE, LOCALHOST', () => {
    assert.equal(cond('if TRUE'), true);
    assert.equal(cond('if FALSE'), false);
    assert.equal(cond('if LOCALHOST'), true, 'the default fixture peer is 127.0.0.1');
  });
  it('unknown ACLs: alert with a hint', () => {
    assert.deepEqual(codes('if nope'), ['alert:UNKNOWN_ACL']);
    const typo = envWith();
    compileCondition(words('if azrue'), typo);
    assert.match(typo.diagnostics.items[0]?.message ?? '', /did you mean 'azure'/);
    const env = envWith();
    compileCondition(words('if fc_rcvd_proxy'), env);
    assert.match(env.diagnostics.items[0]?.message ?? '', /\{ fc_rcvd_proxy \}/);
    const env2 = envWith();
    compileCondition(words('if HTTP'), env2);
    assert.match(env2.diagnostics.items[0]?.message ?? '', /predefined/);
  });
  it('phase: ACLs and anonymous ACLs needing the PROXY header are refused in tcp-request connection', () => {
    const env = envWith('connection');
    assert.deepEqual(codes('if azure', env), ['alert:ACL_NOT_AVAILABLE']);
    assert.deepEqual(codes('if { fc_pp_tlv(0xEE) -m found }', envWith('connection')), ['alert:FETCH_NOT_AVAILABLE']);
    assert.deepEqual(codes('if local', envWith('connection')), []);
    const c = compileCondition(words('if azure'), envWith('session'));
    assert.equal(c?.earliestPhase, 'session');
  });
  it('syntax errors', () => {
    assert.deepEqual(codes('if'), ['alert:BAD_CONDITION']);
    assert.deepEqual(codes('when yes'), ['alert:BAD_CONDITION']);
    assert.deepEqual(codes('if || yes'), ['alert:BAD_CONDITION']);
    assert.deepEqual(codes('if yes !'), ['warning:CONDITION_TRAILING_OPERATOR']);
    assert.deepEqual(codes('if no ||'), ['warning:CONDITION_TRAILING_OPERATOR']);
    assert.equal(cond('if no ||'), false, 'the trailing || is ignored, as HAProxy does');
    assert.equal(cond('if yes !'), true);
    assert.deepEqual(codes('if { src 1.2.3.4'), ['alert:BAD_CONDITION']);
    assert.deepEqual(codes('if { }'), ['alert:BAD_CONDITION']);
    assert.deepEqual(codes('if yes }'), ['alert:BAD_CONDITION']);
  });
});
