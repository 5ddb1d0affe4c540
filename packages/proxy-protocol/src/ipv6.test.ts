// IPv6 text: strict inet_pton grammar in, canonical inet_ntop text out, checked against Node's
// own net.SocketAddress (libuv inet_pton/inet_ntop) over many generated addresses (§1.1, §1.6).
import assert from 'node:assert/strict';
import { SocketAddress } from 'node:net';
import { describe, test } from 'node:test';
import { ProxyProtocolError } from './errors.js';
import { canonicalIPv6, formatIPv6, isIPv6, parseIPv6, scanIPv6 } from './ipv6.js';

/** Node's verdict: the canonical text, or null when libuv refuses the text. */
function nodeCanonical(text: string): string | null {
  try {
    return new SocketAddress({ address: text, family: 'ipv6' }).address;
  } catch {
    return null;
  }
}

/** Deterministic generator so a failure is reproducible. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('IPv6 canonical text (inet_ntop rules, §1.6)', () => {
  const cases: [string, string][] = [
    ['::', '::'],
    ['::1', '::1'],
    ['::1:2', '::0.1.0.2'],
    ['::ffff:c000:201', '::ffff:192.0.2.1'],
    ['::FFFF:192.0.2.1', '::ffff:192.0.2.1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['2001:0DB8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['1:2:3:4:5:6:7::', '1:2:3:4:5:6:7:0'],
    ['1::', '1::'],
    ['1:0:0:2:0:0:0:3', '1:0:0:2::3'],
    ['1:0:0:2:0:0:3:4', '1::2:0:0:3:4'],
    ['0:1:0:1:0:1:0:1', '0:1:0:1:0:1:0:1'],
    ['::0.0.0.1', '::1'],
    ['::1.2.3.4', '::1.2.3.4'],
    ['::ffff:0:0', '::ffff:0.0.0.0'],
    ['0:0:0:0:0:1:0:0', '::1:0:0'],
    ['ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'],
    ['64:ff9b::192.0.2.33', '64:ff9b::c000:221'],
    ['1:2:3:4:5:6:1.2.3.4', '1:2:3:4:5:6:102:304'],
  ];
  for (const [input, canonical] of cases) {
    test(`${input} → ${canonical}`, () => {
      assert.equal(canonicalIPv6(input), canonical);
      assert.equal(nodeCanonical(input), canonical, 'net.SocketAddress agrees');
    });
  }

  test('formatIPv6 equals net.SocketAddress over 20000 random addresses (zero-heavy)', () => {
    const rand = prng(1);
    const bytes = new Uint8Array(16);
    for (let n = 0; n < 20000; n++) {
      for (let g = 0; g < 8; g++) {
        const r = rand();
        // Many zero groups and ffff to exercise '::' placement and the dotted tails.
        const w = r < 0.45 ? 0 : r < 0.5 ? 0xffff : r < 0.6 ? Math.floor(rand() * 16) : Math.floor(rand() * 65536);
        bytes[2 * g] = w >> 8;
        bytes[2 * g + 1] = w & 0xff;
      }
      if (n % 10 === 0) bytes.fill(0, 0, 10); // mapped / compatible forms
      if (n % 20 === 0) bytes.fill(0xff, 10, 12);
      const full = Array.from({ length: 8 }, (_, g) => ((bytes[2 * g]! << 8) | bytes[2 * g + 1]!).toString(16).padStart(4, '0')).join(':');
      const ours = formatIPv6(bytes, 0);
      assert.equal(ours, nodeCanonical(full), full);
      assert.deepEqual(parseIPv6(ours), bytes, `round trip of ${ours}`);
    }
  });
});

describe('IPv6 parsing is inet_pton strict (§1.1, §1.3)', () => {
  const rejected = [
    '', ':', ':::', '1:::2', '2001:db8:::1', '1::2::3', ':1::', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7',
    '12345::1', '1:2:3:4:5:6:7:8::', '::1:2:3:4:5:6:7:8', '1:2:3:4::5:6:7:8', '1:2:3:4:5:6:7:',
    'fe80::1%eth0', '[::1]', 'g::1', '::ffff:192.0.2.01', '::ffff:192.0.2.256', '::ffff:192.0.2',
    '::ffff:1.2.3.4.5', '1.2.3.4', '::1.2.3.4:5', '1:2:3:4:5:6:7:1.2.3.4', '::1.2.3.4.', ' ::1', '::1 ',
    '1::2:3:4:5:6:7:8', '::1.2.3', '::a.b.c.d', '::12.34.56.789', '0x1::',
  ];
  for (const text of rejected) {
    test(`rejects ${JSON.stringify(text)}`, () => {
      assert.equal(isIPv6(text), false);
      assert.throws(() => parseIPv6(text), (e: unknown) => e instanceof ProxyProtocolError && e.code === 'BAD_HDR');
    });
  }
  const accepted = ['::', '::1', '1::', '1:2:3:4:5:6:7::', '::2:3:4:5:6:7:8', '1:2:3:4:5:6::8', 'ABCD::EF', '0000::0000', '::ffff:255.255.255.255', '1:2:3:4:5:6:0.0.0.0', '::0.0.0.0'];
  for (const text of accepted) {
    test(`accepts ${JSON.stringify(text)}`, () => {
      assert.equal(isIPv6(text), true);
      assert.equal(canonicalIPv6(text), nodeCanonical(text));
    });
  }

  test('acceptance equals libuv inet_pton over 30000 generated near-miss texts', () => {
    const rand = prng(7);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
    const groupText = (): string => {
      const len = pick([0, 1, 1, 2, 3, 4, 4, 4, 5]);
      let s = '';
      for (let i = 0; i < len; i++) s += pick([...'0123456789abcdefABCDEF0']);
      return s;
    };
    const octet = (): string => pick(['0', '1', '9', '10', '99', '100', '255', '256', '01', '000', '']);
    for (let n = 0; n < 30000; n++) {
      const count = Math.floor(rand() * 10);
      const parts: string[] = [];
      for (let i = 0; i < count; i++) parts.push(groupText());
      let text = parts.join(':');
      if (rand() < 0.5) {
        const at = Math.floor(rand() * (parts.length + 1));
        text = parts.slice(0, at).join(':') + '::' + parts.slice(at).join(':');
      }
      if (rand() < 0.25) text += (text === '' || text.endsWith(':') ? '' : ':') + [octet(), octet(), octet(), octet()].slice(0, pick([3, 4, 4, 5])).join('.');
      if (rand() < 0.05) text += pick([':', '.', '::', 'x']);
      if (text.includes('%')) continue;
      const node = nodeCanonical(text);
      assert.equal(isIPv6(text), node !== null, JSON.stringify(text));
      if (node !== null) assert.equal(canonicalIPv6(text), node, text);
    }
  });
});

describe('scanIPv6 on a stream: valid prefixes wait, impossible bytes fail at once', () => {
  const bytes = (s: string): Uint8Array => Buffer.from(s, 'latin1');
  test('every proper prefix of a valid address is incomplete (-1)', () => {
    for (const text of ['2001:db8::1', '::ffff:192.0.2.1', '1:2:3:4:5:6:7:8', '::', 'fe80::abcd:1:2:3']) {
      for (let i = 0; i < text.length; i++) assert.equal(scanIPv6(bytes(text), 0, i, false), -1, `${text}[0..${i})`);
      const b = bytes(text + ' ');
      assert.equal(scanIPv6(b, 0, b.length, false), text.length);
    }
  });
  test('fails at the first impossible byte without needing the rest', () => {
    const impossible: [string, number][] = [[':::', 2], ['1::2::', 5], ['12345', 4], ['1:2:3:4:5:6:7:8:', 15], ['::1.2.3.04', 9], ['1.', 1], ['1:2::3:4:5:6:7:8', 14]];
    for (const [text, at] of impossible) {
      assert.throws(() => scanIPv6(bytes(text), 0, text.length, false), (e: unknown) => e instanceof ProxyProtocolError && e.offset === at, text);
    }
  });
});
