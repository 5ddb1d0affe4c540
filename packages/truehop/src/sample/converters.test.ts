// One test (at least) per converter, on binary values with NUL bytes where it matters.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tlv } from '@truehop/proxy-protocol';
import { createCompileEnv, word } from '../../test/support/compile-env-fixture.js';
import { compileExpression } from './expression.js';
import { v2Header } from '../../test/support/header-fixture.js';
import { createSessionContext } from '../../test/support/session-fixture.js';
import type { SessionContext } from '../model/session.js';
import type { Sample } from './types.js';

const AZURE = Buffer.from('01c1450021', 'hex');

function run(text: string, ctx: SessionContext = createSessionContext({ proxyHeader: v2Header([tlv(0xee, AZURE)]) })): Sample | undefined {
  const env = createCompileEnv('content');
  const expr = compileExpression(word(text), env, { checkPhase: true });
  assert.ok(expr, `${text}: ${JSON.stringify(env.diagnostics.items)}`);
  return expr.evaluate(ctx);
}

const bin = (hex: string): Sample => ({ type: 'bin', value: Buffer.from(hex, 'hex') });
const str = (value: string): Sample => ({ type: 'str', value });
const int = (value: number): Sample => ({ type: 'int', value });

describe('converters', () => {
  it('bytes: offset/length slices, NULs kept, bounds as HAProxy', () => {
    assert.deepEqual(run('fc_pp_tlv(0xEE),bytes(1)'), bin('c1450021'));
    assert.deepEqual(run('fc_pp_tlv(0xEE),bytes(0,1)'), bin('01'));
    assert.deepEqual(run('fc_pp_tlv(0xEE),bytes(1,4)'), bin('c1450021'));
    assert.deepEqual(run('fc_pp_tlv(0xEE),bytes(0,30)'), bin('01c1450021'), 'length past the end → the rest');
    assert.deepEqual(run('fc_pp_tlv(0xEE),bytes(9)'), bin(''), 'offset past the end → empty');
  });
  it('bytes: offset and length from variables; negative or unset → no sample', () => {
    const ctx = createSessionContext({ proxyHeader: v2Header([tlv(0xee, AZURE)]) });
    (ctx.vars ??= new Map()).set('sess.off', int(3));
    (ctx.vars ??= new Map()).set('sess.len', str('1'));
    (ctx.vars ??= new Map()).set('sess.neg', int(-1));
    assert.deepEqual(run('fc_pp_tlv(0xEE),bytes(sess.off,sess.len)', ctx), bin('00'));
    assert.equal(run('fc_pp_tlv(0xEE),bytes(sess.neg)', ctx), undefined);
    assert.equal(run('fc_pp_tlv(0xEE),bytes(sess.unset)', ctx), undefined);
  });
  it('hex: upper case, no separators; a string input is cast to binary', () => {
    assert.deepEqual(run('fc_pp_tlv(0xEE),hex'), str('01C1450021'));
    assert.deepEqual(run('str(ab),hex'), str('6162'));
  });
  it('hex2bin: pairs of hex digits, fails otherwise', () => {
    assert.deepEqual(run('str(00fF10),hex2bin'), bin('00ff10'));
    assert.equal(run('str(abc),hex2bin'), undefined);
    assert.equal(run('str(zz),hex2bin'), undefined);
  });
  it('lower/upper: ASCII only', () => {
    assert.deepEqual(run('str(AbC-é),lower'), str('abc-\xc3\xa9'));
    assert.deepEqual(run('str(aBc),upper'), str('ABC'));
  });
  it('length counts bytes, NULs included', () => {
    assert.deepEqual(run('fc_pp_tlv(0xEE),length'), int(5));
    assert.deepEqual(run('str(é),length'), int(2));
  });
  it('le2dec/be2dec: chunks, separator, truncation, 8-byte chunks beyond 2^53', () => {
    assert.deepEqual(run('fc_pp_tlv(0xEE),bytes(1,4),le2dec(,4)'), str('553665985'));
    assert.deepEqual(run('bin(0a000000),le2dec(,4)'), str('10'));
    assert.deepEqual(run('bin(0102030405),be2dec(-,2)'), str('258-772-5'));
    assert.deepEqual(run('bin(0102030405),be2dec(-,2,1)'), str('258-772'));
    // HAProxy reg-tests/converter/le2dec.vtc
    assert.deepEqual(run('str(0123456789),le2dec(-,3)'), str('3289392-3486771-3684150-57'));
    assert.deepEqual(run('str(0123456789),le2dec(::,3,1)'), str('3289392::3486771::3684150'));
    assert.deepEqual(run('bin(009b34d70a003c64),be2dec(,8)'), str('43686719580552292'));
    assert.deepEqual(run('bin(ffffffffffffffff),le2dec(,8)'), str('18446744073709551615'));
  });
  it('ipmask: dotted or CIDR v4 masks; v6 needs mask6', () => {
    assert.deepEqual(run('src,ipmask(24)'), { type: 'ipv4', value: '192.0.2.0' });
    assert.deepEqual(run('src,ipmask(255.255.0.0)'), { type: 'ipv4', value: '192.0.0.0' });
    assert.deepEqual(run('ipv6(2001:db8:1:2::5),ipmask(24,48)'), { type: 'ipv6', value: '2001:db8:1::' });
    assert.equal(run('ipv6(2001:db8::5),ipmask(24)'), undefined);
  });
  it('str() is the empty string, as in HAProxy', () => {
    assert.deepEqual(run('str(),length'), int(0));
  });
  it('crc32c: the §3.3 check value, optional avalanche', () => {
    assert.deepEqual(run('str(123456789),crc32c'), int(3808858755));
    const aval = run('str(123456789),crc32c(1)');
    assert.equal(aval?.type, 'int');
    assert.notEqual((aval as { value: number }).value, 3808858755);
    assert.deepEqual(aval, int(1236241323), 'value observed from HAProxy 2.6 (haproxy-runtime-differential.test.ts)');
  });
  it('base64 / b64dec round trip binary; b64dec rejects garbage', () => {
    assert.deepEqual(run('fc_pp_tlv(0xEE),base64'), str('AcFFACE='));
    assert.deepEqual(run('str(AcFFACE=),b64dec'), bin('01c1450021'));
    assert.equal(run('str(AcF!ACE=),b64dec'), undefined);
    assert.equal(run('str(AcFFAC),b64dec'), undefined);
  });
  it('field: index from either end, count, empty fields kept', () => {
    const f = (args: string): Sample | undefined => run(`str(f1_f2_f3__f5),field(${args})`);
    assert.deepEqual(f('4,_'), str(''));
    assert.deepEqual(f('5,_'), str('f5'));
    assert.deepEqual(f('2,_,0'), str('f2_f3__f5'));
    assert.deepEqual(f('2,_,2'), str('f2_f3'));
    assert.deepEqual(f('-2,_,3'), str('f2_f3_'));
    assert.deepEqual(f('-3,_,0'), str('f1_f2_f3'));
    assert.equal(f('9,_'), undefined, 'out of range: no sample (HAProxy field.vtc: -m found is false)');
    assert.equal(f('-9,_'), undefined);
    assert.deepEqual(run('str(a:b/c),field(2,:/)'), str('b'));
  });
  it('word: runs of delimiters are one', () => {
    const w = (args: string): Sample | undefined => run(`str(f1_f2_f3__f5),word(${args})`);
    assert.deepEqual(w('4,_'), str('f5'));
    assert.deepEqual(w('2,_,0'), str('f2_f3__f5'));
    assert.deepEqual(w('-2,_,3'), str('f1_f2_f3'));
    assert.deepEqual(w('-3,_,0'), str('f1_f2'));
    assert.deepEqual(run('str(w1_w2_w3___w4),word(3,_,2)'), str('w3___w4'));
    assert.deepEqual(run('str(/foo//bar/baz),word(2,/)'), str('bar'));
    assert.equal(run('str(/foo),word(2,/)'), undefined);
  });
  it('concat: start, variable, end', () => {
    const ctx = createSessionContext();
    (ctx.vars ??= new Map()).set('sess.x', int(42));
    assert.deepEqual(run('str(a),concat(<,sess.x,>)', ctx), str('a<42>'));
    assert.deepEqual(run('str(a),concat(-,sess.none,-)', ctx), str('a--'));
    assert.deepEqual(run('str(a),concat(,,!)', ctx), str('a!'));
  });
  it('arithmetic with constants and variables, HAProxy edge cases', () => {
    const ctx = createSessionContext();
    (ctx.vars ??= new Map()).set('txn.n', int(5));
    assert.deepEqual(run('int(7),add(3)', ctx), int(10));
    assert.deepEqual(run('int(7),sub(txn.n)', ctx), int(2));
    assert.deepEqual(run('int(7),mul(-3)', ctx), int(-21));
    assert.deepEqual(run('int(-7),div(2)', ctx), int(-3));
    assert.deepEqual(run('int(7),div(0)', ctx), int(Number.MAX_SAFE_INTEGER));
    assert.deepEqual(run('int(-7),mod(3)', ctx), int(-1));
    assert.deepEqual(run('int(7),mod(0)', ctx), int(0));
    assert.deepEqual(run('int(12),and(10)', ctx), int(8));
    assert.deepEqual(run('int(12),or(3)', ctx), int(15));
    assert.deepEqual(run('int(12),xor(10)', ctx), int(6));
    assert.deepEqual(run('int(4294967296),or(1)', ctx), int(4294967297));
    assert.deepEqual(run('int(9007199254740991),add(10)', ctx), int(Number.MAX_SAFE_INTEGER), 'saturates');
    assert.equal(run('int(1),add(txn.unset)', ctx), undefined);
    assert.deepEqual(run('int(5),neg', ctx), int(-5));
    assert.deepEqual(run('int(5),cpl', ctx), int(-6));
  });
  it('not / bool / odd / even on integers', () => {
    assert.deepEqual(run('int(0),not'), { type: 'bool', value: true });
    assert.deepEqual(run('int(3),not'), { type: 'bool', value: false });
    assert.deepEqual(run('int(3),bool'), { type: 'bool', value: true });
    assert.deepEqual(run('str(0),bool'), { type: 'bool', value: false });
    assert.deepEqual(run('int(3),odd'), { type: 'bool', value: true });
    assert.deepEqual(run('int(-3),odd'), { type: 'bool', value: true });
    assert.deepEqual(run('int(2),odd'), { type: 'bool', value: false });
    assert.deepEqual(run('int(2),even'), { type: 'bool', value: true });
    assert.deepEqual(run('int(3),even'), { type: 'bool', value: false });
  });
  it('json: escapes, ascii vs utf8 input codes', () => {
    assert.deepEqual(run('str(a\\"b\\\\c/d),json'), str('a\\"b\\\\c\\/d'));
    // HAProxy json.vtc (its `str(-\xE0-)` is the raw byte 0xE0, written here as binary).
    assert.deepEqual(run('bin(2de02d),json(utf8s)'), str('--'));
    assert.equal(run('bin(e0),json(utf8)'), undefined);
    assert.deepEqual(run('fc_pp_tlv(0xEE),json'), str('\\u0001\\u00c1E\\u0000!'));
    assert.deepEqual(run('str(é),json(utf8)'), str('\\u00e9'));
    assert.equal(run('fc_pp_tlv(0xEE),json(utf8)'), undefined, 'invalid UTF-8 fails in utf8 mode');
    assert.deepEqual(run('fc_pp_tlv(0xEE),json(utf8s)'), str('\\u0001E\\u0000!'), 'utf8s skips the bad byte');
  });
});
