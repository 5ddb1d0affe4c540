import assert from 'node:assert/strict';
import { BlockList } from 'node:net';
import { describe, it } from 'node:test';
import { isProxyServerError } from './errors.js';
import { compileTrustedSources, parseCidr } from './trusted-sources.js';

describe('compileTrustedSources', () => {
  it('matches IPv4 and IPv6 CIDR blocks and single addresses', () => {
    const check = compileTrustedSources(['10.0.0.0/8', '192.0.2.7', 'fd00::/8', '::1']);
    assert.equal(check('10.255.1.2'), true);
    assert.equal(check('11.0.0.1'), false);
    assert.equal(check('192.0.2.7'), true);
    assert.equal(check('192.0.2.8'), false);
    assert.equal(check('fd12:3456::1'), true);
    assert.equal(check('fe80::1'), false);
    assert.equal(check('::1'), true);
    assert.equal(check('::2'), false);
  });

  it('matches an IPv4-mapped IPv6 peer (dual-stack listener) against an IPv4 block', () => {
    const check = compileTrustedSources(['127.0.0.0/8']);
    assert.equal(check('::ffff:127.0.0.1'), true);
    assert.equal(check('::ffff:128.0.0.1'), false);
    // and a plain IPv4 peer against a mapped IPv6 block
    assert.equal(compileTrustedSources(['::ffff:10.0.0.0/104'])('10.1.2.3'), true);
  });

  it('fails closed for a peer without an IP address (UNIX socket) or garbage', () => {
    const check = compileTrustedSources(['0.0.0.0/0', '::/0']);
    assert.equal(check(undefined), false);
    assert.equal(check('not-an-ip'), false);
    assert.equal(check('1.2.3.4'), true);
  });

  it('accepts a ready net.BlockList and a predicate', () => {
    const list = new BlockList();
    list.addRange('192.0.2.10', '192.0.2.20', 'ipv4');
    assert.equal(compileTrustedSources(list)('192.0.2.15'), true);
    assert.equal(compileTrustedSources(list)('192.0.2.21'), false);
    const seen: [string, string][] = [];
    const check = compileTrustedSources((address, family) => {
      seen.push([address, family]);
      return address === '::1';
    });
    assert.equal(check('::1'), true);
    assert.equal(check('127.0.0.1'), false);
    assert.equal(check(undefined), false);
    assert.deepEqual(seen, [['::1', 'IPv6'], ['127.0.0.1', 'IPv4']]);
  });

  it('rejects bad entries at compile time with INVALID_OPTION, naming the entry', () => {
    for (const bad of ['10.0.0.0/33', '::/129', 'example.com', '10.0.0.0/', '10.0.0.0/-1', '1.2.3.4/8x', '']) {
      assert.throws(() => compileTrustedSources([bad]), (error: unknown) => {
        assert.ok(isProxyServerError(error));
        assert.equal(error.code, 'INVALID_OPTION');
        assert.ok(error.message.includes(`"${bad}"`), error.message);
        return true;
      });
    }
    assert.throws(() => compileTrustedSources([42 as unknown as string]), { code: 'INVALID_OPTION' });
    assert.throws(() => compileTrustedSources('10.0.0.0/8' as unknown as string[]), { code: 'INVALID_OPTION' });
  });

  it('says what is wrong with a bad entry: the address, a missing or non-numeric prefix, or its range', () => {
    const reasons: Array<[string, RegExp]> = [
      ['127.0.0.1/8x', /the prefix length "8x" is not a number/],
      ['10.0.0.0/-1', /the prefix length "-1" is not a number/],
      ['10.0.0.0/', /no prefix length after "\/"/],
      ['10.0.0.0/33', /the prefix length 33 is outside 0–32 \(IPv4\)/],
      ['::/129', /the prefix length 129 is outside 0–128 \(IPv6\)/],
      ['10.0.0.0/0008', /the prefix length 0008 is outside 0–32/],
      ['10.0.0.300/8', /"10\.0\.0\.300" is not an IPv4 or IPv6 address/],
      ['example.com', /"example\.com" is not an IPv4 or IPv6 address/],
      ['/8', /no address before "\/"/],
      ['', /empty entry/],
    ];
    for (const [bad, reason] of reasons) {
      assert.throws(() => parseCidr(bad), (error: unknown) => {
        assert.ok(isProxyServerError(error));
        assert.equal(error.code, 'INVALID_OPTION');
        assert.match(error.message, reason);
        return true;
      }, bad);
    }
  });

  it('an empty list is refused at compile time (it would trust nobody and refuse everything)', () => {
    assert.throws(() => compileTrustedSources([]), (error: unknown) => {
      assert.ok(isProxyServerError(error));
      assert.equal(error.code, 'INVALID_OPTION');
      assert.match(error.message, /empty list/);
      return true;
    });
  });

  it('parseCidr returns the prefix and family', () => {
    assert.deepEqual(parseCidr('10.0.0.0/8'), { address: '10.0.0.0', prefix: 8, type: 'ipv4' });
    assert.deepEqual(parseCidr('::1'), { address: '::1', prefix: undefined, type: 'ipv6' });
    assert.deepEqual(parseCidr('2001:db8::/32'), { address: '2001:db8::', prefix: 32, type: 'ipv6' });
  });
});

describe('compiled check memo', () => {
  it('gives the same answers on repeat and past the memo size (cleared, never wrong)', async () => {
    const { TRUST_CACHE_ENTRIES } = await import('./trusted-sources.js');
    const check = compileTrustedSources(['10.0.0.0/16']);
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < TRUST_CACHE_ENTRIES + 10; i++) {
        const address = `10.${(i >> 8) & 0xff}.${i & 0xff}.1`;
        assert.equal(check(address), ((i >> 8) & 0xff) === 0, address);
      }
    }
  });

  it('a caller-supplied BlockList is asked every time (it may change)', () => {
    const list = new BlockList();
    const check = compileTrustedSources(list);
    assert.equal(check('192.0.2.1'), false);
    list.addAddress('192.0.2.1');
    assert.equal(check('192.0.2.1'), true);
  });
});
