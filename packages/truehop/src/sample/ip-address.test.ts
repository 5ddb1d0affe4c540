import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { embeddedIPv4, formatIPv4, formatIPv6, ipv4Mask, ipv4MaskBits, maskIPv6, parseIPv4, parseIPv6 } from './ip-address.js';

describe('ip-address', () => {
  it('parses dotted quads strictly', () => {
    assert.equal(parseIPv4('192.0.2.1'), 0xc0000201);
    assert.equal(parseIPv4('255.255.255.255'), 0xffffffff);
    for (const bad of ['256.0.0.1', '1.2.3', '01.2.3.4', '1.2.3.4 ', 'a.b.c.d', '']) assert.equal(parseIPv4(bad), undefined, bad);
    assert.equal(formatIPv4(0xc0000201), '192.0.2.1');
  });
  it('parses and prints IPv6 like inet_pton/inet_ntop', () => {
    const cases: [string, string][] = [
      ['2001:db8:0:0:0:0:0:1', '2001:db8::1'],
      ['::', '::'],
      ['::1', '::1'],
      ['2001:db8:0:1:0:0:0:0', '2001:db8:0:1::'],
      ['1:0:0:2:0:0:0:3', '1:0:0:2::3'],
      ['2001:db8:1:1:1:1:1:0', '2001:db8:1:1:1:1:1:0'],
      ['::ffff:10.0.0.1', '::ffff:10.0.0.1'],
      ['::10.0.0.1', '::10.0.0.1'],
      ['FE80::A', 'fe80::a'],
    ];
    for (const [input, want] of cases) {
      const bytes = parseIPv6(input);
      assert.ok(bytes, input);
      assert.equal(formatIPv6(bytes), want, input);
    }
    for (const bad of ['1:2:3', 'fe80::1%eth0', '::1::2', 'g::1', '1.2.3.4']) assert.equal(parseIPv6(bad), undefined, bad);
  });
  it('finds embedded IPv4 (mapped, 6to4) and masks', () => {
    assert.equal(embeddedIPv4(parseIPv6('::ffff:1.2.3.4') as Uint8Array), 0x01020304);
    assert.equal(embeddedIPv4(parseIPv6('2002:0102:0304::') as Uint8Array), 0x01020304);
    assert.equal(embeddedIPv4(parseIPv6('2001:db8::') as Uint8Array), undefined);
    assert.equal(ipv4Mask(24), 0xffffff00);
    assert.equal(ipv4Mask(0), 0);
    assert.equal(ipv4MaskBits(0xffff0000), 16);
    assert.equal(ipv4MaskBits(0xff00ff00), undefined);
    assert.equal(formatIPv6(maskIPv6(parseIPv6('2001:db8:aaaa:bbbb::1') as Uint8Array, 36)), '2001:db8:a000::');
  });
});
