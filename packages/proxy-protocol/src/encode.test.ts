// encode(): byte-identical to HAProxy (§1.6, §2.8), round trips through decode, refuses what
// decode would refuse.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  alpnTlv, authorityTlv, crc32cTlv, decode, encode, ProxyProtocolError, tlv, uniqueIdTlv,
} from './index.js';
import type { EncodeInput, ProxyErrorCode, ProxyHeader } from './index.js';

const hex = (s: string): string => s.replace(/\s+/g, '');

function roundTrip(h: ProxyHeader): void {
  const r = decode(encode(h), { maxHeaderBytes: 65551 });
  assert.equal(r.status, 'complete');
  // Values compare as bytes: a Uint8Array given to encode comes back as a Buffer view.
  const bytes = (x: ProxyHeader): unknown => ({ ...x, tlvs: x.tlvs.map((t) => [t.type, Buffer.from(t.value).toString('hex')]) });
  if (r.status === 'complete') assert.deepEqual(bytes(r.header), bytes(h));
}
function fails(input: EncodeInput, code: ProxyErrorCode, crc = false): void {
  assert.throws(() => encode(input, { crc32c: crc }), (e: unknown) => e instanceof ProxyProtocolError && e.code === code);
}

describe('v2 byte-identical to HAProxy (§2.8)', () => {
  test('TCP4 with user TLVs then CRC32C: the observed capture', () => {
    const out = encode(
      { version: 2, src: '127.0.0.1', srcPort: 53760, dst: '127.0.0.1', dstPort: 23012, tlvs: [tlv(0xe1, 'foo'), tlv(0xe2, '')] },
      { crc32c: true },
    );
    assert.equal(out.toString('hex'), hex('0d0a0d0a000d0a515549540a 21 11 001c 7f000001 7f000001 d200 59e4 e1 0003 666f6f e2 0000 03 0004 bb4cc805'));
  });
  test('LOCAL health check with crc32c', () => {
    const expected = hex('0d0a0d0a000d0a515549540a 20 00 0007 03 0004 a9b87e8f');
    assert.equal(encode({ version: 2, command: 'LOCAL' }, { crc32c: true }).toString('hex'), expected);
    // An end that is not INET/INET6 (UNIX-socket client) also becomes LOCAL family 0x00.
    assert.equal(encode({ version: 2, src: null, dst: '127.0.0.1', dstPort: 1 }, { crc32c: true }).toString('hex'), expected);
  });
  test('LOCAL without TLVs is the 16-byte check header', () => {
    assert.equal(encode({ version: 2, command: 'LOCAL' }).toString('hex'), '0d0a0d0a000d0a515549540a20000000');
  });
  test('mixed families → 0x21 with the IPv4 end mapped', () => {
    const out = encode({ version: 2, src: '192.0.2.55', srcPort: 60864, dst: '::1', dstPort: 23021 });
    assert.equal(out.toString('hex'), hex('0d0a0d0a000d0a515549540a 21 21 0024 00000000000000000000ffffc0000237 00000000000000000000000000000001 edc0 59ed'));
    const back = decode(out);
    assert.equal(back.status === 'complete' && back.header.src, '::ffff:192.0.2.55');
  });
  test('the vector v2_tcp4_crc32c_valid is reproduced from its fields', () => {
    const out = encode({ version: 2, src: '192.0.2.1', srcPort: 51234, dst: '198.51.100.7', dstPort: 443, tlvs: [authorityTlv('example.com')] }, { crc32c: true });
    assert.equal(out.toString('hex'), '0d0a0d0a000d0a515549540a21110021c0000201c6336407c82201bb02000b6578616d706c652e636f6d03000401d916f6');
  });
  test('a CRC32C placeholder is filled where it stands (HAProxy order: CRC before ALPN)', () => {
    const out = encode({ version: 2, src: '10.0.0.1', srcPort: 1, dst: '10.0.0.2', dstPort: 2, tlvs: [crc32cTlv(), alpnTlv('h2')] });
    const r = decode(out);
    assert.equal(r.status, 'complete');
    if (r.status === 'complete') assert.deepEqual(r.header.tlvs.map((t) => t.type), [3, 1]);
    assert.notEqual(out.readUInt32BE(28 + 3), 0);
  });
});

describe('v1 byte-identical to HAProxy (§1.6)', () => {
  test('TCP4, TCP6 with mapped IPv4, UNKNOWN', () => {
    assert.equal(encode({ version: 1, src: '192.0.2.1', srcPort: 51234, dst: '198.51.100.7', dstPort: 443 }).toString(), 'PROXY TCP4 192.0.2.1 198.51.100.7 51234 443\r\n');
    assert.equal(encode({ version: 1, src: '192.0.2.55', srcPort: 60864, dst: '::1', dstPort: 23021 }).toString(), 'PROXY TCP6 ::ffff:192.0.2.55 ::1 60864 23021\r\n');
    assert.equal(encode({ version: 1, src: '2001:DB8:0:0::1', srcPort: 1, dst: '::FFFF:C000:201', dstPort: 2 }).toString(), 'PROXY TCP6 2001:db8::1 ::ffff:192.0.2.1 1 2\r\n');
    assert.equal(encode({ version: 1, src: null, dst: null }).toString(), 'PROXY UNKNOWN\r\n');
    assert.equal(encode({ version: 1, command: 'LOCAL', src: '1.2.3.4', srcPort: 1, dst: '1.2.3.4', dstPort: 1 }).toString(), 'PROXY UNKNOWN\r\n');
    assert.equal(encode({ version: 1, family: 'UNIX', src: '/a', dst: '/b' }).toString(), 'PROXY UNKNOWN\r\n');
  });
  test('protocol TCP6 or family INET6 maps two IPv4 ends', () => {
    assert.equal(encode({ version: 1, protocol: 'TCP6', src: '1.2.3.4', srcPort: 1, dst: '5.6.7.8', dstPort: 2 }).toString(), 'PROXY TCP6 ::ffff:1.2.3.4 ::ffff:5.6.7.8 1 2\r\n');
  });
  test('the longest lines are 56 (TCP4) and 104 (TCP6) bytes', () => {
    assert.equal(encode({ version: 1, src: '255.255.255.255', srcPort: 65535, dst: '255.255.255.255', dstPort: 65535 }).length, 56);
    const f = 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff';
    assert.equal(encode({ version: 1, src: f, srcPort: 65535, dst: f, dstPort: 65535 }).length, 104);
  });
});

describe('round trips: decode(encode(h)) = h', () => {
  const base = { srcPort: 51234, dstPort: 443, tlvs: [] };
  const headers: ProxyHeader[] = [
    { version: 1, command: 'PROXY', protocol: 'TCP4', family: 'INET', transport: 'STREAM', src: '192.0.2.1', dst: '198.51.100.7', ...base },
    { version: 1, command: 'PROXY', protocol: 'TCP6', family: 'INET6', transport: 'STREAM', src: '2001:db8::1', dst: '::ffff:192.0.2.1', ...base },
    { version: 1, command: 'PROXY', protocol: 'UNKNOWN', family: 'UNSPEC', transport: 'UNSPEC', src: null, srcPort: null, dst: null, dstPort: null, tlvs: [] },
    { version: 2, command: 'PROXY', family: 'INET', transport: 'STREAM', src: '192.0.2.1', dst: '198.51.100.7', ...base },
    { version: 2, command: 'PROXY', family: 'INET', transport: 'DGRAM', src: '0.0.0.0', dst: '255.255.255.255', srcPort: 0, dstPort: 65535, tlvs: [] },
    { version: 2, command: 'PROXY', family: 'INET6', transport: 'STREAM', src: '::', dst: '::0.1.0.2', ...base },
    { version: 2, command: 'PROXY', family: 'INET6', transport: 'DGRAM', src: '::ffff:1.2.3.4', dst: '::ffff:5.6.7.8', ...base },
    { version: 2, command: 'PROXY', family: 'UNIX', transport: 'STREAM', src: '/var/run/a.sock', dst: '', srcPort: null, dstPort: null, tlvs: [] },
    { version: 2, command: 'PROXY', family: 'UNIX', transport: 'DGRAM', src: 'é'.repeat(54), dst: 'x', srcPort: null, dstPort: null, tlvs: [] },
    { version: 2, command: 'PROXY', family: 'UNSPEC', transport: 'UNSPEC', src: null, srcPort: null, dst: null, dstPort: null, tlvs: [tlv(0xe1, 'x')] },
    { version: 2, command: 'LOCAL', family: 'UNSPEC', transport: 'UNSPEC', src: null, srcPort: null, dst: null, dstPort: null, tlvs: [] },
    { version: 2, command: 'LOCAL', family: 'INET', transport: 'STREAM', src: null, srcPort: null, dst: null, dstPort: null, tlvs: [tlv(4, '')] },
    { version: 2, command: 'LOCAL', family: '0x4', transport: '0x3', src: null, srcPort: null, dst: null, dstPort: null, tlvs: [tlv(0xe1, 'abcd')] },
    {
      version: 2, command: 'PROXY', family: 'INET', transport: 'STREAM', src: '10.0.0.1', dst: '10.0.0.2', srcPort: 1, dstPort: 2,
      tlvs: [tlv(0xe1, 'a'), alpnTlv('h2'), tlv(0xe1, 'b'), uniqueIdTlv(new Uint8Array(128).fill(9)), tlv(0x20, Buffer.from('0100000000', 'hex')), tlv(0xff, new Uint8Array(1000))],
    },
  ];
  for (const h of headers) test(`${h.version} ${h.command} ${h.family}/${h.transport}`, () => roundTrip(h));
  test('a decoded header with a valid CRC32C re-encodes to the same bytes', () => {
    const wire = Buffer.from('0d0a0d0a000d0a515549540a21110021c0000201c6336407c82201bb02000b6578616d706c652e636f6d03000401d916f6', 'hex');
    const r = decode(wire);
    assert.ok(r.status === 'complete');
    assert.equal(encode(r.header).toString('hex'), wire.toString('hex'));
    assert.equal(encode(r.header, { crc32c: true }).toString('hex'), wire.toString('hex'), 'no second CRC added');
  });
  test('LOCAL with addresses writes the block (AWS NLB style) and decodes to LOCAL with no addresses', () => {
    const out = encode({ version: 2, command: 'LOCAL', family: 'INET', src: '10.0.0.1', srcPort: 1, dst: '10.0.0.2', dstPort: 2, tlvs: [tlv(0xe1, 'z')] });
    assert.equal(out.subarray(12, 16).toString('hex'), '20110010');
    const r = decode(out);
    assert.ok(r.status === 'complete');
    assert.deepEqual([r.header.src, r.header.tlvs.length], [null, 1]);
  });
});

describe('encode refuses what decode would refuse', () => {
  const a = { srcPort: 1, dstPort: 2 };
  test('bad addresses and ports are BAD_HDR', () => {
    fails({ version: 2, src: '192.0.2.01', dst: '1.2.3.4', ...a }, 'BAD_HDR');
    fails({ version: 1, src: '1.2.3.4', dst: 'fe80::1%eth0', ...a }, 'BAD_HDR');
    fails({ version: 2, src: '1.2.3.4', dst: 'example.com', ...a }, 'BAD_HDR');
    fails({ version: 2, src: '1.2.3.4', dst: '1.2.3.4', srcPort: 65536, dstPort: 1 }, 'BAD_HDR');
    fails({ version: 1, src: '1.2.3.4', dst: '1.2.3.4', srcPort: -1, dstPort: 1 }, 'BAD_HDR');
    fails({ version: 1, src: '1.2.3.4', dst: '1.2.3.4', srcPort: 1.5, dstPort: 1 }, 'BAD_HDR');
    fails({ version: 2, src: '1.2.3.4', dst: '1.2.3.4', srcPort: null, dstPort: 1 }, 'BAD_HDR');
    fails({ version: 1, protocol: 'TCP4', src: '::1', dst: '1.2.3.4', ...a }, 'BAD_HDR');
    fails({ version: 2, family: 'INET', src: '::1', dst: '1.2.3.4', ...a }, 'BAD_HDR');
    fails({ version: 2, family: 'UNIX', src: 'x'.repeat(109), dst: '/b' }, 'BAD_HDR');
    fails({ version: 2, family: 'UNIX', src: '/a\0b', dst: '/b' }, 'BAD_HDR');
    fails({ version: 2, family: 'UNSPEC', transport: 'STREAM', src: null, dst: null }, 'BAD_HDR');
    fails({ version: 3 as 2, src: null, dst: null }, 'BAD_HDR');
  });
  test('TLV rules: CRC32C length, duplicate CRC32C, UNIQUE_ID > 128, SSL < 5, v1 TLVs', () => {
    const h = { version: 2 as const, src: '1.2.3.4', dst: '1.2.3.4', ...a };
    fails({ ...h, tlvs: [tlv(3, 'abc')] }, 'BAD_TLV');
    fails({ ...h, tlvs: [crc32cTlv(), crc32cTlv()] }, 'BAD_TLV');
    fails({ ...h, tlvs: [tlv(5, new Uint8Array(129))] }, 'BAD_TLV');
    fails({ ...h, tlvs: [tlv(0x20, new Uint8Array(4))] }, 'BAD_TLV');
    fails({ ...h, tlvs: [tlv(0x20, Buffer.from('0100000000210005', 'hex'))] }, 'BAD_TLV');
    fails({ ...h, tlvs: [{ type: 256, value: new Uint8Array(0) }] }, 'BAD_TLV');
    fails({ version: 1, src: '1.2.3.4', dst: '1.2.3.4', ...a, tlvs: [tlv(4, '')] }, 'BAD_TLV');
    assert.throws(() => uniqueIdTlv('x'.repeat(129)), { code: 'BAD_TLV' });
  });
  test('sizes: a TLV over 65535 bytes or a header over 65551 bytes is TOO_LARGE', () => {
    const h = { version: 2 as const, src: '1.2.3.4', dst: '1.2.3.4', ...a };
    fails({ ...h, tlvs: [{ type: 4, value: new Uint8Array(65536) }] }, 'TOO_LARGE');
    fails({ ...h, tlvs: [{ type: 4, value: new Uint8Array(65520) }, { type: 4, value: new Uint8Array(10) }] }, 'TOO_LARGE');
    const biggest = encode({ ...h, tlvs: [{ type: 4, value: new Uint8Array(65535 - 12 - 3) }] });
    assert.equal(biggest.length, 65551);
  });
});
