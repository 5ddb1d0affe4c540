// CRC-32C check values (§3.3): the catalogue check, RFC 3720 §B.4, HAProxy's captured headers.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { crc32c } from './crc32c.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

test('check value: crc32c("123456789") = 0xE3069283', () => {
  assert.equal(crc32c(Buffer.from('123456789')), 0xe3069283);
});

test('RFC 3720 §B.4 vectors', () => {
  assert.equal(crc32c(new Uint8Array(32)), 0x8a9136aa);
  assert.equal(crc32c(new Uint8Array(32).fill(0xff)), 0x62a8ab43);
  assert.equal(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i)), 0x46dd794e);
  assert.equal(crc32c(Uint8Array.from({ length: 32 }, (_, i) => 31 - i)), 0x113fdb5c);
});

test('empty input is 0, and results are unsigned', () => {
  assert.equal(crc32c(new Uint8Array(0)), 0);
  assert.ok(crc32c(Buffer.from('123456789')) > 0x7fffffff);
});

test('continuing a previous result equals hashing the concatenation, at every split', () => {
  const data = Buffer.from('The quick brown fox jumps over the lazy dog, 0123456789 times.');
  const whole = crc32c(data);
  for (let cut = 0; cut <= data.length; cut++) {
    assert.equal(crc32c(data.subarray(cut), crc32c(data.subarray(0, cut))), whole, `cut ${cut}`);
  }
});

test('slicing-by-16 equals the bitwise definition on every length 0..100 and every start 0..17', () => {
  const bitwise = (d: Uint8Array): number => {
    let c = 0xffffffff;
    for (const b of d) {
      c ^= b;
      for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    }
    return (c ^ 0xffffffff) >>> 0;
  };
  const data = Uint8Array.from({ length: 120 }, (_, i) => (i * 151 + 7) & 0xff);
  for (let start = 0; start <= 17; start++) {
    for (let n = 0; n <= 100; n++) {
      const part = data.subarray(start, start + n);
      assert.equal(crc32c(part), bitwise(part), `start ${start}, length ${n}`);
    }
  }
});

test('HAProxy headers of digest §2.8 and §3.3 verify: CRC over the header with the value zeroed', () => {
  const headers = [
    ['0d0a0d0a000d0a515549540a 20 00 0007 03 0004', 'a9b87e8f'],
    ['0d0a0d0a000d0a515549540a 21 11 001c 7f000001 7f000001 d200 59e4 e1 0003 666f6f e2 0000 03 0004', 'bb4cc805'],
    ['0d0a0d0a000d0a515549540a 21 11 0021 c0000201 c6336407 c822 01bb 02 000b 6578616d706c652e636f6d 03 0004', '01d916f6'],
  ];
  for (const [head, sum] of headers) {
    assert.equal(crc32c(Buffer.concat([hex(head!), new Uint8Array(4)])).toString(16).padStart(8, '0'), sum);
  }
});
