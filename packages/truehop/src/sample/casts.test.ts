import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canCast, castSample, describeCasts, strToInt } from './casts.js';
import type { Sample } from './types.js';

const cast = (s: Sample, to: Parameters<typeof castSample>[1]): Sample | undefined => castSample(s, to);

describe('cast matrix (HAProxy sample_casts)', () => {
  it('bool → int, str, bin', () => {
    assert.deepEqual(cast({ type: 'bool', value: true }, 'int'), { type: 'int', value: 1 });
    assert.deepEqual(cast({ type: 'bool', value: false }, 'str'), { type: 'str', value: '0' });
    assert.deepEqual(cast({ type: 'bool', value: true }, 'bin'), { type: 'bin', value: Buffer.from('0000000000000001', 'hex') });
    assert.equal(canCast('bool', 'ipv4'), false);
  });
  it('int → bool, ipv4, ipv6, str, bin (8 bytes big-endian, signed)', () => {
    assert.deepEqual(cast({ type: 'int', value: 0 }, 'bool'), { type: 'bool', value: false });
    assert.deepEqual(cast({ type: 'int', value: 16909060 }, 'ipv4'), { type: 'ipv4', value: '1.2.3.4' });
    assert.deepEqual(cast({ type: 'int', value: 16909060 }, 'ipv6'), { type: 'ipv6', value: '::ffff:1.2.3.4' });
    assert.deepEqual(cast({ type: 'int', value: -42 }, 'str'), { type: 'str', value: '-42' });
    assert.deepEqual(cast({ type: 'int', value: -1 }, 'bin'), { type: 'bin', value: Buffer.alloc(8, 0xff) });
  });
  it('ipv4 → int, ipv6, str, bin; not bool', () => {
    assert.deepEqual(cast({ type: 'ipv4', value: '1.2.3.4' }, 'int'), { type: 'int', value: 16909060 });
    assert.deepEqual(cast({ type: 'ipv4', value: '10.0.0.1' }, 'ipv6'), { type: 'ipv6', value: '::ffff:10.0.0.1' });
    assert.deepEqual(cast({ type: 'ipv4', value: '10.0.0.1' }, 'bin'), { type: 'bin', value: Buffer.from([10, 0, 0, 1]) });
    assert.equal(canCast('ipv4', 'bool'), false);
  });
  it('ipv6 → ipv4 only when it embeds one (mapped or 6to4)', () => {
    assert.deepEqual(cast({ type: 'ipv6', value: '::ffff:192.0.2.7' }, 'ipv4'), { type: 'ipv4', value: '192.0.2.7' });
    assert.deepEqual(cast({ type: 'ipv6', value: '2002:c000:207::1' }, 'ipv4'), { type: 'ipv4', value: '192.0.2.7' });
    assert.equal(cast({ type: 'ipv6', value: '2001:db8::1' }, 'ipv4'), undefined);
    assert.equal((cast({ type: 'ipv6', value: '2001:db8::1' }, 'bin') as { value: Buffer }).value.length, 16);
    assert.equal(canCast('ipv6', 'int'), false);
  });
  it('str → int reads a leading integer like read_int64; empty does not convert', () => {
    assert.equal(strToInt('12abc'), 12);
    assert.equal(strToInt('abc'), 0);
    assert.equal(strToInt('-5'), -5);
    assert.equal(strToInt(''), undefined);
    assert.deepEqual(cast({ type: 'str', value: '0' }, 'bool'), { type: 'bool', value: false });
    assert.deepEqual(cast({ type: 'str', value: '7' }, 'bool'), { type: 'bool', value: true });
  });
  it('str → ipv4/ipv6 strictly; addr picks the family', () => {
    assert.deepEqual(cast({ type: 'str', value: '10.1.2.3' }, 'addr'), { type: 'ipv4', value: '10.1.2.3' });
    assert.deepEqual(cast({ type: 'str', value: '2001:DB8::1' }, 'addr'), { type: 'ipv6', value: '2001:db8::1' });
    assert.equal(cast({ type: 'str', value: '10.1' }, 'ipv4'), undefined);
    assert.equal(cast({ type: 'str', value: '010.1.2.3' }, 'ipv4'), undefined);
  });
  it('str → bin keeps every byte, NULs included (fc_pp_tlv(…),bytes)', () => {
    assert.deepEqual(cast({ type: 'str', value: '\x01\xc1E\x00!' }, 'bin'), { type: 'bin', value: Buffer.from('01c1450021', 'hex') });
  });
  it('str → bin slices the raw bytes a string was read from, when it has them', () => {
    const raw = Buffer.from('00ff', 'hex');
    const out = cast({ type: 'str', value: '\x00\xff', raw }, 'bin');
    assert.equal(out?.type === 'bin' ? out.value : undefined, raw);
  });
  it('bin → str stops at the first NUL (HAProxy c_bin2str); bin → int is impossible', () => {
    assert.deepEqual(cast({ type: 'bin', value: Buffer.from('610062', 'hex') }, 'str'), { type: 'str', value: 'a' });
    assert.equal(canCast('bin', 'int'), false);
    assert.equal(cast({ type: 'bin', value: Buffer.from('01', 'hex') }, 'int'), undefined);
  });
  it('pseudo types: any accepts everything, addr feeds what ipv4/ipv6 feed', () => {
    assert.equal(canCast('any', 'int'), true);
    assert.equal(canCast('bin', 'any'), true);
    assert.equal(canCast('addr', 'str'), true);
    assert.equal(canCast('addr', 'bool'), false);
    assert.equal(canCast('bool', 'addr'), false);
  });
  it('the table lists exactly the possible casts', () => {
    const pairs = describeCasts().map((c) => `${c.from}>${c.to}`);
    assert.ok(pairs.includes('str>bin'));
    assert.ok(!pairs.includes('bin>int'));
    for (const p of pairs) {
      const [from, to] = p.split('>') as [Sample['type'], Sample['type']];
      assert.equal(canCast(from, to), true, p);
    }
  });
});
