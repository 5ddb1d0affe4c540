// Property tests (fast-check) for the codec's contract, bounded so the whole file runs in a few
// seconds inside `npm test`; `npm run fuzz` runs the same invariants for millions of inputs.
//   1. decode never throws anything but ProxyProtocolError, on arbitrary bytes and on mutated
//      valid headers (a TypeError or RangeError from a crafted header would crash a server);
//   2. it never reads past `length`: length ≤ input length, and the result is the same whatever
//      follows the header (payload bytes must never change how a header is read); caps only
//      refuse (a cap of exactly `length` changes nothing, one byte less is TOO_LARGE);
//   3. an accepted header re-encodes, and that encoding decodes to the same value;
//   4. canonical headers and random TLV lists round-trip exactly (with and without CRC32C);
//   5. the incremental decoder agrees with decode for every chunking of the same bytes.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SocketAddress } from 'node:net';
import fc from 'fast-check';
import { decode, encode, ProxyHeaderDecoder, ProxyProtocolError, PP2_SIGNATURE } from './index.js';
import type { DecodeOptions, DecodeResult, ProxyHeader, Tlv } from './index.js';
import { readSsl, sslTlv } from './tlv/ssl.js';
import { readAwsVpceId } from './tlv/aws.js';
import { readAzureLinkId } from './tlv/azure.js';
import { gcpPscConnectionIdString } from './tlv/gcp.js';
import { streamDecoderRefusesSize } from '../fuzz/invariants.js';

const SIGNATURE = Uint8Array.from(PP2_SIGNATURE);
/** Codes decode may throw; the others describe socket events or policy, never bytes alone. */
const DECODE_CODES = new Set(['NOT_HDR', 'BAD_HDR', 'BAD_PROTO', 'TOO_LARGE', 'BAD_TLV', 'CRC_MISMATCH']);

// ---------------------------------------------------------------- helpers
type Outcome = { kind: 'complete'; header: unknown; length: number } | { kind: 'incomplete' } | { kind: 'not-proxy' } | { kind: 'error'; code: string };

const hex = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');

/** A plain, comparable view of a header: TLV values as hex, `protocol` present as null for v2. */
function normalise(header: ProxyHeader): unknown {
  return {
    version: header.version, command: header.command, protocol: header.protocol ?? null, family: header.family,
    transport: header.transport, src: header.src, srcPort: header.srcPort, dst: header.dst, dstPort: header.dstPort,
    tlvs: header.tlvs.map((t) => ({ type: t.type, value: hex(t.value) })),
  };
}

function outcomeOf(input: Uint8Array): Outcome {
  let result: DecodeResult;
  try {
    result = decode(input);
  } catch (error) {
    assert.ok(error instanceof ProxyProtocolError, `decode threw a non-ProxyProtocolError for ${hex(input)}: ${String(error)}`);
    assert.ok(DECODE_CODES.has(error.code), `decode threw ${error.code} for ${hex(input)}`);
    return { kind: 'error', code: error.code };
  }
  if (result.status === 'complete') {
    assert.ok(Number.isInteger(result.length) && result.length > 0 && result.length <= input.length, `length ${result.length} for ${input.length} input bytes`);
    return { kind: 'complete', header: normalise(result.header), length: result.length };
  }
  assert.ok(result.status === 'incomplete' || result.status === 'not-proxy', `status ${String((result as { status: unknown }).status)}`);
  return { kind: result.status };
}

/**
 * decode() applies the v2 cap to complete headers only (it buffers nothing); the stream decoder
 * refuses as soon as `len` announces more than its default 16 KiB cap.
 */
function asStreamDecoderSees(input: Uint8Array, outcome: Outcome): Outcome {
  return streamDecoderRefusesSize(input) ? { kind: 'error', code: 'TOO_LARGE' } : outcome;
}

/** Invariants 1–3 for one input. */
function checkInput(input: Uint8Array, suffix: Uint8Array): void {
  const outcome = outcomeOf(input);
  if (outcome.kind !== 'complete') return;
  const { length } = outcome;
  // 2. Bytes after `length` do not matter: cut them, or replace them with anything.
  assert.deepEqual(outcomeOf(input.subarray(0, length)), outcome, 'result changed when the bytes after length were removed');
  const replaced = new Uint8Array(length + suffix.length);
  replaced.set(input.subarray(0, length));
  replaced.set(suffix, length);
  assert.deepEqual(outcomeOf(replaced), outcome, 'result changed when the bytes after length were replaced');
  // Caps only ever refuse: at exactly `length` the same result, one byte lower TOO_LARGE.
  const isV1 = input[0] === 0x50;
  const cap = (n: number): DecodeOptions => (isV1 ? { maxV1HeaderBytes: n } : { maxHeaderBytes: n });
  assert.deepEqual(normalise((decode(input, cap(length)) as { header: ProxyHeader }).header), outcome.header, 'a cap of exactly length changed the result');
  if (length - 1 >= (isV1 ? 15 : 16)) {
    assert.throws(() => decode(input, cap(length - 1)), (error: unknown) => error instanceof ProxyProtocolError && error.code === 'TOO_LARGE');
  }
  // 3. Re-encode: decode(encode(h)) keeps what a receiver relies on, and is a fixpoint.
  const result = decode(input);
  assert.equal(result.status, 'complete');
  if (result.status !== 'complete') return;
  const h = result.header;
  // Address text is canonical: what Node's SocketAddress prints (§1.6), checked against Node.
  for (const address of [h.src, h.dst]) {
    if (address === null || (h.family !== 'INET' && h.family !== 'INET6')) continue;
    assert.equal(new SocketAddress({ address, family: h.family === 'INET6' ? 'ipv6' : 'ipv4' }).address, address, 'address text is not canonical');
  }
  const bytes = encode(h);
  const again = decode(bytes);
  assert.equal(again.status, 'complete', `re-encoded header ${bytes.toString('hex')} did not decode`);
  if (again.status !== 'complete') return;
  assert.equal(again.length, bytes.length);
  const h2 = again.header;
  assert.equal(h2.version, h.version);
  // TLVs keep their order and values; the CRC32C value is a function of the whole header and
  // legitimately changes when re-encoding drops bytes that do not survive (a LOCAL header's
  // address block, §2.4), so only its presence is compared.
  const tlvsOf = (x: ProxyHeader): string[] => x.tlvs.map((t) => (t.type === 0x03 ? 'crc32c' : `${t.type}:${hex(t.value)}`));
  assert.deepEqual(tlvsOf(h2), tlvsOf(h), 'TLVs changed on re-encode');
  if (h.src !== null) {
    // A header that names the client must keep naming the same client.
    for (const key of ['command', 'family', 'transport', 'src', 'srcPort', 'dst', 'dstPort'] as const) {
      assert.equal(h2[key], h[key], `${key} changed on re-encode of ${hex(input.subarray(0, length))}`);
    }
  } else {
    assert.equal(h2.src, null, 'a header without addresses gained some on re-encode');
  }
  assert.equal(encode(h2).toString('hex'), bytes.toString('hex'), 'encode(decode(encode(h))) is not a fixpoint');
}

// ---------------------------------------------------------------- arbitraries
const octet = fc.integer({ min: 0, max: 255 });
const ipv4 = fc.tuple(octet, octet, octet, octet).map((o) => o.join('.'));
// Groups biased towards 0 and 0xffff so `::` compression, mapped and compatible forms show up.
const group = fc.oneof(fc.constant(0), fc.constant(0xffff), fc.integer({ min: 0, max: 0xffff }));
const ipv6 = fc.array(group, { minLength: 8, maxLength: 8 }).map((groups) =>
  // The oracle for canonical text is Node's own (what the codec promises to match, §1.6).
  new SocketAddress({ address: groups.map((g) => g.toString(16)).join(':'), family: 'ipv6' }).address,
);
const port = fc.integer({ min: 0, max: 65535 });
const unixPath = fc.string({ unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: 107 });

/**
 * Random TLVs: any type with random bytes, except the types whose value has rules decode
 * enforces: CRC32C (0x03, computed by encode), UNIQUE_ID (0x05) only up to its 128-byte cap,
 * and SSL (0x20), which must frame its sub-TLVs (§3.4) and is built by `sslTlv` instead.
 */
const text = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 24 });
const sslTlvArb: fc.Arbitrary<Tlv> = fc
  .record(
    { client: fc.integer({ min: 0, max: 7 }), verify: fc.nat(), version: text, cn: text, cipher: text, clientCert: fc.uint8Array({ maxLength: 16 }) },
    { requiredKeys: ['client', 'verify'] },
  )
  .map((fields) => sslTlv(fields));
const tlv: fc.Arbitrary<Tlv> = fc.oneof(
  { arbitrary: fc.record({ type: fc.integer({ min: 0, max: 255 }), value: fc.uint8Array({ maxLength: 48 }) })
    .filter((t) => t.type !== 0x03 && t.type !== 0x20 && !(t.type === 0x05 && t.value.length > 128)), weight: 9 },
  { arbitrary: sslTlvArb, weight: 1 },
);
const tlvList = fc.array(tlv, { maxLength: 8 });

/** Canonical headers: exactly what decode returns, and what encode turns back into bytes. */
const canonicalHeader: fc.Arbitrary<ProxyHeader> = fc.oneof(
  fc.record({ src: ipv4, dst: ipv4, srcPort: port, dstPort: port }).map((a): ProxyHeader => ({ version: 1, command: 'PROXY', protocol: 'TCP4', family: 'INET', transport: 'STREAM', ...a, tlvs: [] })),
  fc.record({ src: ipv6, dst: ipv6, srcPort: port, dstPort: port }).map((a): ProxyHeader => ({ version: 1, command: 'PROXY', protocol: 'TCP6', family: 'INET6', transport: 'STREAM', ...a, tlvs: [] })),
  fc.constant<ProxyHeader>({ version: 1, command: 'PROXY', protocol: 'UNKNOWN', family: 'UNSPEC', transport: 'UNSPEC', src: null, srcPort: null, dst: null, dstPort: null, tlvs: [] }),
  fc.record({ src: ipv4, dst: ipv4, srcPort: port, dstPort: port, transport: fc.constantFrom('STREAM' as const, 'DGRAM' as const), tlvs: tlvList })
    .map((a): ProxyHeader => ({ version: 2, command: 'PROXY', family: 'INET', ...a })),
  fc.record({ src: ipv6, dst: ipv6, srcPort: port, dstPort: port, transport: fc.constantFrom('STREAM' as const, 'DGRAM' as const), tlvs: tlvList })
    .map((a): ProxyHeader => ({ version: 2, command: 'PROXY', family: 'INET6', ...a })),
  fc.record({ src: unixPath, dst: unixPath, transport: fc.constantFrom('STREAM' as const, 'DGRAM' as const), tlvs: tlvList })
    .map((a): ProxyHeader => ({ version: 2, command: 'PROXY', family: 'UNIX', srcPort: null, dstPort: null, ...a })),
  tlvList.map((tlvs): ProxyHeader => ({ version: 2, command: 'LOCAL', family: 'UNSPEC', transport: 'UNSPEC', src: null, srcPort: null, dst: null, dstPort: null, tlvs })),
);

const validBytes = fc.tuple(canonicalHeader, fc.boolean()).map(([h, crc]) => encode(h, { crc32c: crc && h.version === 2 }));

/** Byte-level mutations of a valid header: flip, overwrite, insert, delete, truncate. */
const mutation = fc.record({ kind: fc.constantFrom('flip', 'set', 'insert', 'delete', 'truncate'), at: fc.nat(), byte: octet, bit: fc.integer({ min: 0, max: 7 }) });
function mutate(bytes: Uint8Array, ops: { kind: string; at: number; byte: number; bit: number }[]): Uint8Array {
  let out = Uint8Array.from(bytes);
  for (const op of ops) {
    if (out.length === 0) break;
    const at = op.at % out.length;
    if (op.kind === 'flip') out[at] = (out[at] as number) ^ (1 << op.bit);
    else if (op.kind === 'set') out[at] = op.byte;
    else if (op.kind === 'insert') out = Uint8Array.from([...out.subarray(0, at), op.byte, ...out.subarray(at)]);
    else if (op.kind === 'delete') out = Uint8Array.from([...out.subarray(0, at), ...out.subarray(at + 1)]);
    else out = out.slice(0, at);
  }
  return out;
}
const mutatedBytes = fc.tuple(validBytes, fc.array(mutation, { minLength: 1, maxLength: 4 })).map(([bytes, ops]) => mutate(bytes, ops));

const concat = (...parts: Uint8Array[]): Uint8Array => Uint8Array.from(Buffer.concat(parts));
const v1Alphabet = fc.constantFrom(...'PROXY TCP46UNKNOW0123456789abcdef.:\r\n'.split(''));
/** Inputs that get past detection: signature- or "PROXY "-prefixed noise, v1-alphabet text. */
const arbitraryBytes = fc.oneof(
  fc.uint8Array({ maxLength: 120 }),
  fc.uint8Array({ maxLength: 120 }).map((rest) => concat(SIGNATURE, rest)),
  fc.tuple(fc.constantFrom(0x20, 0x21), fc.constantFrom(0x00, 0x11, 0x12, 0x21, 0x22, 0x31, 0x32, 0x13, 0x41), fc.integer({ min: 0, max: 80 }), fc.uint8Array({ maxLength: 100 }))
    .map(([vc, fam, len, rest]) => concat(SIGNATURE, Uint8Array.of(vc, fam, len >> 8, len & 0xff), rest)),
  fc.string({ unit: v1Alphabet, maxLength: 110 }).map((text) => Uint8Array.from(Buffer.from(`PROXY ${text}`, 'latin1'))),
);
const anyInput = fc.oneof(arbitraryBytes, mutatedBytes, validBytes);
const suffix = fc.uint8Array({ maxLength: 24 });

// ---------------------------------------------------------------- properties
describe('codec properties (fast-check)', () => {
  it('decode throws only ProxyProtocolError and never reads past length, on arbitrary bytes', () => {
    fc.assert(fc.property(arbitraryBytes, suffix, (input, tail) => checkInput(input, tail)), { numRuns: 2000 });
  });

  it('decode throws only ProxyProtocolError and never reads past length, on mutated valid headers', () => {
    fc.assert(fc.property(mutatedBytes, suffix, (input, tail) => checkInput(input, tail)), { numRuns: 2000 });
  });

  it('canonical headers round-trip exactly: decode(encode(h)) = h', () => {
    fc.assert(
      fc.property(canonicalHeader, suffix, (h, tail) => {
        const bytes = encode(h);
        const result = decode(concat(bytes, tail));
        assert.equal(result.status, 'complete');
        if (result.status !== 'complete') return;
        assert.equal(result.length, bytes.length);
        assert.deepEqual(normalise(result.header), normalise(h));
      }),
      { numRuns: 1000 },
    );
  });

  it('random TLV lists round-trip in order, with and without CRC32C', () => {
    fc.assert(
      fc.property(ipv4, ipv4, port, port, tlvList, fc.boolean(), (src, dst, srcPort, dstPort, tlvs, crc) => {
        const bytes = encode({ version: 2, src, srcPort, dst, dstPort, tlvs }, { crc32c: crc });
        const result = decode(bytes);
        assert.equal(result.status, 'complete');
        if (result.status !== 'complete') return;
        const got = result.header.tlvs.map((t) => ({ type: t.type, value: hex(t.value) }));
        const want = tlvs.map((t) => ({ type: t.type, value: hex(t.value) }));
        if (crc) {
          // The CRC32C TLV is appended after the given ones (§2.8) and has been verified by decode.
          const last = got.pop();
          assert.equal(last?.type, 0x03);
          assert.equal(last?.value.length, 8);
        }
        assert.deepEqual(got, want);
      }),
      { numRuns: 1000 },
    );
  });

  it('a corrupted byte inside a CRC32C-protected header is rejected', () => {
    fc.assert(
      fc.property(ipv4, ipv4, port, port, tlvList, fc.nat(), fc.integer({ min: 1, max: 255 }), (src, dst, srcPort, dstPort, tlvs, at, xor) => {
        const bytes = encode({ version: 2, src, srcPort, dst, dstPort, tlvs }, { crc32c: true });
        // Any byte after the fixed 16 may be hit; it must be caught by the CRC, or by the TLV walk
        // if framing broke. One hole is inherent to the protocol (§3.3: the CRC TLV is optional):
        // turning the CRC TLV's own type byte into another type just drops the check. The encoder
        // appends the CRC TLV last, so its type byte sits 7 bytes before the end: skip it.
        const crcTypeAt = bytes.length - 7;
        let index = 16 + (at % (bytes.length - 16));
        if (index === crcTypeAt) index = 16;
        const corrupted = Buffer.from(bytes);
        corrupted[index] = (corrupted[index] as number) ^ xor;
        const outcome = outcomeOf(corrupted);
        // A corrupted length byte can also re-frame the TLVs so that the CRC TLV is swallowed by
        // the one before it: then no CRC32C TLV is left, nothing claims integrity, and that is the
        // same inherent hole. What must never happen is a header that still carries a CRC32C TLV.
        if (outcome.kind === 'complete') {
          const tlvTypes = (outcome.header as { tlvs: { type: number }[] }).tlvs.map((t) => t.type);
          assert.ok(!tlvTypes.includes(0x03), `corrupted byte ${index} accepted with a CRC32C TLV: ${corrupted.toString('hex')}`);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('typed TLV readers return a value or undefined, or throw BAD_TLV, on arbitrary values', () => {
    const readers = [readSsl, readAwsVpceId, readAzureLinkId, gcpPscConnectionIdString];
    const value = fc.oneof(fc.uint8Array({ maxLength: 40 }), fc.uint8Array({ maxLength: 40 }).map((rest) => concat(Uint8Array.of(1), rest)));
    const vendorTlv = fc.record({ type: fc.constantFrom(0x20, 0xe0, 0xea, 0xee), value });
    fc.assert(
      fc.property(fc.array(vendorTlv, { maxLength: 4 }), (tlvs) => {
        const h: ProxyHeader = { version: 2, command: 'LOCAL', family: 'UNSPEC', transport: 'UNSPEC', src: null, srcPort: null, dst: null, dstPort: null, tlvs };
        for (const read of readers) {
          try {
            read(h);
          } catch (error) {
            assert.ok(error instanceof ProxyProtocolError && error.code === 'BAD_TLV', `${read.name}: ${String(error)}`);
          }
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('the incremental decoder agrees with decode for random chunkings', () => {
    const chunking = fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 30 });
    fc.assert(
      fc.property(anyInput, suffix, chunking, (header, tail, sizes) => {
        const input = concat(header, tail);
        const expected = asStreamDecoderSees(input, outcomeOf(input));
        const decoder = new ProxyHeaderDecoder();
        let offset = 0;
        let k = 0;
        let got: Outcome = { kind: 'incomplete' };
        let rest: Buffer | undefined;
        let fedUpTo = 0;
        while (offset < input.length) {
          const size = sizes[k++ % sizes.length] as number;
          const chunk = input.subarray(offset, offset + size);
          offset += chunk.length;
          try {
            const step = decoder.push(chunk);
            if (step.status === 'complete') {
              got = { kind: 'complete', header: normalise(step.header), length: step.length };
              rest = step.rest;
              fedUpTo = offset;
              break;
            }
            got = { kind: step.status };
            if (step.status === 'not-proxy') break;
          } catch (error) {
            assert.ok(error instanceof ProxyProtocolError, `push threw ${String(error)}`);
            got = { kind: 'error', code: error.code };
            break;
          }
        }
        assert.deepEqual(got, expected, `chunking ${JSON.stringify(sizes)} of ${hex(input)}`);
        if (got.kind === 'complete') {
          // The bytes after the header in the chunks fed so far come back untouched.
          assert.equal(hex(rest ?? new Uint8Array()), hex(input.subarray(got.length, fedUpTo)));
          assert.throws(() => decoder.push(Uint8Array.of(0)));
        }
        if (got.kind === 'incomplete') {
          assert.equal(decoder.bufferedBytes, input.length);
          assert.throws(() => decoder.end(), (error: unknown) => error instanceof ProxyProtocolError && error.code === (input.length === 0 ? 'EMPTY' : 'TRUNCATED'));
        }
      }),
      { numRuns: 1500 },
    );
  });
});
