// Which version a stream speaks (§2.6), decided in one place for decode(), the stream decoder and
// callers that only sniff. The first byte alone picks the candidate: 'P' (0x50) can only begin the
// v1 prefix `PROXY `, 0x0D only the v2 signature; anything else is not a PROXY header. No
// sniffing, no fallback to "maybe plain traffic": a listener that requires a header refuses the
// rest (§1.3), so a direct client can never pass for a proxied one.
import { PP1_PREFIX, PP2_SIGNATURE, PP2_SIGNATURE_BYTES, PP2_VERSION } from './constants.js';

/** "PROXY " as bytes (§1.1): upper case, exactly one space. */
const V1_PREFIX: Readonly<Uint8Array> = Uint8Array.from(PP1_PREFIX, (c) => c.charCodeAt(0));
/** Bytes of the v1 prefix: the v1 decoder's fields start right after it. */
export const V1_PREFIX_BYTES = PP1_PREFIX.length;
/** Offset of the v2 version/command byte, right after the signature (§2.1). */
const V2_VER_CMD_AT = PP2_SIGNATURE_BYTES;

export type DetectedVersion = 1 | 2 | 'not-proxy' | 'incomplete';

/** The version whose prefix can begin with byte `b0`, or 0 when none can. */
export function versionOfFirstByte(b0: number): 0 | 1 | 2 {
  return b0 === PP2_SIGNATURE[0] ? 2 : b0 === V1_PREFIX[0] ? 1 : 0;
}

/** Big-endian 32-bit word at `at`. */
function word(bytes: Readonly<Uint8Array>, at: number): number {
  return ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;
}
/** The signature as three words: a full signature is matched in three comparisons, no loop. */
const SIG_WORD_0 = word(PP2_SIGNATURE, 0);
const SIG_WORD_1 = word(PP2_SIGNATURE, 4);
const SIG_WORD_2 = word(PP2_SIGNATURE, 8);

/** True while `input[1..n)` matches `expected` (byte 0 was matched by the caller). */
function matchesFrom1(input: Uint8Array, expected: Readonly<Uint8Array>, n: number): boolean {
  for (let i = 1; i < n; i++) if (input[i] !== expected[i]) return false;
  return true;
}

/**
 * 1 or 2 once the bytes seen so far match the v1 prefix `PROXY ` or the v2 signature
 * (plus version nibble 2, §2.2) in full, 'incomplete' while they are a proper prefix of one,
 * 'not-proxy' as soon as they cannot begin either. Detection only: `decode` validates the rest.
 * After a full signature a version other than 2 is not a header we speak (HAProxy: PRX_NOT_HDR),
 * never a v1/v3 guess.
 */
export function detectVersion(input: Uint8Array): DetectedVersion {
  const available = input.length;
  if (available === 0) return 'incomplete';
  const version = versionOfFirstByte(input[0]!);
  if (version === 2) {
    if (available <= V2_VER_CMD_AT) {
      return matchesFrom1(input, PP2_SIGNATURE, available) ? 'incomplete' : 'not-proxy';
    }
    if (word(input, 0) !== SIG_WORD_0 || word(input, 4) !== SIG_WORD_1 || word(input, 8) !== SIG_WORD_2) return 'not-proxy';
    return input[V2_VER_CMD_AT]! >> 4 === PP2_VERSION >> 4 ? 2 : 'not-proxy';
  }
  if (version === 1) {
    if (available < V1_PREFIX_BYTES) return matchesFrom1(input, V1_PREFIX, available) ? 'incomplete' : 'not-proxy';
    return matchesFrom1(input, V1_PREFIX, V1_PREFIX_BYTES) ? 1 : 'not-proxy';
  }
  return 'not-proxy';
}
