// Every cap the codec applies, in one place, with its unit in the name. A peer controls every
// length field on the wire; each cap below is what stops it from making us buffer, parse or
// allocate without bound (memory exhaustion, slowloris by drip-feeding a never-ending header).
import { PP2_HEADER_FIXED_BYTES } from './constants.js';

/**
 * Longest legal v1 line including CRLF (§1.2: "PROXY UNKNOWN" followed by TCP6-sized fields).
 * A line without CRLF within this many bytes is rejected (TOO_LARGE), so a peer that never
 * sends CRLF cannot make a receiver buffer more than 107 bytes. A caller may lower it.
 */
export const MAX_V1_HEADER_BYTES = 107;

/** Shortest complete v1 line, `PROXY UNKNOWN\r\n` (§1.2); the lowest v1 cap a caller may set. */
export const MIN_V1_HEADER_BYTES = 15;

/**
 * Fixed part of every v2 header: signature, ver/cmd, fam/transport, len (§2.1). The wire
 * constant PP2_HEADER_FIXED_BYTES under the name of the caps, kept for callers that use it.
 */
export const V2_FIXED_HEADER_BYTES = PP2_HEADER_FIXED_BYTES;

/**
 * Largest header the v2 wire format can express: 16 + 0xFFFF (§2.1). The hard ceiling for
 * `maxHeaderBytes`.
 */
export const MAX_V2_HEADER_BYTES = PP2_HEADER_FIXED_BYTES + 0xffff;

/**
 * Default cap on a whole v2 header (16 + len). Mirrors HAProxy's `tune.bufsize` (§2.7: a
 * 16076-byte header was accepted, a 17079-byte one refused). A header announcing more is
 * refused as soon as its `len` field is read, before any of its bytes are buffered, so a peer
 * cannot make each connection hold 64 KiB (memory exhaustion across many connections).
 */
export const DEFAULT_MAX_V2_HEADER_BYTES = 16384;

/** PP2_TYPE_UNIQUE_ID is at most 128 bytes (§3.2); longer is rejected (BAD_TLV). */
export const MAX_UNIQUE_ID_BYTES = 128;

/** PP2_TYPE_CRC32C carries exactly 4 bytes (§3.3). */
export const CRC32C_VALUE_BYTES = 4;

/** PP2_TYPE_SSL starts with 1 client byte and a 4-byte verify field (§3.4). */
export const MIN_SSL_VALUE_BYTES = 5;

/** A TLV's length field is 16 bits (§3.1). */
export const MAX_TLV_VALUE_BYTES = 0xffff;

/** Every TLV starts with 1 type byte and a 2-byte length (§3.1). */
export const TLV_HEADER_BYTES = 3;
