// The rules each registered TLV type adds to the generic format (§3.2–§3.4), stated once for the
// whole-header decoder, the partial-header check of the stream decoder and the encoder (which
// refuses to write what decode would refuse).
import { PP2_TYPE } from './constants.js';
import { ProxyProtocolError } from './errors.js';
import { CRC32C_VALUE_BYTES, MAX_UNIQUE_ID_BYTES, MIN_SSL_VALUE_BYTES } from './limits.js';

/**
 * How a broken CRC32C rule is reported: a received header says CRC_MISMATCH (the checksum cannot
 * be checked), a header we are asked to write says BAD_TLV (a bad argument, not a bad peer).
 */
export type CrcRuleCode = 'CRC_MISMATCH' | 'BAD_TLV';

/**
 * Throws unless a TLV of `type` with a `length`-byte value obeys its type's rule; `crcSeen`
 * says a CRC32C TLV came earlier in the same header. Returns true for a CRC32C TLV (the caller
 * notes where its checksum is). SSL's sub-TLV framing is the caller's (it may be partial).
 * - CRC32C: exactly 4 bytes, at most once (§3.3). A second checksum is ambiguous (which bytes
 *   were zeroed when it was computed?) and is refused rather than letting one go unchecked.
 * - UNIQUE_ID: at most 128 bytes (§3.2): an id that travels across hops and into logs stays
 *   bounded.
 * - SSL: at least client (1) + verify (4) bytes (§3.4): a shorter value would make readers
 *   index past it.
 */
export function checkTlvRule(
  type: number, length: number, crcSeen: boolean, offset: number | undefined, crcCode: CrcRuleCode,
): boolean {
  // Small on purpose (the messages are built in `broken`): the hot TLV walks inline it.
  if (type === PP2_TYPE.CRC32C) {
    if (length !== CRC32C_VALUE_BYTES || crcSeen) broken(type, length, offset, crcCode);
    return true;
  }
  if ((type === PP2_TYPE.UNIQUE_ID && length > MAX_UNIQUE_ID_BYTES) || (type === PP2_TYPE.SSL && length < MIN_SSL_VALUE_BYTES)) {
    broken(type, length, offset, crcCode);
  }
  return false;
}

/** The error for a TLV that `checkTlvRule` found broken. */
function broken(type: number, length: number, offset: number | undefined, crcCode: CrcRuleCode): never {
  const [code, message]: [CrcRuleCode, string] =
    type === PP2_TYPE.CRC32C
      ? [crcCode, length !== CRC32C_VALUE_BYTES ? `CRC32C TLV of ${length} bytes (must be ${CRC32C_VALUE_BYTES})` : 'more than one CRC32C TLV']
      : type === PP2_TYPE.UNIQUE_ID
        ? ['BAD_TLV', `UNIQUE_ID of ${length} bytes (max ${MAX_UNIQUE_ID_BYTES})`]
        : ['BAD_TLV', `SSL TLV of ${length} bytes (min ${MIN_SSL_VALUE_BYTES})`];
  throw new ProxyProtocolError(code, message, offset === undefined ? undefined : { offset });
}
