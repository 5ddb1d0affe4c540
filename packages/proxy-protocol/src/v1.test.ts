// v1 rules of the digest beyond the vectors: every §1.3 rejection, every §1.5 HAProxy leniency
// refused, the 107-byte limit (§1.2), the long UNKNOWN form (§1.4), fail-early on streams.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decode, ProxyProtocolError } from './index.js';
import type { DecodeOptions, ProxyErrorCode } from './index.js';

const b = (s: string): Buffer => Buffer.from(s, 'latin1');

function rejects(line: string, code: ProxyErrorCode, options?: DecodeOptions): void {
  assert.throws(
    () => decode(b(line), options),
    (e: unknown) => e instanceof ProxyProtocolError && e.code === code,
    `${JSON.stringify(line)} should be ${code}`,
  );
}

function accepts(line: string, fields: Record<string, unknown>, options?: DecodeOptions): void {
  const r = decode(b(line), options);
  assert.equal(r.status, 'complete', JSON.stringify(line));
  if (r.status !== 'complete') return;
  assert.equal(r.length, line.indexOf('\r\n') + 2);
  for (const [k, v] of Object.entries(fields)) assert.deepEqual((r.header as unknown as Record<string, unknown>)[k], v, `${k} of ${JSON.stringify(line)}`);
}

const OK4 = 'PROXY TCP4 192.0.2.1 198.51.100.7 51234 443\r\n';

describe('v1 grammar (§1.1)', () => {
  test('TCP4 fields in order: src, dst, sport, dport', () => {
    accepts(OK4, { version: 1, command: 'PROXY', protocol: 'TCP4', family: 'INET', transport: 'STREAM', src: '192.0.2.1', dst: '198.51.100.7', srcPort: 51234, dstPort: 443, tlvs: [] });
  });
  test('ports 0 and 65535 are in range; a lone 0 is not a leading zero', () => {
    accepts('PROXY TCP4 0.0.0.0 255.255.255.255 0 65535\r\n', { srcPort: 0, dstPort: 65535, src: '0.0.0.0' });
  });
  test('TCP6 addresses come back canonical (§1.6)', () => {
    const cases: [string, string][] = [
      ['::', '::'], ['::1', '::1'], ['2001:DB8::A', '2001:db8::a'], ['::ffff:192.0.2.1', '::ffff:192.0.2.1'],
      ['::FFFF:C000:0201', '::ffff:192.0.2.1'], ['1:2:3:4:5:6:7::', '1:2:3:4:5:6:7:0'], ['0:0:0:0:0:0:1:2', '::0.1.0.2'],
      ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], ['1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8'], ['::1.2.3.4', '::1.2.3.4'],
    ];
    for (const [text, canonical] of cases) {
      accepts(`PROXY TCP6 ${text} ${text} 1 2\r\n`, { protocol: 'TCP6', family: 'INET6', src: canonical, dst: canonical, srcPort: 1, dstPort: 2 });
    }
  });
  test('payload after CRLF is not consumed', () => {
    const r = decode(b(OK4 + 'PROXY TCP4 1.1.1.1 1.1.1.1 1 1\r\n'));
    assert.equal(r.status === 'complete' && r.length, OK4.length);
  });
});

describe('v1 rejections (§1.3)', () => {
  const badHdr: [string, string][] = [
    ['double space between fields', 'PROXY TCP4 192.0.2.1  198.51.100.7 51234 443\r\n'],
    ['double space after the token', 'PROXY TCP4  192.0.2.1 198.51.100.7 51234 443\r\n'],
    ['tab as separator', 'PROXY TCP4 192.0.2.1\t198.51.100.7 51234 443\r\n'],
    ['trailing space before CRLF', 'PROXY TCP4 192.0.2.1 198.51.100.7 51234 443 \r\n'],
    ['extra field (TCP4)', 'PROXY TCP4 192.0.2.1 198.51.100.7 51234 443 80\r\n'],
    ['extra field (TCP6; HAProxy ignores it, §1.5)', 'PROXY TCP6 ::1 ::1 51234 443 x\r\n'],
    ['missing dst port', 'PROXY TCP4 192.0.2.1 198.51.100.7 51234\r\n'],
    ['missing both ports', 'PROXY TCP4 192.0.2.1 198.51.100.7\r\n'],
    ['missing every field', 'PROXY TCP4\r\n'],
    ['bare LF', 'PROXY TCP4 192.0.2.1 198.51.100.7 51234 443\nX'],
    ['bare CR', 'PROXY TCP4 192.0.2.1 198.51.100.7 51234 443\rX'],
    ['LF CR', 'PROXY TCP4 192.0.2.1 198.51.100.7 51234 443\n\r'],
    ['octet > 255', 'PROXY TCP4 192.0.2.256 198.51.100.7 51234 443\r\n'],
    ['octet 999', 'PROXY TCP4 999.0.2.1 198.51.100.7 51234 443\r\n'],
    ['3 octets', 'PROXY TCP4 192.0.2 198.51.100.7 51234 443\r\n'],
    ['5 octets', 'PROXY TCP4 192.0.2.1.5 198.51.100.7 51234 443\r\n'],
    ['leading zero octet', 'PROXY TCP4 192.0.2.01 198.51.100.7 51234 443\r\n'],
    ['zero-padded octet', 'PROXY TCP4 192.000.2.1 198.51.100.7 51234 443\r\n'],
    ['long digit run', 'PROXY TCP4 192.0.2.0000000001 198.51.100.7 51234 443\r\n'],
    ['empty octet', 'PROXY TCP4 192..2.1 198.51.100.7 51234 443\r\n'],
    ['port 65536', 'PROXY TCP4 192.0.2.1 198.51.100.7 65536 443\r\n'],
    ['port 99999', 'PROXY TCP4 192.0.2.1 198.51.100.7 51234 99999\r\n'],
    ['port leading zero', 'PROXY TCP4 192.0.2.1 198.51.100.7 51234 0443\r\n'],
    ['port 00', 'PROXY TCP4 192.0.2.1 198.51.100.7 00 443\r\n'],
    ['port with + sign', 'PROXY TCP4 192.0.2.1 198.51.100.7 +51234 443\r\n'],
    ['port with - sign', 'PROXY TCP4 192.0.2.1 198.51.100.7 -1 443\r\n'],
    ['empty port', 'PROXY TCP4 192.0.2.1 198.51.100.7  443\r\n'],
    ['hex port', 'PROXY TCP4 192.0.2.1 198.51.100.7 0x50 443\r\n'],
    ['IPv6 under TCP4', 'PROXY TCP4 ::1 ::1 1 2\r\n'],
    ['IPv4 under TCP6', 'PROXY TCP6 192.0.2.1 198.51.100.7 1 2\r\n'],
    ['mixed under TCP6', 'PROXY TCP6 ::1 198.51.100.7 1 2\r\n'],
    ['9 groups', 'PROXY TCP6 1:2:3:4:5:6:7:8:9 ::1 1 2\r\n'],
    ['7 groups', 'PROXY TCP6 1:2:3:4:5:6:7 ::1 1 2\r\n'],
    ['5-digit group', 'PROXY TCP6 2001:db8::12345 ::1 1 2\r\n'],
    [':::', 'PROXY TCP6 2001:db8:::1 ::1 1 2\r\n'],
    ['two ::', 'PROXY TCP6 1::2::3 ::1 1 2\r\n'],
    ['zone id', 'PROXY TCP6 fe80::1%eth0 ::1 1 2\r\n'],
    ['brackets', 'PROXY TCP6 [::1] ::1 1 2\r\n'],
    ['IPv4 tail with a leading zero', 'PROXY TCP6 ::ffff:192.0.2.01 ::1 1 2\r\n'],
    ['NUL inside an address', 'PROXY TCP4 192.0.2.1\0 198.51.100.7 1 2\r\n'],
  ];
  for (const [name, line] of badHdr) test(`${name} → BAD_HDR`, () => rejects(line, 'BAD_HDR'));

  const badProto: [string, string][] = [
    ['UDP4', 'PROXY UDP4 192.0.2.1 198.51.100.7 51234 443\r\n'],
    ['lower-case tcp4', 'PROXY tcp4 192.0.2.1 198.51.100.7 51234 443\r\n'],
    ['TCP5', 'PROXY TCP5 192.0.2.1 198.51.100.7 51234 443\r\n'],
    ['TCP44', 'PROXY TCP44 192.0.2.1 198.51.100.7 51234 443\r\n'],
    ['TCP4 followed by a tab', 'PROXY TCP4\t192.0.2.1 198.51.100.7 51234 443\r\n'],
    ['Unknown in mixed case', 'PROXY Unknown\r\n'],
    ['UNKNOWNX', 'PROXY UNKNOWNX\r\n'],
    ['empty token', 'PROXY \r\n'],
    ['space then token', 'PROXY  TCP4 192.0.2.1 198.51.100.7 51234 443\r\n'],
  ];
  for (const [name, line] of badProto) test(`${name} → BAD_PROTO`, () => rejects(line, 'BAD_PROTO'));

  const notProxy: [string, string][] = [
    ['lower-case proxy', 'proxy TCP4 192.0.2.1 198.51.100.7 51234 443\r\n'],
    ['no space after PROXY', 'PROXYTCP4 192.0.2.1 198.51.100.7 51234 443\r\n'],
    ['tab after PROXY', 'PROXY\tTCP4 192.0.2.1 198.51.100.7 51234 443\r\n'],
    ['HTTP request', 'GET / HTTP/1.1\r\n\r\n'],
    ['POST request (starts with P)', 'POST / HTTP/1.1\r\n\r\n'],
    ['TLS ClientHello', '\x16\x03\x01\x02\x00'],
  ];
  for (const [name, line] of notProxy) test(`${name} → not-proxy`, () => assert.deepEqual(decode(b(line)), { status: 'not-proxy' }));
});

describe('UNKNOWN (§1.4) and the 107-byte limit (§1.2)', () => {
  const unknown = { protocol: 'UNKNOWN', family: 'UNSPEC', transport: 'UNSPEC', command: 'PROXY', src: null, srcPort: null, dst: null, dstPort: null, tlvs: [] };
  test('short form is 15 bytes', () => accepts('PROXY UNKNOWN\r\n', unknown));
  test('long form: the rest of the line is ignored (HAProxy refuses it, §1.5)', () => {
    accepts('PROXY UNKNOWN ffff:f...f:ffff ffff:f...f:ffff 65535 65535\r\n', unknown);
    accepts('PROXY UNKNOWN \r\n', unknown);
    accepts('PROXY UNKNOWN \0\x01\xff\t anything  \r\n', unknown);
  });
  test('exactly 107 bytes is accepted, 108 is TOO_LARGE', () => {
    const line107 = 'PROXY UNKNOWN ' + 'a'.repeat(107 - 16) + '\r\n';
    assert.equal(line107.length, 107);
    accepts(line107, unknown);
    const line108 = 'PROXY UNKNOWN ' + 'a'.repeat(108 - 16) + '\r\n';
    rejects(line108, 'TOO_LARGE');
  });
  test('no CRLF by byte 107 is refused without waiting for more', () => {
    rejects('PROXY UNKNOWN ' + 'a'.repeat(93), 'TOO_LARGE');
    assert.deepEqual(decode(b('PROXY UNKNOWN ' + 'a'.repeat(92))), { status: 'incomplete' });
  });
  test('bare LF or bare CR inside UNKNOWN is BAD_HDR', () => {
    rejects('PROXY UNKNOWN a\nb\r\n', 'BAD_HDR');
    rejects('PROXY UNKNOWN a\rb\r\n', 'BAD_HDR');
    rejects('PROXY UNKNOWN\rX', 'BAD_HDR');
    rejects('PROXY UNKNOWN\n', 'BAD_PROTO');
  });
  test('a lowered cap (maxV1HeaderBytes) applies to every line', () => {
    accepts(OK4, { srcPort: 51234 }, { maxV1HeaderBytes: OK4.length });
    rejects(OK4, 'TOO_LARGE', { maxV1HeaderBytes: OK4.length - 1 });
    accepts('PROXY UNKNOWN\r\n', {}, { maxV1HeaderBytes: 15 });
    rejects('PROXY UNKNOWN \r\n', 'TOO_LARGE', { maxV1HeaderBytes: 15 });
  });
  test('caps outside 15..107 are a programming error (RangeError)', () => {
    assert.throws(() => decode(b(OK4), { maxV1HeaderBytes: 108 }), RangeError);
    assert.throws(() => decode(b(OK4), { maxV1HeaderBytes: 14 }), RangeError);
    assert.throws(() => decode(b(OK4), { maxV1HeaderBytes: 50.5 }), RangeError);
  });
});

describe('v1 on a stream: incomplete only for a valid prefix, fail at the first impossible byte', () => {
  const valid = [
    OK4,
    'PROXY TCP4 255.255.255.255 255.255.255.255 65535 65535\r\n',
    'PROXY TCP6 2001:db8::1 ::ffff:192.0.2.1 0 65535\r\n',
    'PROXY UNKNOWN\r\n',
    'PROXY UNKNOWN x y z\r\n',
  ];
  test('every proper prefix of a valid line is incomplete', () => {
    for (const line of valid) {
      for (let i = 0; i < line.length; i++) assert.deepEqual(decode(b(line.slice(0, i))), { status: 'incomplete' }, JSON.stringify(line.slice(0, i)));
    }
  });
  const early: [string, ProxyErrorCode | 'not-proxy' | 'incomplete'][] = [
    ['PROXY X', 'BAD_PROTO'],
    ['PROXY TX', 'BAD_PROTO'],
    ['PROXY TCP7', 'BAD_PROTO'],
    ['PROXY UDP', 'BAD_PROTO'],
    ['PROXY UNKNOWNZ', 'BAD_PROTO'],
    ['PROXY TCP4 1', 'incomplete'],
    ['PROXY TCP4 1.2.3.4  ', 'BAD_HDR'],
    ['PROXY TCP4 256', 'BAD_HDR'],
    ['PROXY TCP4 01', 'BAD_HDR'],
    ['PROXY TCP4 1.2.3.4 5.6.7.8 0', 'incomplete'],
    ['PROXY TCP4 1.2.3.4 5.6.7.8 00', 'BAD_HDR'],
    ['PROXY TCP4 1.2.3.4 5.6.7.8 65536', 'BAD_HDR'],
    ['PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r', 'incomplete'],
    ['PROXY TCP4 1.2.3.4 5.6.7.8 1 2\rX', 'BAD_HDR'],
    ['PROXY TCP4 ::', 'BAD_HDR'],
    ['PROXY TCP6 :::', 'BAD_HDR'],
    ['PROXY TCP6 1.', 'BAD_HDR'],
    ['PROXY TCP6 12345', 'BAD_HDR'],
    ['PROXY TCP6 fe80::1%', 'BAD_HDR'],
    ['PROX', 'incomplete'],
    ['PROXX', 'not-proxy'],
    ['Px', 'not-proxy'],
    ['P', 'incomplete'],
  ];
  for (const [input, verdict] of early) {
    test(`${JSON.stringify(input)} → ${verdict}`, () => {
      if (verdict === 'incomplete' || verdict === 'not-proxy') {
        assert.deepEqual(decode(b(input)), { status: verdict });
      } else {
        rejects(input, verdict);
      }
    });
  }
});
