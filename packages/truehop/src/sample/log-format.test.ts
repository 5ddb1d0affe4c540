import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tlv } from '@truehop/proxy-protocol';
import type { SessionContext } from '../model/session.js';
import { createCompileEnv, word } from '../../test/support/compile-env-fixture.js';
import { v2Header } from '../../test/support/header-fixture.js';
import { compileLogFormat } from './log-format.js';
import type { LogFormatOptions } from './log-format.js';
import { createSessionContext } from '../../test/support/session-fixture.js';

const AZURE = Buffer.from('01c1450021', 'hex');

function render(fmt: string, ctx: SessionContext, options?: LogFormatOptions): Buffer {
  const env = createCompileEnv('backend');
  const compiled = compileLogFormat(word(fmt), env, options);
  assert.ok(compiled, `${fmt}: ${JSON.stringify(env.diagnostics.items)}`);
  return compiled.render(ctx);
}

function codes(fmt: string): string[] {
  const env = createCompileEnv('backend');
  compileLogFormat(word(fmt), env);
  return env.diagnostics.items.map((d) => `${d.severity}:${d.code}`);
}

function session(): SessionContext {
  const ctx = createSessionContext({ proxyHeader: v2Header([tlv(0xee, AZURE)]), frontendName: 'fe' });
  ctx.backendName = 'be';
  ctx.serverName = 'srv1';
  ctx.serverAddress = { address: '10.0.0.5', port: 8080, family: 'IPv4' };
  ctx.backendLocal = { address: '10.0.0.1', port: 40001, family: 'IPv4' };
  ctx.uniqueId = 'abc-1';
  Object.assign(ctx.stats, { queueMs: 0, connectMs: 2, totalMs: 15, bytesToClient: 1234, bytesFromClient: 56, terminationState: '--', retries: 1, activeConns: 9, frontendConns: 8, backendConns: 7, serverConns: 6 });
  return ctx;
}

describe('log-format', () => {
  it('%[fc_pp_tlv(0xEE)] renders all 5 bytes, the NUL included (unlike HAProxy #3489)', () => {
    assert.deepEqual(render('%[fc_pp_tlv(0xEE)]', session()), AZURE);
    assert.deepEqual(render('%[fc_pp_tlv(0xEE),bytes(1)]', session()), Buffer.from('c1450021', 'hex'));
  });
  it('literal text, %% and items mix', () => {
    assert.equal(render('id=%[fc_pp_tlv(0xEE),hex] 100%%', session()).toString(), 'id=01C1450021 100%');
    assert.equal(render('"quoted text" %f', session()).toString(), '"quoted text" fe');
  });
  it('a missing sample renders nothing by default (§4.14), or the configured text', () => {
    assert.deepEqual(render('%[fc_pp_tlv(0xEA)]', session()), Buffer.alloc(0));
    assert.equal(render('[%[fc_pp_tlv(0xEA)]]', session(), { missingSample: '-' }).toString(), '[-]');
  });
  it('aliases', () => {
    const out = render('%ci:%cp %fi:%fp %bi:%bp %si:%sp %f %ft %b %s %Tw/%Tc/%Tt %B %U %ts %ac/%fc/%bc/%sc/%rc %ID', session()).toString();
    assert.equal(out, '192.0.2.1:51000 198.51.100.2:443 10.0.0.1:40001 10.0.0.5:8080 fe fe be srv1 0/2/15 1234 56 -- 9/8/7/6/1 abc-1');
    assert.match(render('%t', session()).toString(), /^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2}\.\d{3}$/);
  });
  it('missing alias values print nothing (HAProxy 2.6), no server prints <NOSRV>', () => {
    const ctx = createSessionContext();
    assert.equal(render('[%si:%sp] [%ID] %s %b', ctx).toString(), '[:] [] <NOSRV> fe_main');
    assert.equal(render('[%{+Q}si] [%{+Q}ID] [%{+X}si]', ctx).toString(), '[""] [""] []');
  });
  it('%{+Q} quotes text, %{+X} hex for addresses and ports, %{+E} escapes', () => {
    const ctx = session();
    assert.equal(render('%{+Q}f %{+Q}cp', ctx).toString(), '"fe" 51000');
    assert.equal(render('%{+X}ci:%{+X}cp', ctx).toString(), 'C0000201:C738');
    (ctx.vars ??= new Map()).set('sess.v', { type: 'str', value: 'a"b]c\\' });
    assert.equal(render('%{+E}[var(sess.v)]', ctx).toString(), 'a\\"b\\]c\\\\');
    assert.equal(render('%{+Q,+E}[var(sess.v)]', ctx).toString(), '"a\\"b\\]c\\\\"');
    assert.equal(render('[%{+Q}[var(sess.none)]]', ctx).toString(), '[]', 'a missing sample stays empty under +Q');
    assert.equal(render('%{+Q}ci %{+Q}cp', ctx).toString(), '"192.0.2.1" 51000', 'addresses are quoted, ports not');
  });
  it('%{…}o sets options for the following items', () => {
    assert.equal(render('%{+Q}o %f %b', session()).toString(), ' "fe" "be"');
  });
  it('diagnostics: unknown alias with did-you-mean, bad expression, unclosed brackets', () => {
    assert.deepEqual(codes('%cx'), ['alert:UNKNOWN_LOG_ALIAS']);
    assert.deepEqual(codes('%[fc_pp_tvl(1)]'), ['alert:UNKNOWN_FETCH']);
    assert.deepEqual(codes('%[src'), ['alert:BAD_LOG_FORMAT']);
    assert.deepEqual(codes('%{+Q'), ['alert:BAD_LOG_FORMAT']);
    assert.deepEqual(codes('50%'), ['alert:BAD_LOG_FORMAT']);
    assert.deepEqual(codes('%{+Z}f'), ['warning:LOG_FORMAT_OPTION_IGNORED']);
  });
  it('the earliest phase follows the items', () => {
    const env = createCompileEnv('backend');
    assert.equal(compileLogFormat(word('%ci'), env)?.earliestPhase, 'connection');
    assert.equal(compileLogFormat(word('%[fc_pp_tlv(1)]'), env)?.earliestPhase, 'session');
    assert.equal(compileLogFormat(word('%s'), env)?.earliestPhase, 'backend');
    assert.deepEqual(compileLogFormat(word(''), env)?.render(createSessionContext()), Buffer.alloc(0));
  });
});
