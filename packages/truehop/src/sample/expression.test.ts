// Load-time diagnostics for sample expressions: codes and positions, never exceptions.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Phase } from '../model/session.js';
import { createCompileEnv } from '../../test/support/compile-env-fixture.js';
import { compileExpression, compileSampleExpression } from './expression.js';

function diagnose(text: string, phase: Phase = 'content'): { ok: boolean; codes: string[]; messages: string[]; cols: number[] } {
  const env = createCompileEnv(phase);
  const expr = compileSampleExpression({ text, pos: { file: 'x.cfg', line: 3, col: 10 }, quoted: false }, env);
  return {
    ok: expr !== undefined,
    codes: env.diagnostics.items.map((d) => `${d.severity}:${d.code}`),
    messages: env.diagnostics.items.map((d) => d.message),
    cols: env.diagnostics.items.map((d) => d.pos.col),
  };
}

describe('sample expression diagnostics', () => {
  it('accepts the issue examples without any diagnostic', () => {
    for (const text of ['fc_pp_tlv(0xEE),bytes(1)', 'fc_pp_tlv(0xEE),bytes(0,1),hex', 'fc_pp_tlv(0xEA),bytes(1)', 'fc_pp_tlv(0xEE),bytes(1,4),le2dec(,4)']) {
      const d = diagnose(text);
      assert.equal(d.ok, true, text);
      assert.deepEqual(d.codes, [], text);
    }
  });
  it('unknown fetch: alert with did-you-mean', () => {
    const d = diagnose('fc_pp_tvl(0xEE)');
    assert.equal(d.ok, false);
    assert.deepEqual(d.codes, ['alert:UNKNOWN_FETCH']);
    assert.match(d.messages[0] as string, /did you mean 'fc_pp_tlv'/);
    assert.equal(d.cols[0], 10);
  });
  it('unknown converter: alert with did-you-mean and its column', () => {
    const d = diagnose('fc_pp_tlv(0xEE),bytse(1)');
    assert.deepEqual(d.codes, ['alert:UNKNOWN_CONVERTER']);
    assert.match(d.messages[0] as string, /did you mean 'bytes'/);
    assert.equal(d.cols[0], 10 + 'fc_pp_tlv(0xEE),'.length);
  });
  it('a converter used as a fetch (and the reverse) gets a specific hint', () => {
    assert.match(diagnose('hex').messages[0] as string, /is a converter/);
    assert.match(diagnose('src,src_port').messages[0] as string, /is a fetch/);
  });
  it('wrong argument types and counts', () => {
    assert.deepEqual(diagnose('fc_pp_tlv(0xEE),bytes(x)').codes, ['alert:BAD_ARGUMENT']);
    assert.deepEqual(diagnose('fc_pp_tlv(0xEE),bytes(-1)').codes, ['alert:BAD_ARGUMENT']);
    assert.deepEqual(diagnose('fc_pp_tlv(0xEE),bytes(1,2,3)').codes, ['alert:BAD_ARGUMENT']);
    assert.deepEqual(diagnose('fc_pp_tlv(0xEE),bytes(0,0)').codes, ['alert:BAD_ARGUMENT']);
    assert.deepEqual(diagnose('fc_pp_tlv(0xEE),bytes(0,-1)').codes, ['alert:BAD_ARGUMENT']);
    assert.deepEqual(diagnose('fc_pp_tlv(0xEE),bytes').codes, ['alert:BAD_ARGUMENT']);
    assert.deepEqual(diagnose('fc_pp_tlv').codes, ['alert:BAD_ARGUMENT']);
    assert.deepEqual(diagnose('src(1)').codes, ['alert:BAD_ARGUMENT']);
    assert.deepEqual(diagnose('int(abc)').codes, ['alert:BAD_ARGUMENT']);
    assert.deepEqual(diagnose('var(foo)').codes, ['alert:BAD_ARGUMENT']);
    assert.deepEqual(diagnose('int(1),add(sess)').codes, ['alert:BAD_ARGUMENT']);
    assert.deepEqual(diagnose('str(x),le2dec(,9)').codes, ['alert:BAD_ARGUMENT']);
    assert.deepEqual(diagnose('src,ipmask(33)').codes, ['alert:BAD_ARGUMENT']);
  });
  it('fc_pp_tlv ids: CRC32 refused (only CRC32C), out of range, not a number', () => {
    assert.equal(diagnose('fc_pp_tlv(CRC32C)').ok, true);
    const crc = diagnose('fc_pp_tlv(CRC32)');
    assert.deepEqual(crc.codes, ['alert:BAD_ARGUMENT']);
    assert.match(crc.messages[0] as string, /CRC32C/);
    assert.deepEqual(diagnose('fc_pp_tlv(256)').codes, ['alert:BAD_ARGUMENT']);
    assert.deepEqual(diagnose('fc_pp_tlv(E1)').codes, ['alert:BAD_ARGUMENT']);
    assert.deepEqual(diagnose('fc_pp_tlv(08)').codes, ['alert:BAD_ARGUMENT']);
  });
  it('converter type mismatch is an alert', () => {
    const d = diagnose('fc_rcvd_proxy,ipmask(24)');
    assert.deepEqual(d.codes, ['alert:CONVERTER_TYPE']);
    assert.deepEqual(diagnose('fc_pp_tlv(1),bytes(0),lower').codes, [], 'bin → str is a valid cast');
    assert.deepEqual(diagnose('fc_pp_tlv(1),hex,add(1)').codes, [], 'str → int is a valid cast');
    assert.deepEqual(diagnose('bin(00),add(1)').codes, ['alert:CONVERTER_TYPE']);
  });
  it("fc_pp_tlv and other header fetches are refused in 'tcp-request connection'", () => {
    const d = diagnose('fc_pp_tlv(0xEE)', 'connection');
    assert.deepEqual(d.codes, ['alert:FETCH_NOT_AVAILABLE']);
    assert.match(d.messages[0] as string, /tcp-request session/);
    assert.deepEqual(diagnose('fc_rcvd_proxy', 'connection').codes, ['alert:FETCH_NOT_AVAILABLE']);
    assert.deepEqual(diagnose('src', 'connection').codes, []);
    assert.deepEqual(diagnose('fc_pp_tlv(0xEE)', 'session').codes, []);
    assert.deepEqual(diagnose('be_name', 'content').codes, ['alert:FETCH_NOT_AVAILABLE']);
  });
  it('syntax errors', () => {
    assert.deepEqual(diagnose('').codes, ['alert:BAD_EXPRESSION']);
    assert.deepEqual(diagnose('fc_pp_tlv(0xEE').codes, ['alert:BAD_EXPRESSION']);
    assert.deepEqual(diagnose('src hex').codes, ['alert:BAD_EXPRESSION']);
    assert.deepEqual(diagnose('src;hex').codes, ['alert:BAD_EXPRESSION']);
    assert.deepEqual(diagnose('src,').codes, ['warning:SAMPLE_WARNING']);
  });
  it('quotes and backslashes protect commas in arguments', () => {
    const env = createCompileEnv('content');
    const expr = compileExpression({ text: 'str(a),concat("x,y",,\\,)', pos: { file: 'x', line: 1, col: 1 }, quoted: false }, env, { checkPhase: true });
    assert.ok(expr, JSON.stringify(env.diagnostics.items));
  });
  it('reports the static output type (pseudo types included)', () => {
    const env = createCompileEnv('content');
    const w = (text: string): { text: string; pos: { file: string; line: number; col: number }; quoted: boolean } => ({ text, pos: { file: 'x', line: 1, col: 1 }, quoted: false });
    assert.equal(compileExpression(w('fc_pp_tlv(1)'), env, { checkPhase: true })?.staticType, 'str');
    assert.equal(compileExpression(w('fc_pp_tlv(1),bytes(1)'), env, { checkPhase: true })?.staticType, 'bin');
    assert.equal(compileExpression(w('src'), env, { checkPhase: true })?.staticType, 'addr');
    assert.equal(compileExpression(w('var(sess.x)'), env, { checkPhase: true })?.staticType, 'any');
    assert.equal(compileExpression(w('src_port'), env, { checkPhase: true })?.outputType, 'int');
  });
});
