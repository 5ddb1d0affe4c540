// v2 rules of the digest beyond the vectors: every ver/cmd and family/transport byte, LOCAL with
// address blocks (§2.4), caps (§2.1, §6), TLV framing (§2.7, §3.1), CRC32C (§3.3), UNIQUE_ID and
// SSL limits (§3.2, §3.4), fail-early on partial input.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { crc32c, decode, ProxyHeaderDecoder, ProxyProtocolError, PP2_SIGNATURE } from './index.js';
import type { DecodeOptions, ProxyErrorCode, ProxyHeader } from './index.js';

const SIG = Buffer.from(PP2_SIGNATURE);
const ADDR4 = Buffer.from('c0000201c6336407c82201bb', 'hex'); // 192.0.2.1:51234 → 198.51.100.7:443
const ADDR6 = Buffer.from('20010db800000000000000000000000120010db8000000000000000000000002c82201bb', 'hex');

function v2(verCmd: number, famTrans: number, body: Uint8Array, len = body.length): Buffer {
  return Buffer.concat([SIG, Buffer.from([verCmd, famTrans, len >> 8, len & 0xff]), body]);
}
function tlvBytes(type: number, value: Uint8Array | string): Buffer {
  const v = typeof value === 'string' ? Buffer.from(value) : Buffer.from(value);
  return Buffer.concat([Buffer.from([type, v.length >> 8, v.length & 0xff]), v]);
}
/** A header with a CRC32C TLV at `index` among `others`, checksum filled in (§3.3). */
function withCrc(others: Buffer[], index: number, mutate?: (sum: Buffer) => void): Buffer {
  const tlvs = [...others];
  tlvs.splice(index, 0, tlvBytes(0x03, Buffer.alloc(4)));
  const h = v2(0x21, 0x11, Buffer.concat([ADDR4, ...tlvs]));
  const at = 16 + 12 + tlvs.slice(0, index).reduce((n, t) => n + t.length, 0) + 3;
  const sum = Buffer.alloc(4);
  sum.writeUInt32BE(crc32c(h));
  mutate?.(sum);
  sum.copy(h, at);
  return h;
}

function complete(bytes: Uint8Array, options?: DecodeOptions): { header: ProxyHeader; length: number } {
  const r = decode(bytes, options);
  assert.equal(r.status, 'complete');
  if (r.status !== 'complete') throw new Error('unreachable');
  return r;
}
function rejects(bytes: Uint8Array, code: ProxyErrorCode, options?: DecodeOptions): void {
  assert.throws(() => decode(bytes, options), (e: unknown) => e instanceof ProxyProtocolError && e.code === code, `expected ${code} for ${Buffer.from(bytes).toString('hex')}`);
}
const hexTlvs = (h: ProxyHeader): [number, string][] => h.tlvs.map((t) => [t.type, Buffer.from(t.value).toString('hex')]);

const LISTED: Record<number, number> = { 0x00: 0, 0x11: 12, 0x12: 12, 0x21: 36, 0x22: 36, 0x31: 216, 0x32: 216 };

describe('version/command byte (§2.2)', () => {
  test('every value 0x00–0xFF: 0x20/0x21 accepted, other versions not-proxy, commands 2–F BAD_HDR', () => {
    for (let vc = 0; vc < 256; vc++) {
      const h = v2(vc, 0x11, ADDR4);
      if (vc >> 4 !== 2) assert.deepEqual(decode(h), { status: 'not-proxy' }, vc.toString(16));
      else if ((vc & 15) > 1) rejects(h, 'BAD_HDR');
      else assert.equal(complete(h).header.command, vc === 0x20 ? 'LOCAL' : 'PROXY');
    }
  });
  test('a wrong byte anywhere in the signature is not-proxy, even before the rest arrives', () => {
    const h = v2(0x21, 0x11, ADDR4);
    for (let i = 1; i < 12; i++) {
      const bad = Buffer.from(h);
      bad[i] = bad[i]! ^ 0x01;
      assert.deepEqual(decode(bad), { status: 'not-proxy' }, `byte ${i}`);
      assert.deepEqual(decode(bad.subarray(0, i + 1)), { status: 'not-proxy' }, `prefix to byte ${i}`);
    }
  });
});

describe('family/transport byte (§2.3, §2.4)', () => {
  test('under PROXY: the 7 listed bytes decode, the other 249 are BAD_HDR', () => {
    for (let ft = 0; ft < 256; ft++) {
      const block = LISTED[ft];
      const h = v2(0x21, ft, Buffer.alloc(block ?? 12, 0x61));
      if (block === undefined) {
        rejects(h, 'BAD_HDR');
        rejects(h.subarray(0, 14), 'BAD_HDR'); // refused as soon as byte 13 is there
      } else {
        const { header, length } = complete(h);
        assert.equal(length, 16 + block);
        assert.equal(header.command, 'PROXY');
      }
    }
  });
  test('under LOCAL: every byte is accepted, addresses are never reported', () => {
    for (let ft = 0; ft < 256; ft++) {
      const { header, length } = complete(v2(0x20, ft, Buffer.alloc(0)));
      assert.equal(length, 16);
      assert.equal(header.command, 'LOCAL');
      assert.equal(header.src, null);
      assert.equal(header.dstPort, null);
      assert.deepEqual(header.tlvs, []);
    }
  });
  test('LOCAL with an undefined family reports the nibble as 0xN', () => {
    const { header } = complete(v2(0x20, 0x41, Buffer.alloc(0)));
    assert.equal(header.family, '0x4');
    assert.equal(header.transport, 'STREAM');
    assert.equal(complete(v2(0x20, 0xf3, Buffer.alloc(0))).header.family, '0xF');
    assert.equal(complete(v2(0x20, 0xf3, Buffer.alloc(0))).header.transport, '0x3');
  });
  test('PROXY families decode their blocks', () => {
    assert.deepEqual(
      { ...complete(v2(0x21, 0x12, ADDR4)).header },
      { version: 2, command: 'PROXY', family: 'INET', transport: 'DGRAM', src: '192.0.2.1', srcPort: 51234, dst: '198.51.100.7', dstPort: 443, tlvs: [] },
    );
    const six = complete(v2(0x21, 0x22, ADDR6)).header;
    assert.deepEqual([six.family, six.transport, six.src, six.dst, six.srcPort, six.dstPort], ['INET6', 'DGRAM', '2001:db8::1', '2001:db8::2', 51234, 443]);
    const mapped = Buffer.from(ADDR6);
    Buffer.from('00000000000000000000ffffc0000237', 'hex').copy(mapped, 0);
    assert.equal(complete(v2(0x21, 0x21, mapped)).header.src, '::ffff:192.0.2.55');
  });
  test('UNIX: path up to the first NUL, or all 108 bytes; ports null', () => {
    const block = Buffer.alloc(216);
    block.write('/run/a.sock', 0);
    block.fill(0x78, 108, 216); // no NUL in the destination path
    const h = complete(v2(0x21, 0x32, Buffer.concat([block, tlvBytes(0xe1, 'x')]))).header;
    assert.deepEqual([h.family, h.transport, h.src, h.dst, h.srcPort, h.dstPort], ['UNIX', 'DGRAM', '/run/a.sock', 'x'.repeat(108), null, null]);
    assert.deepEqual(hexTlvs(h), [[0xe1, '78']]);
  });
  test('UNIX: UTF-8 paths decode and re-encode; a path that is not UTF-8 is BAD_HDR (never U+FFFD)', () => {
    const block = Buffer.alloc(216);
    block.write('/run/é.sock', 0);
    block.write('/run/b', 108);
    assert.equal(complete(v2(0x21, 0x31, block)).header.src, '/run/é.sock');
    // Two different byte paths must not read as the same text (found by the fuzz campaign).
    for (const bad of ['ff', 'c3', '2f72756e2fc328']) {
      const b = Buffer.alloc(216);
      Buffer.from(bad, 'hex').copy(b, 0);
      rejects(v2(0x21, 0x31, b), 'BAD_HDR');
      const d = Buffer.alloc(216);
      Buffer.from(bad, 'hex').copy(d, 108);
      rejects(v2(0x21, 0x32, d), 'BAD_HDR');
    }
  });
  test('PROXY + UNSPEC: no addresses, TLVs from offset 16', () => {
    const h = complete(v2(0x21, 0x00, tlvBytes(0x02, 'example.com'))).header;
    assert.deepEqual([h.family, h.transport, h.src, h.srcPort], ['UNSPEC', 'UNSPEC', null, null]);
    assert.deepEqual(hexTlvs(h), [[2, Buffer.from('example.com').toString('hex')]]);
  });
  test('len below the block size is BAD_HDR as soon as len is read', () => {
    for (const [ft, block] of Object.entries(LISTED)) {
      if (block === 0) continue;
      const h = v2(0x21, Number(ft), Buffer.alloc(block - 1), block - 1);
      rejects(h.subarray(0, 16), 'BAD_HDR');
      rejects(h, 'BAD_HDR');
    }
  });
});

describe('LOCAL with an address block (§2.4, AWS NLB health checks)', () => {
  test('listed family and len ≥ block: TLVs after the block', () => {
    const h = complete(v2(0x20, 0x11, Buffer.concat([ADDR4, tlvBytes(0x04, ''), tlvBytes(0xe1, 'abcd')]))).header;
    assert.deepEqual([h.command, h.family, h.transport, h.src, h.srcPort], ['LOCAL', 'INET', 'STREAM', null, null]);
    assert.deepEqual(hexTlvs(h), [[4, ''], [0xe1, '61626364']]);
  });
  test('a dummy IPv4 block alone: no TLVs', () => {
    assert.deepEqual(complete(v2(0x20, 0x11, ADDR4)).header.tlvs, []);
    assert.deepEqual(complete(v2(0x20, 0x21, ADDR6)).header.tlvs, []);
  });
  test('listed family but len < block: TLVs from offset 16', () => {
    const h = complete(v2(0x20, 0x21, tlvBytes(0xe1, 'abc'))).header;
    assert.deepEqual(hexTlvs(h), [[0xe1, '616263']]);
  });
  test('undefined family: TLVs from offset 16', () => {
    assert.deepEqual(hexTlvs(complete(v2(0x20, 0x41, tlvBytes(0x05, 'id'))).header), [[5, '6964']]);
  });
  test('bytes after 16 that are not TLVs are BAD_TLV', () => {
    rejects(v2(0x20, 0x00, Buffer.from('c00002', 'hex')), 'BAD_TLV');
    rejects(v2(0x20, 0x11, Buffer.alloc(5)), 'BAD_TLV');
  });
});

describe('caps on the whole header (§2.1, §6)', () => {
  const padded = (total: number): Buffer => v2(0x21, 0x11, Buffer.concat([ADDR4, tlvBytes(0x04, Buffer.alloc(total - 16 - 12 - 3))]));
  test('default cap 16384: exactly at the cap accepted, one above TOO_LARGE (decode: complete header)', () => {
    assert.equal(complete(padded(16384)).length, 16384);
    const over = padded(16385);
    rejects(over, 'TOO_LARGE');
    // decode() buffers nothing: a legal prefix announcing more stays incomplete (vector
    // v2_len_ffff_short_data); the stream decoder, which buffers, refuses from the 16 bytes.
    assert.deepEqual(decode(over.subarray(0, 16)), { status: 'incomplete' });
    assert.deepEqual(decode(over.subarray(0, 16385 - 1)), { status: 'incomplete' });
    assert.throws(() => new ProxyHeaderDecoder().push(over.subarray(0, 16)), { code: 'TOO_LARGE' });
  });
  test('a caller-lowered cap', () => {
    assert.equal(complete(padded(100), { maxHeaderBytes: 100 }).length, 100);
    rejects(padded(101), 'TOO_LARGE', { maxHeaderBytes: 100 });
    assert.throws(() => new ProxyHeaderDecoder({ maxHeaderBytes: 100 }).push(padded(101).subarray(0, 16)), { code: 'TOO_LARGE' });
  });
  test('the hard maximum 65551 (len = 0xFFFF) when the caller raises the cap', () => {
    const h = padded(65551);
    assert.equal(h.readUInt16BE(14), 0xffff);
    assert.equal(complete(h, { maxHeaderBytes: 65551 }).length, 65551);
    assert.deepEqual(decode(h.subarray(0, 65550), { maxHeaderBytes: 65551 }), { status: 'incomplete' });
  });
  test('caps outside 16..65551 are a RangeError', () => {
    assert.throws(() => decode(padded(100), { maxHeaderBytes: 65552 }), RangeError);
    assert.throws(() => decode(padded(100), { maxHeaderBytes: 15 }), RangeError);
  });
});

describe('TLVs (§3.1, §2.7)', () => {
  test('duplicates and unknown types are kept, in wire order, as views of the input', () => {
    const body = Buffer.concat([ADDR4, tlvBytes(0xe1, 'a'), tlvBytes(0x02, 'x.example'), tlvBytes(0xe1, 'b'), tlvBytes(0xf8, ''), tlvBytes(0xe1, 'c')]);
    const input = v2(0x21, 0x11, body);
    const h = complete(input).header;
    assert.deepEqual(hexTlvs(h), [[0xe1, '61'], [2, Buffer.from('x.example').toString('hex')], [0xe1, '62'], [0xf8, ''], [0xe1, '63']]);
    assert.equal(h.tlvs[0]!.value.buffer, input.buffer, 'values are views, not copies');
  });
  test('1 or 2 stray bytes, or a value overrunning len, are BAD_TLV', () => {
    rejects(v2(0x21, 0x11, Buffer.concat([ADDR4, Buffer.from([0x04])])), 'BAD_TLV');
    rejects(v2(0x21, 0x11, Buffer.concat([ADDR4, Buffer.from([0x04, 0x00])])), 'BAD_TLV');
    rejects(v2(0x21, 0x11, Buffer.concat([ADDR4, tlvBytes(0x04, ''), Buffer.from([0x04, 0x00])])), 'BAD_TLV');
    rejects(v2(0x21, 0x11, Buffer.concat([ADDR4, Buffer.from('e10005616263', 'hex')])), 'BAD_TLV');
    // The bytes after `len` (payload) never count as TLV bytes.
    const h = Buffer.concat([v2(0x21, 0x11, Buffer.concat([ADDR4, Buffer.from('e10005616263', 'hex')]), 18), Buffer.from('6465')]);
    rejects(h, 'BAD_TLV');
  });
  test('UNIQUE_ID: 0 and 128 bytes accepted, 129 BAD_TLV', () => {
    for (const n of [0, 1, 128]) assert.equal(complete(v2(0x21, 0x11, Buffer.concat([ADDR4, tlvBytes(0x05, Buffer.alloc(n, 7))]))).header.tlvs[0]!.value.length, n);
    rejects(v2(0x21, 0x11, Buffer.concat([ADDR4, tlvBytes(0x05, Buffer.alloc(129))])), 'BAD_TLV');
    rejects(v2(0x20, 0x00, tlvBytes(0x05, Buffer.alloc(200))), 'BAD_TLV');
  });
  test('SSL: value under 5 bytes is BAD_TLV; sub-TLVs must frame exactly (§3.4)', () => {
    for (let n = 0; n < 5; n++) rejects(v2(0x21, 0x11, Buffer.concat([ADDR4, tlvBytes(0x20, Buffer.alloc(n))])), 'BAD_TLV');
    assert.equal(complete(v2(0x21, 0x11, Buffer.concat([ADDR4, tlvBytes(0x20, Buffer.alloc(5))]))).header.tlvs.length, 1);
    const good = Buffer.concat([Buffer.from([0x01, 0, 0, 0, 0]), tlvBytes(0x21, 'TLSv1.3')]);
    assert.equal(complete(v2(0x21, 0x11, Buffer.concat([ADDR4, tlvBytes(0x20, good)]))).header.tlvs[0]!.value.length, good.length);
    rejects(v2(0x21, 0x11, Buffer.concat([ADDR4, tlvBytes(0x20, good.subarray(0, good.length - 1))])), 'BAD_TLV');
    rejects(v2(0x21, 0x11, Buffer.concat([ADDR4, tlvBytes(0x20, Buffer.from([1, 0, 0, 0, 0, 0x21]))])), 'BAD_TLV');
  });
  test('AUTHORITY longer than 255 bytes is accepted (HAProxy-only limit, spec has none)', () => {
    assert.equal(complete(v2(0x21, 0x11, Buffer.concat([ADDR4, tlvBytes(0x02, 'a'.repeat(300))]))).header.tlvs[0]!.value.length, 300);
  });
});

describe('CRC32C (§3.3)', () => {
  const others = [tlvBytes(0x02, 'example.com'), tlvBytes(0xe1, 'foo'), tlvBytes(0x04, '')];
  test('valid wherever it stands among the TLVs', () => {
    for (let i = 0; i <= others.length; i++) {
      const h = complete(withCrc(others, i)).header;
      assert.equal(h.tlvs.length, 4);
      assert.equal(h.tlvs[i]!.type, 3);
    }
    assert.equal(complete(withCrc([], 0)).header.tlvs.length, 1);
  });
  test('little-endian, flipped, or zero checksum is CRC_MISMATCH', () => {
    rejects(withCrc(others, 1, (s) => s.reverse()), 'CRC_MISMATCH');
    rejects(withCrc(others, 1, (s) => { s[0] = s[0]! ^ 0x80; }), 'CRC_MISMATCH');
    rejects(withCrc(others, 1, (s) => s.fill(0)), 'CRC_MISMATCH');
  });
  test('any changed byte of an address or TLV value is caught', () => {
    const h = withCrc(others, 3);
    // addresses [16,28), "example.com" [31,42), "foo" [45,48)
    for (const [from, to] of [[16, 28], [31, 42], [45, 48]] as const) {
      for (let i = from; i < to; i++) {
        const bad = Buffer.from(h);
        bad[i] = bad[i]! ^ 0x20;
        rejects(bad, 'CRC_MISMATCH');
      }
    }
    // the command (PROXY → LOCAL) and transport (STREAM → DGRAM) are covered too
    for (const [at, value] of [[12, 0x20], [13, 0x12]] as const) {
      const bad = Buffer.from(h);
      bad[at] = value;
      rejects(bad, 'CRC_MISMATCH');
    }
  });

  test('payload after the header is not covered', () => {
    const h = withCrc(others, 0);
    assert.equal(complete(Buffer.concat([h, Buffer.from('GET / HTTP/1.0\r\n')])).length, h.length);
  });
  test('length 0, 3 or 5 is CRC_MISMATCH; two CRC32C TLVs are CRC_MISMATCH', () => {
    for (const n of [0, 3, 5, 8]) rejects(v2(0x21, 0x11, Buffer.concat([ADDR4, tlvBytes(0x03, Buffer.alloc(n))])), 'CRC_MISMATCH');
    const two = v2(0x21, 0x11, Buffer.concat([ADDR4, tlvBytes(0x03, Buffer.alloc(4)), tlvBytes(0x03, Buffer.alloc(4))]));
    rejects(two, 'CRC_MISMATCH');
  });
  test('LOCAL headers are verified too (HAProxy health check §2.8)', () => {
    const check = Buffer.from('0d0a0d0a000d0a515549540a20000007030004a9b87e8f', 'hex');
    assert.equal(complete(check).header.tlvs[0]!.type, 3);
    check[check.length - 1] = 0x8e;
    rejects(check, 'CRC_MISMATCH');
  });
});

describe('v2 on a stream', () => {
  test('every proper prefix of a valid header is incomplete', () => {
    for (const h of [withCrc([tlvBytes(0x01, 'h2')], 1), v2(0x20, 0x00, Buffer.alloc(0)), v2(0x21, 0x21, ADDR6)]) {
      for (let i = 0; i < h.length; i++) assert.deepEqual(decode(h.subarray(0, i)), { status: 'incomplete' }, `prefix ${i}`);
    }
  });
  test('a plain Uint8Array input works like a Buffer', () => {
    const h = new Uint8Array(withCrc([tlvBytes(0xe1, 'x')], 0));
    const { header } = complete(h);
    assert.equal(header.src, '192.0.2.1');
    assert.equal(header.tlvs[1]!.value[0], 0x78);
  });
});

describe('error offsets and carriesAddresses', () => {
  test('each rejection points at the byte that decided it', () => {
    const at = (bytes: Uint8Array): number | undefined => {
      try {
        decode(bytes);
      } catch (e) {
        if (e instanceof ProxyProtocolError) return e.offset;
      }
      return undefined;
    };
    assert.equal(at(v2(0x22, 0x11, ADDR4)), 12);
    assert.equal(at(v2(0x21, 0x41, ADDR4)), 13);
    assert.equal(at(v2(0x21, 0x11, ADDR4.subarray(0, 11))), 14);
    assert.equal(at(v2(0x21, 0x11, Buffer.concat([ADDR4, Buffer.from('e10005616263', 'hex')]))), 28);
    assert.equal(at(v2(0x21, 0x11, Buffer.concat([ADDR4, tlvBytes(0x04, ''), Buffer.from([1])]))), 31);
  });
  test('carriesAddresses: only PROXY over TCP/IPv4 or TCP/IPv6 replaces the socket addresses (§2.3, §2.4)', async () => {
    const { carriesAddresses } = await import('./index.js');
    // Every family/transport byte under both commands: the decoded headers that carry addresses
    // are exactly PROXY 0x11 and 0x21; UDP (0x12, 0x22), UNIX (0x31, 0x32), UNSPEC and every
    // LOCAL header keep the real endpoints.
    const carrying: string[] = [];
    for (const verCmd of [0x20, 0x21]) {
      for (let famTrans = 0; famTrans < 256; famTrans++) {
        const block = LISTED[famTrans] ?? 0;
        const body = block === 12 ? ADDR4 : block === 36 ? ADDR6 : Buffer.alloc(block, 0x61);
        let header: ProxyHeader;
        try {
          header = complete(v2(verCmd, famTrans, body)).header;
        } catch {
          continue; // PROXY with an unlisted byte is refused before any address is read
        }
        if (carriesAddresses(header)) carrying.push(`${verCmd.toString(16)}/${famTrans.toString(16)}`);
      }
    }
    assert.deepEqual(carrying, ['21/11', '21/21']);
    const tcp6 = complete(Buffer.from('PROXY TCP6 2001:db8::1 2001:db8::2 51234 443\r\n')).header;
    assert.equal(carriesAddresses(tcp6), true);
    // The guard narrows: no null check is needed to read the advertised endpoint.
    if (carriesAddresses(tcp6)) assert.equal(`${tcp6.src}:${tcp6.srcPort}`, '2001:db8::1:51234');
    assert.equal(carriesAddresses(complete(Buffer.from('PROXY TCP4 192.0.2.1 198.51.100.7 51234 443\r\n')).header), true);
    assert.equal(carriesAddresses(complete(Buffer.from('PROXY UNKNOWN\r\n')).header), false);
    // A hand-built header with a missing field never counts, whatever its family says.
    const built: ProxyHeader = { ...tcp6, srcPort: null };
    assert.equal(carriesAddresses(built), false);
  });
});

describe('fail early inside the TLV area of a partial header (§1.3: abort as early as possible)', () => {
  // Each case: a header that is invalid because of a TLV header, and the index of the byte that
  // makes it impossible. Every shorter prefix must be incomplete; from that byte on, the error.
  const cases: [string, Buffer, number, ProxyErrorCode][] = [
    ['overrun', v2(0x21, 0x11, Buffer.concat([ADDR4, Buffer.from('e1000a', 'hex'), Buffer.alloc(5)])), 30, 'BAD_TLV'],
    // The high length byte 0xFF alone already overruns len (byte 34), before the low byte.
    ['second TLV overruns', v2(0x21, 0x11, Buffer.concat([ADDR4, tlvBytes(0x04, 'ab'), Buffer.from('e1ff00', 'hex'), Buffer.alloc(4)])), 34, 'BAD_TLV'],
    ['CRC32C of 5 bytes', v2(0x21, 0x11, Buffer.concat([ADDR4, tlvBytes(0x03, Buffer.alloc(5)), Buffer.alloc(4)])), 30, 'CRC_MISMATCH'],
    // Two checksums can never be valid, but whether the code is CRC_MISMATCH or BAD_TLV (the
    // second one overrunning len) depends on its length: decided at its 3rd byte (37).
    ['two CRC32C', v2(0x21, 0x11, Buffer.concat([ADDR4, tlvBytes(0x03, Buffer.alloc(4)), tlvBytes(0x03, Buffer.alloc(4))])), 37, 'CRC_MISMATCH'],
    // ... unless no low length byte could make it overrun: then its high byte decides.
    ['two CRC32C, room for any length', v2(0x21, 0x11, Buffer.concat([ADDR4, tlvBytes(0x03, Buffer.alloc(4)), Buffer.from('030000', 'hex'), tlvBytes(0xe1, Buffer.alloc(300))])), 36, 'CRC_MISMATCH'],
    // Decided by the first 1–2 bytes of a TLV header (found by the differential test against the
    // reference decoder: these prefixes used to answer 'incomplete' until the 3rd byte).
    ['SSL type with 4 bytes of room', v2(0x21, 0x11, Buffer.concat([ADDR4, tlvBytes(0x20, Buffer.alloc(4))])), 28, 'BAD_TLV'],
    ['high length byte overruns', v2(0x21, 0x11, Buffer.concat([ADDR4, Buffer.from('e10100', 'hex'), Buffer.alloc(200)])), 29, 'BAD_TLV'],
    ['CRC32C with a high length byte', v2(0x21, 0x11, Buffer.concat([ADDR4, Buffer.from('030100', 'hex'), Buffer.alloc(600)])), 29, 'CRC_MISMATCH'],
    ['CRC32C with a high length byte, could still overrun', v2(0x21, 0x11, Buffer.concat([ADDR4, Buffer.from('030100', 'hex'), Buffer.alloc(256)])), 30, 'CRC_MISMATCH'],
    // A CRC32C with no room for 4 bytes: BAD_TLV if its length overruns, CRC_MISMATCH if not —
    // so only its length byte decides (found by the fuzz campaign once the type byte did).
    ['CRC32C with 2 bytes of room', v2(0x20, 0x11, Buffer.concat([ADDR4, Buffer.from('030004', 'hex'), Buffer.alloc(2)])), 30, 'BAD_TLV'],
    ['UNIQUE_ID with a high length byte', v2(0x21, 0x11, Buffer.concat([ADDR4, Buffer.from('050100', 'hex'), Buffer.alloc(256)])), 29, 'BAD_TLV'],
    ['LOCAL: SSL type with no room', v2(0x20, 0x00, Buffer.from('2000020000', 'hex')), 16, 'BAD_TLV'],
    // SSL sub-TLVs are judged as they arrive (§3.4), not only once 16 + len bytes are in.
    ['SSL sub-TLV overruns the SSL value', v2(0x21, 0x11, Buffer.concat([ADDR4, Buffer.from('20000a0100000000210005', 'hex'), Buffer.alloc(2)])), 38, 'BAD_TLV'],
    ['SSL sub-TLV high length byte overruns', v2(0x21, 0x11, Buffer.concat([ADDR4, Buffer.from('20000a01000000002101', 'hex'), Buffer.alloc(3)])), 37, 'BAD_TLV'],
    ['2 stray bytes inside the SSL value', v2(0x21, 0x11, Buffer.concat([ADDR4, Buffer.from('20000a0100000000210000', 'hex'), Buffer.alloc(2)])), 38, 'BAD_TLV'],
    ['UNIQUE_ID of 129', v2(0x21, 0x11, Buffer.concat([ADDR4, tlvBytes(0x05, Buffer.alloc(129))])), 30, 'BAD_TLV'],
    ['SSL of 4', v2(0x21, 0x11, Buffer.concat([ADDR4, tlvBytes(0x20, Buffer.alloc(4)), Buffer.alloc(3)])), 30, 'BAD_TLV'],
    ['2 stray bytes (len 14)', v2(0x21, 0x11, Buffer.concat([ADDR4, Buffer.from('e100', 'hex')])), 15, 'BAD_TLV'],
    ['LOCAL: stray bytes after a TLV', v2(0x20, 0x41, Buffer.concat([tlvBytes(0x04, 'x'), Buffer.from([1])])), 18, 'BAD_TLV'],
    ['LOCAL with block: overrun after it', v2(0x20, 0x11, Buffer.concat([ADDR4, Buffer.from('e10009', 'hex'), Buffer.alloc(2)])), 30, 'BAD_TLV'],
  ];
  for (const [name, header, decidingByte, code] of cases) {
    test(name, () => {
      for (let n = 0; n <= header.length; n++) {
        const prefix = header.subarray(0, n);
        if (n <= decidingByte) assert.deepEqual(decode(prefix), { status: 'incomplete' }, `${n} bytes`);
        else rejects(prefix, code);
      }
      // The same through the incremental decoder, one byte at a time.
      const d = new ProxyHeaderDecoder();
      for (let i = 0; i < header.length; i++) {
        if (i < decidingByte) {
          assert.equal(d.push(header.subarray(i, i + 1)).status, 'incomplete');
        } else {
          assert.throws(() => d.push(header.subarray(i, i + 1)), (e: unknown) => e instanceof ProxyProtocolError && e.code === code);
          break;
        }
      }
    });
  }
  test('one code for the same bytes however much has arrived (SSL sub-TLV error before a bad CRC32C)', () => {
    // Found by the fuzz campaign (docs/benchmarks.md) and the differential test: prefixes of 42–44
    // bytes used to throw CRC_MISMATCH (the CRC32C TLV header, checked early) while the whole
    // 45 bytes threw BAD_TLV (the SSL sub-TLV before it, checked only on the whole header).
    const header = Buffer.from('0d0a0d0a000d0a515549540a2111001dc0000201c6336407c82201bb2000080100000000210005030003000000', 'hex');
    rejects(header, 'BAD_TLV');
    for (let n = 0; n < header.length; n++) {
      const prefix = header.subarray(0, n);
      if (n <= 38) assert.deepEqual(decode(prefix), { status: 'incomplete' }, `${n} bytes`);
      else rejects(prefix, 'BAD_TLV');
    }
    const d = new ProxyHeaderDecoder();
    assert.throws(() => {
      for (let i = 0; i < header.length; i++) d.push(header.subarray(i, i + 1));
    }, (e: unknown) => e instanceof ProxyProtocolError && e.code === 'BAD_TLV');
  });
  test('a drip-fed SSL TLV of 16000 empty sub-TLVs decodes with each sub-TLV header checked once', () => {
    const subs = Buffer.alloc(16000 * 3);
    for (let i = 0; i < subs.length; i += 3) subs[i] = 0x21;
    const ssl = Buffer.concat([Buffer.from([0x20, (5 + subs.length) >> 8, (5 + subs.length) & 0xff, 1, 0, 0, 0, 0]), subs]);
    const header = v2(0x21, 0x11, Buffer.concat([ADDR4, ssl]));
    const d = new ProxyHeaderDecoder({ maxHeaderBytes: 65551 });
    let r: ReturnType<ProxyHeaderDecoder['push']> = { status: 'incomplete' };
    for (let i = 0; i < header.length; i++) r = d.push(header.subarray(i, i + 1));
    assert.equal(r.status, 'complete');
    if (r.status === 'complete') assert.equal(r.header.tlvs[0]!.value.length, 5 + subs.length);
  });
  test('a drip-fed header of 5000 empty TLVs decodes with each TLV header checked once', () => {
    const header = v2(0x21, 0x11, Buffer.concat([ADDR4, Buffer.alloc(5000 * 3, 0)].map((b, i) => (i === 0 ? b : Buffer.from(b.map((_, j) => (j % 3 === 0 ? 0x04 : 0)))))));
    const d = new ProxyHeaderDecoder();
    let r: ReturnType<ProxyHeaderDecoder['push']> = { status: 'incomplete' };
    for (let i = 0; i < header.length; i++) r = d.push(header.subarray(i, i + 1));
    assert.equal(r.status, 'complete');
    if (r.status === 'complete') assert.equal(r.header.tlvs.length, 5000);
  });
});
