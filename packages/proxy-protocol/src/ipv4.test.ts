// IPv4 text: strict dotted quad (§1.1, §1.3) and table-driven formatting.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ProxyProtocolError } from './errors.js';
import { formatIPv4, isIPv4, scanIPv4, scannedIPv4 } from './ipv4.js';

describe('IPv4', () => {
  test('formatIPv4 prints every octet value in every position', () => {
    for (let v = 0; v < 256; v++) {
      const b = Uint8Array.of(v, 255 - v, v, 0);
      assert.equal(formatIPv4(b), `${v}.${255 - v}.${v}.0`);
      assert.equal(formatIPv4(Uint8Array.of(9, 9, 9, 9, v), 1), `9.9.9.${v}`);
    }
  });
  for (const ok of ['0.0.0.0', '255.255.255.255', '192.0.2.1', '10.0.0.10', '1.22.103.250']) {
    test(`accepts ${ok}`, () => assert.equal(isIPv4(ok), true));
  }
  // §1.5: HAProxy accepts several of these; a strict receiver must not (§1.3).
  for (const bad of ['192.0.2.01', '192.0.2.256', '192.0.2', '1.2.3.4.5', '01.2.3.4', '1..2.3', '1.2.3.', '.1.2.3', '1.2.3.4 ', '+1.2.3.4', '1.2.3.-4', '1.2.3.0004', '00.1.2.3', '999.1.1.1', '1.2.3.a', '', '::1', '1,2,3,4']) {
    test(`rejects ${JSON.stringify(bad)}`, () => assert.equal(isIPv4(bad), false));
  }
  test('scanIPv4: prefixes wait (-1), the first impossible byte throws BAD_HDR with its offset', () => {
    const text = Buffer.from('192.168.100.200 ');
    for (let i = 0; i < text.length - 1; i++) assert.equal(scanIPv4(text, 0, i), -1);
    assert.equal(scanIPv4(text, 0, text.length), 15);
    assert.deepEqual([...scannedIPv4], [192, 168, 100, 200]);
    for (const [bad, at] of [['01', 1], ['256', 2], ['1.2.3 ', 5], ['1.a', 2], ['2001:', 3]] as const) {
      assert.throws(() => scanIPv4(Buffer.from(bad), 0, bad.length), (e: unknown) => e instanceof ProxyProtocolError && e.code === 'BAD_HDR' && e.offset === at, bad);
    }
  });
});
