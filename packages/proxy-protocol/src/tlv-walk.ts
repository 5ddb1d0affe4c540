// The generic TLV walk (§3.1) and the per-type rules the decoder enforces (§3.2–§3.4). Shared by
// the v2 decoder (top level) and by anyone unpacking nested TLVs (the SSL sub-TLVs).
import { Buffer } from 'node:buffer';
import { PP2_SIGNATURE, PP2_SIGNATURE_BYTES, PP2_TYPE } from './constants.js';
import { crc32cUpdate, crc32cUpdateZeroWord } from './crc32c.js';
import { ProxyProtocolError } from './errors.js';
import type { Tlv } from './header.js';
import { CRC32C_VALUE_BYTES, MAX_UNIQUE_ID_BYTES, MIN_SSL_VALUE_BYTES, TLV_HEADER_BYTES } from './limits.js';
import { DecodedTlv } from './decoded-tlv.js';
import { checkTlvRule } from './tlv-rules.js';

/**
 * Raw CRC32C state after hashing the 12-byte v2 signature, which every header starts with.
 * Hashed from a Buffer, the type sockets hand over, so the CRC loop only ever sees one kind of
 * array on the hot path (a second kind would make every element load check two shapes).
 */
export const SIGNATURE_CRC_STATE = crc32cUpdate(-1, Buffer.from(PP2_SIGNATURE), 0, PP2_SIGNATURE_BYTES);

function badTlv(message: string, offset: number): never {
  throw new ProxyProtocolError('BAD_TLV', message, { offset });
}

/**
 * Where the TLV whose header is at `buf[pos]` ends, checked against `end` (§2.7, §3.1): it needs
 * its 3 header bytes and its whole value inside the range. An overrun or 1–2 stray bytes is
 * BAD_TLV: a TLV that reaches past the header would read the payload (or another client's
 * bytes) as metadata.
 */
function tlvEnd(buf: Uint8Array, pos: number, end: number): number {
  if (end - pos < TLV_HEADER_BYTES) strayBytes(pos, end);
  const valueEnd = pos + TLV_HEADER_BYTES + ((buf[pos + 1]! << 8) | buf[pos + 2]!);
  if (valueEnd > end) badTlv('TLV value overruns its enclosing length', pos);
  return valueEnd;
}

function strayBytes(pos: number, end: number): never {
  badTlv(`${end - pos} stray byte(s) after the last TLV`, pos);
}

/**
 * Checks that `buf[start..end)` is a sequence of whole TLVs landing exactly on `end` (see
 * `tlvEnd`). Returns the number of TLVs.
 */
export function checkTlvFraming(buf: Uint8Array, start: number, end: number): number {
  let count = 0;
  for (let pos = start; pos < end; pos = tlvEnd(buf, pos, end)) count++;
  return count;
}

/**
 * Walks `buf[start..end)` into TLVs whose values are views (subarray) of `buf`, in wire order,
 * duplicates kept (§3.1). Throws BAD_TLV on bad framing (see `tlvEnd`).
 */
export function walkTlvs(buf: Uint8Array, start = 0, end = buf.length): Tlv[] {
  const tlvs: Tlv[] = [];
  for (let pos = start; pos < end; ) {
    const valueEnd = tlvEnd(buf, pos, end);
    tlvs.push({ type: buf[pos]!, value: buf.subarray(pos + TLV_HEADER_BYTES, valueEnd) });
    pos = valueEnd;
  }
  return tlvs;
}

/**
 * The top-level TLVs of a v2 header `buf[0..end)`, starting at `start`, with each registered
 * type's own rules enforced (§3.2–§3.4) and the CRC32C verified when present (§3.3).
 */
export function decodeHeaderTlvs(buf: Uint8Array, start: number, end: number): Tlv[] {
  // Pass 1 validates everything (framing, per-type rules, checksum) before any TLV object is
  // made: a bad header costs no garbage, and pass 2 fills an array of the exact size.
  let count = 0;
  let crcAt = -1;
  for (let pos = start; pos < end; count++) {
    const valueEnd = tlvEnd(buf, pos, end);
    const type = buf[pos]!;
    const valueStart = pos + TLV_HEADER_BYTES;
    if (checkTlvRule(type, valueEnd - valueStart, crcAt >= 0, pos, 'CRC_MISMATCH')) crcAt = valueStart;
    // SSL sub-TLVs must frame exactly (§3.4): broken ones would be read from the next TLV's bytes.
    else if (type === PP2_TYPE.SSL) checkTlvFraming(buf, valueStart + MIN_SSL_VALUE_BYTES, valueEnd);
    pos = valueEnd;
  }
  if (crcAt >= 0) verifyCrc32c(buf, crcAt, end);

  // Values are views made on first read (decoded-tlv.ts): no subarray here.
  if (count === 1) return [new DecodedTlv(buf, start + TLV_HEADER_BYTES, end)];
  const tlvs = new Array<Tlv>(count);
  let pos = start;
  for (let i = 0; i < count; i++) {
    const valueStart = pos + TLV_HEADER_BYTES;
    const valueEnd = valueStart + ((buf[pos + 1]! << 8) | buf[pos + 2]!);
    tlvs[i] = new DecodedTlv(buf, valueStart, valueEnd);
    pos = valueEnd;
  }
  return tlvs;
}

/** How far a partial header's TLVs were checked, so a stream re-checks each TLV header once. */
export interface TlvProgress {
  /** Offset of the next TLV header to check (0: not started). */
  next: number;
  crcSeen: boolean;
  /** Inside the SSL TLV at `next` whose sub-TLVs are still arriving: the next sub-TLV header (0: none). */
  subNext: number;
}

/**
 * Fail early on a partial v2 header (§1.3: abort as early as possible): checks every TLV header
 * whose 3 bytes have arrived against `end` (16 + len) and its type's length rule, before the
 * values are in. A TLV that overruns `len`, 1–2 bytes left for a TLV header, a CRC32C that is not
 * 4 bytes or appears twice, an oversized UNIQUE_ID, a short SSL value or SSL sub-TLVs that do not
 * frame: none of these can become valid, so the peer is refused now rather than after it sent
 * (or stalled on) the rest. Only the checksum waits for the whole header. With
 * `progress` (the incremental decoder) each TLV header is looked at once over all chunks, so a
 * peer drip-feeding a header of many empty TLVs cannot cause quadratic work.
 */
export function checkPartialTlvs(
  buf: Uint8Array, available: number, start: number, end: number, progress: TlvProgress | undefined,
): void {
  let pos = progress !== undefined && progress.next > start ? progress.next : start;
  let crcSeen = progress?.crcSeen ?? false;
  let subNext = progress?.subNext ?? 0;
  while (pos < end) {
    if (end - pos < TLV_HEADER_BYTES) badTlv(`${end - pos} stray byte(s) after the last TLV`, pos);
    if (pos + TLV_HEADER_BYTES > available) {
      if (pos < available) checkTlvHeaderStart(buf, available, pos, end, crcSeen);
      break;
    }
    const type = buf[pos]!;
    const length = (buf[pos + 1]! << 8) | buf[pos + 2]!;
    if (pos + TLV_HEADER_BYTES + length > end) badTlv('TLV value overruns the header length', pos);
    if (checkTlvRule(type, length, crcSeen, pos, 'CRC_MISMATCH')) {
      crcSeen = true;
    } else if (type === PP2_TYPE.SSL) {
      // Its sub-TLVs are checked as they arrive too, in wire order, so the verdict (and its code)
      // on a prefix is the one the whole header gets. Until every sub-TLV header is in, stay on
      // this TLV (the next TLV header cannot have arrived) and remember where the sub-walk is.
      const valueEnd = pos + TLV_HEADER_BYTES + length;
      const subStart = pos + TLV_HEADER_BYTES + MIN_SSL_VALUE_BYTES;
      const sub = checkPartialSubTlvs(buf, available, subNext > subStart ? subNext : subStart, valueEnd);
      if (sub < valueEnd) {
        if (valueEnd < end && end - valueEnd < TLV_HEADER_BYTES) {
          badTlv(`${end - valueEnd} stray byte(s) after the last TLV`, valueEnd);
        }
        subNext = sub;
        break;
      }
      subNext = 0;
    }
    pos += TLV_HEADER_BYTES + length;
  }
  if (progress !== undefined) {
    progress.next = pos;
    progress.crcSeen = crcSeen;
    progress.subNext = subNext;
  }
}

/**
 * The SSL sub-TLVs (§3.4) in `buf[pos..valueEnd)` whose headers have arrived: each must fit the
 * SSL value, and the list must end exactly on it (the same framing `checkTlvFraming` applies to
 * a whole value), judged from 2 bytes of a sub-TLV header when its high length byte already
 * overruns. Returns where it stopped: `valueEnd` once every sub-TLV header was checked.
 */
function checkPartialSubTlvs(buf: Uint8Array, available: number, pos: number, valueEnd: number): number {
  while (pos < valueEnd) {
    if (valueEnd - pos < TLV_HEADER_BYTES) badTlv(`${valueEnd - pos} stray byte(s) after the last SSL sub-TLV`, pos);
    if (pos + TLV_HEADER_BYTES > available) {
      if (pos + 1 < available && buf[pos + 1]! * 256 > valueEnd - pos - TLV_HEADER_BYTES) {
        badTlv('SSL sub-TLV overruns the SSL TLV', pos);
      }
      return pos;
    }
    const next = pos + TLV_HEADER_BYTES + ((buf[pos + 1]! << 8) | buf[pos + 2]!);
    if (next > valueEnd) badTlv('SSL sub-TLV overruns the SSL TLV', pos);
    pos = next;
  }
  return pos;
}

/**
 * The first 1 or 2 bytes of a TLV header can already decide a partial header (§1.3: abort as
 * early as possible; `incomplete` is only for a prefix that can still become valid) — but only
 * where every completion would get the same error code from the whole-header walk, so a peer
 * cannot change the code by how it splits its bytes (that walk checks an overrun first, then the
 * type's own rules). Decided here: an SSL TLV with no room for its 5 fixed bytes (BAD_TLV either
 * way); a length whose high byte alone overruns `len` (BAD_TLV); a UNIQUE_ID of 256+ bytes
 * (BAD_TLV either way); a CRC32C of 256+ bytes or a second CRC32C, once no low byte could make it
 * overrun (CRC_MISMATCH either way). Only runs on a partial header.
 */
function checkTlvHeaderStart(buf: Uint8Array, available: number, pos: number, end: number, crcSeen: boolean): void {
  const type = buf[pos]!;
  const room = end - pos - TLV_HEADER_BYTES;
  if (type === PP2_TYPE.SSL && room < MIN_SSL_VALUE_BYTES) {
    badTlv(`no room for an SSL TLV (${room} bytes left, min ${MIN_SSL_VALUE_BYTES})`, pos);
  }
  if (pos + 1 >= available) return;
  const high = buf[pos + 1]!;
  if (high * 256 > room) badTlv('TLV value overruns the header length', pos);
  if (high !== 0 && type === PP2_TYPE.UNIQUE_ID) badTlv(`UNIQUE_ID of ${high * 256}+ bytes (max ${MAX_UNIQUE_ID_BYTES})`, pos);
  if (type === PP2_TYPE.CRC32C && (high !== 0 || crcSeen) && high * 256 + 0xff <= room) {
    const why = crcSeen ? 'more than one CRC32C TLV' : `CRC32C TLV of ${high * 256}+ bytes (must be 4)`;
    throw new ProxyProtocolError('CRC_MISMATCH', why, { offset: pos });
  }
}

/**
 * Recomputes the CRC32C of the whole header `buf[0..end)` (which starts with the signature) with the 4 checksum bytes at `crcAt`
 * taken as zero, and compares with the big-endian value sent (§3.3). Hashing in three pieces
 * avoids copying or mutating the caller's buffer. A mismatch (corruption, a little-endian
 * writer, a header altered in flight) is CRC_MISMATCH.
 */
function verifyCrc32c(buf: Uint8Array, crcAt: number, end: number): void {
  // The 12 signature bytes are constant (decodeV2 has matched them): start from their state.
  let state = crc32cUpdate(SIGNATURE_CRC_STATE, buf, PP2_SIGNATURE_BYTES, crcAt);
  state = crc32cUpdateZeroWord(state); // the CRC32C_VALUE_BYTES checksum bytes, as zeros
  const after = crcAt + CRC32C_VALUE_BYTES;
  if (after < end) state = crc32cUpdate(state, buf, after, end);
  const computed = ~state >>> 0;
  const sent = ((buf[crcAt]! << 24) | (buf[crcAt + 1]! << 16) | (buf[crcAt + 2]! << 8) | buf[crcAt + 3]!) >>> 0;
  if (computed !== sent) {
    throw new ProxyProtocolError(
      'CRC_MISMATCH',
      `CRC32C mismatch: header says 0x${sent.toString(16).padStart(8, '0')}, computed 0x${computed.toString(16).padStart(8, '0')}`,
      { offset: crcAt },
    );
  }
}
