// The invariants the fuzz campaign checks on every input (the same ones src/property.test.ts
// states with fast-check). Each check returns a failure message, or undefined when it holds.
// Written for throughput: no assertion library, one normalisation per accepted header.
import { SocketAddress } from 'node:net';
import { decode, DEFAULT_MAX_V2_HEADER_BYTES, encode, ProxyHeaderDecoder, ProxyProtocolError } from '../src/index.js';
import type { DecodeOptions, DecodeResult, ProxyHeader } from '../src/index.js';
import { readSsl } from '../src/tlv/ssl.js';
import { readAwsVpceId } from '../src/tlv/aws.js';
import { readAzureLinkId } from '../src/tlv/azure.js';
import { gcpPscConnectionIdString } from '../src/tlv/gcp.js';

const TYPED_READERS: readonly ((h: ProxyHeader) => unknown)[] = [readSsl, readAwsVpceId, readAzureLinkId, gcpPscConnectionIdString];

/** Codes decode may throw; EMPTY/ABORT/TIMEOUT/TRUNCATED/UNTRUSTED_SOURCE describe sockets and policy. */
export const DECODE_CODES: ReadonlySet<string> = new Set(['NOT_HDR', 'BAD_HDR', 'BAD_PROTO', 'TOO_LARGE', 'BAD_TLV', 'CRC_MISMATCH']);

export type Outcome =
  | { kind: 'complete'; key: string; length: number; header: ProxyHeader }
  | { kind: 'incomplete' }
  | { kind: 'not-proxy' }
  | { kind: 'error'; code: string };

/** A broken invariant; `category` groups failures of one kind so a campaign can keep going. */
export class InvariantFailure extends Error {
  readonly category: string;
  constructor(category: string, message: string) {
    super(message);
    this.category = category;
  }
}

const hex = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');

/** A string that identifies a decoded header's value (TLV values by content, not identity). */
export function headerKey(h: ProxyHeader): string {
  return `${h.version}|${h.command}|${h.protocol ?? ''}|${h.family}|${h.transport}|${JSON.stringify(h.src)}|${h.srcPort}|${JSON.stringify(h.dst)}|${h.dstPort}|${tlvKey(h)}`;
}

function tlvKey(h: ProxyHeader): string {
  let key = '';
  for (const t of h.tlvs) key += `${t.type}:${hex(t.value)},`;
  return key;
}

/**
 * TLVs compared across a re-encode: the CRC32C value is left out, because it is a function of
 * the whole header and legitimately changes when re-encoding drops bytes that do not survive
 * (e.g. the address block a LOCAL header carried, §2.4).
 */
function tlvKeyWithoutCrcValue(h: ProxyHeader): string {
  let key = '';
  for (const t of h.tlvs) key += t.type === 0x03 ? '3:crc,' : `${t.type}:${hex(t.value)},`;
  return key;
}

const sameOutcome = (a: Outcome, b: Outcome): boolean =>
  a.kind === b.kind &&
  (a.kind !== 'complete' || (b.kind === 'complete' && a.key === b.key && a.length === b.length)) &&
  (a.kind !== 'error' || (b.kind === 'error' && a.code === b.code));
const show = (o: Outcome): string =>
  o.kind === 'complete' ? `complete(${o.length}) ${o.key}` : o.kind === 'error' ? `error ${o.code}` : o.kind;

/**
 * decode() applies the v2 cap to a complete header (it buffers nothing); the stream decoder,
 * which buffers, refuses as soon as a valid 16-byte prefix announces more than its cap.
 */
export function streamDecoderRefusesSize(input: Uint8Array): boolean {
  if (input.length < 16 || input[0] !== 0x0d) return false;
  const announced = 16 + ((input[14]! << 8) | input[15]!);
  return announced > DEFAULT_MAX_V2_HEADER_BYTES && outcomeOf(input.subarray(0, 16)).kind === 'incomplete';
}

function asStreamDecoderSees(input: Uint8Array, outcome: Outcome): Outcome {
  return streamDecoderRefusesSize(input) ? { kind: 'error', code: 'TOO_LARGE' } : outcome;
}

export function outcomeOf(input: Uint8Array): Outcome {
  return outcomeWith(input, undefined);
}

function outcomeWith(input: Uint8Array, options: DecodeOptions | undefined): Outcome {
  let result: DecodeResult;
  try {
    result = decode(input, options);
  } catch (error) {
    if (!(error instanceof ProxyProtocolError)) {
      throw new InvariantFailure('decode-foreign-error', `decode threw a non-ProxyProtocolError: ${error instanceof Error ? error.stack : String(error)}`);
    }
    if (!DECODE_CODES.has(error.code)) throw new InvariantFailure('decode-bad-code', `decode threw code ${error.code}`);
    return { kind: 'error', code: error.code };
  }
  if (result.status === 'complete') {
    const { length } = result;
    if (!Number.isInteger(length) || length <= 0 || length > input.length) {
      throw new InvariantFailure('length-past-input', `length ${length} for an input of ${input.length} bytes`);
    }
    return { kind: 'complete', key: headerKey(result.header), length, header: result.header };
  }
  if (result.status !== 'incomplete' && result.status !== 'not-proxy') throw new InvariantFailure('unknown-status', `unknown status ${String((result as { status: unknown }).status)}`);
  return { kind: result.status };
}

/**
 * Checks every invariant for one input and returns its outcome. `noise` supplies the bytes
 * that replace the tail after the header and the chunk sizes for the incremental decoder.
 */
export function checkInput(input: Uint8Array, noise: () => number): Outcome {
  const outcome = outcomeOf(input);

  if (outcome.kind === 'complete') {
    const { length } = outcome;
    // Never reads past length: the header alone, or the header plus different bytes, decode the same.
    const alone = outcomeOf(input.subarray(0, length));
    if (!sameOutcome(alone, outcome)) throw new InvariantFailure('reads-past-length', `header without its tail gave ${show(alone)}, with it ${show(outcome)}`);
    const tailLength = noise() & 31;
    const other = new Uint8Array(length + tailLength);
    other.set(input.subarray(0, length));
    for (let i = length; i < other.length; i++) other[i] = noise() & 0xff;
    const swapped = outcomeOf(other);
    if (!sameOutcome(swapped, outcome)) throw new InvariantFailure('reads-past-length', `changing the bytes after length changed the result: ${show(swapped)}`);

    // Caps only ever refuse, never change a result: at exactly `length` the header still
    // decodes the same; one byte lower it is TOO_LARGE (v1 cap ≥ 15, v2 cap ≥ 16 bytes).
    const v1 = outcome.header.version === 1;
    const atCap = outcomeWith(input, v1 ? { maxV1HeaderBytes: length } : { maxHeaderBytes: length });
    if (!sameOutcome(atCap, outcome)) throw new InvariantFailure('cap-changes-result', `a cap of exactly ${length} gave ${show(atCap)}`);
    if (length - 1 >= (v1 ? 15 : 16)) {
      const below = outcomeWith(input, v1 ? { maxV1HeaderBytes: length - 1 } : { maxHeaderBytes: length - 1 });
      if (below.kind !== 'error' || below.code !== 'TOO_LARGE') throw new InvariantFailure('cap-not-enforced', `a cap of ${length - 1} gave ${show(below)}`);
    }

    const h = outcome.header;
    // Address text is canonical (the contract): IPv6 exactly as Node's SocketAddress
    // prints it (inet_ntop form, §1.6), IPv4 a plain dotted quad. Checked against Node itself.
    for (const address of [h.src, h.dst]) {
      if (address === null || (h.family !== 'INET' && h.family !== 'INET6')) continue;
      const family = h.family === 'INET6' ? 'ipv6' : 'ipv4';
      let canonical: string;
      try {
        canonical = new SocketAddress({ address, family }).address;
      } catch {
        throw new InvariantFailure('address-not-canonical', `${family} address ${JSON.stringify(address)} is not valid text`);
      }
      if (canonical !== address) throw new InvariantFailure('address-not-canonical', `${family} address ${JSON.stringify(address)}, canonical ${canonical}`);
    }
    // The typed TLV readers run on whatever an accepted header carries: a value or undefined,
    // or BAD_TLV for a malformed value — never another exception.
    for (const read of TYPED_READERS) {
      try {
        read(h);
      } catch (error) {
        if (!(error instanceof ProxyProtocolError) || error.code !== 'BAD_TLV') {
          throw new InvariantFailure('typed-reader-error', `${read.name} threw ${error instanceof Error ? error.stack : String(error)}`);
        }
      }
    }

    // Re-encode: an accepted header encodes; that decodes to the same client and TLVs; fixpoint.
    let bytes: Buffer;
    try {
      bytes = encode(h);
    } catch (error) {
      throw new InvariantFailure('encode-refuses-accepted', `encode refused an accepted header ${outcome.key}: ${String(error)}`);
    }
    const again = outcomeOf(bytes);
    if (again.kind !== 'complete') throw new InvariantFailure('reencode-not-accepted', `re-encoded ${bytes.toString('hex')} gave ${show(again)}`);
    if (again.length !== bytes.length) throw new InvariantFailure('reencode-length', 're-encoded header length mismatch');
    const h2 = again.header;
    if (h2.version !== h.version || tlvKeyWithoutCrcValue(h2) !== tlvKeyWithoutCrcValue(h)) {
      throw new InvariantFailure('reencode-changed-tlvs', `re-encode changed version or TLVs: ${again.key} vs ${outcome.key}`);
    }
    if (h.src !== null) {
      if (h2.command !== h.command || h2.family !== h.family || h2.transport !== h.transport || h2.src !== h.src || h2.srcPort !== h.srcPort || h2.dst !== h.dst || h2.dstPort !== h.dstPort) {
        throw new InvariantFailure('reencode-changed-addresses', `re-encode changed the addresses: ${again.key} vs ${outcome.key}`);
      }
    } else if (h2.src !== null) {
      throw new InvariantFailure('reencode-invented-addresses', `re-encode invented addresses: ${again.key}`);
    }
    const third = encode(h2);
    if (!third.equals(bytes)) throw new InvariantFailure('reencode-not-fixpoint', `encode(decode(encode(h))) is not a fixpoint: ${third.toString('hex')} vs ${bytes.toString('hex')}`);
  }

  // The incremental decoder, fed random chunks, agrees with decode.
  const decoder = new ProxyHeaderDecoder();
  let offset = 0;
  let streamed: Outcome = { kind: 'incomplete' };
  let rest: Buffer | undefined;
  let fedUpTo = 0;
  while (offset < input.length) {
    const size = 1 + (noise() % (noise() & 1 ? 4 : 64));
    const chunk = input.subarray(offset, offset + size);
    offset += chunk.length;
    try {
      const step = decoder.push(chunk);
      if (step.status === 'complete') {
        streamed = { kind: 'complete', key: headerKey(step.header), length: step.length, header: step.header };
        rest = step.rest;
        fedUpTo = offset;
        break;
      }
      streamed = { kind: step.status };
      if (step.status === 'not-proxy') break;
    } catch (error) {
      if (!(error instanceof ProxyProtocolError)) throw new InvariantFailure('decoder-foreign-error', `push threw a non-ProxyProtocolError: ${String(error)}`);
      streamed = { kind: 'error', code: error.code };
      break;
    }
  }
  const streamExpected = asStreamDecoderSees(input, outcome);
  if (!sameOutcome(streamed, streamExpected)) throw new InvariantFailure('decoder-disagrees', `incremental decoder gave ${show(streamed)}, expected ${show(streamExpected)}`);
  if (streamed.kind === 'complete') {
    const expectedRest = input.subarray(streamed.length, fedUpTo);
    if (rest === undefined || !rest.equals(expectedRest)) throw new InvariantFailure('decoder-rest', 'incremental decoder did not hand back the bytes after the header untouched');
  } else if (streamed.kind === 'incomplete') {
    let code = '';
    try {
      decoder.end();
    } catch (error) {
      code = error instanceof ProxyProtocolError ? error.code : String(error);
    }
    const want = input.length === 0 ? 'EMPTY' : 'TRUNCATED';
    if (code !== want) throw new InvariantFailure('decoder-end', `end() on a partial header threw ${code || 'nothing'}, expected ${want}`);
  }
  return outcome;
}
