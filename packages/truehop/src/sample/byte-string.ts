// Strings inside the expression engine are BYTE strings: each UTF-16 code unit holds one
// byte (0–255), i.e. Node's 'latin1' encoding. HAProxy's strings are byte sequences, not
// text: `fc_pp_tlv()` returns the raw TLV bytes typed as a string (§4.11), `length` counts
// bytes, and an Azure LinkID with a NUL in it must survive a round trip through a string
// sample into `bytes()` and out of a log-format unchanged (§3.5, §4.14). A JS text string
// would lose that (UTF-8 decoding replaces invalid bytes). Text that comes from the
// configuration (patterns, `str()` arguments, names) is UTF-8 encoded into a byte string once,
// at load time; nothing is re-encoded per connection.
import { Buffer } from 'node:buffer';

/** A byte string (one char per byte) from UTF-8 text, e.g. a config word. */
export function byteStringFromText(text: string): string {
  // Fast path: ASCII text is already its own byte string.
  // eslint-disable-next-line no-control-regex
  if (/^[\x00-\x7f]*$/.test(text)) return text;
  return Buffer.from(text, 'utf8').toString('latin1');
}

/** UTF-8 text from a byte string, for messages and for consumers that want text. */
export function textFromByteString(bytes: string): string {
  // eslint-disable-next-line no-control-regex
  if (/^[\x00-\x7f]*$/.test(bytes)) return bytes;
  return Buffer.from(bytes, 'latin1').toString('utf8');
}

/** A byte string holding exactly the bytes of `data` (a copy into a JS string). */
export function byteStringFromBytes(data: Uint8Array): string {
  if (Buffer.isBuffer(data)) return data.toString('latin1');
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('latin1');
}

/** The bytes of a byte string. */
export function bytesFromByteString(bytes: string): Buffer {
  return Buffer.from(bytes, 'latin1');
}

/** A Buffer view (no copy) over any Uint8Array, e.g. a TLV value from the codec. */
export function bufferView(data: Uint8Array): Buffer {
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/**
 * ASCII-only lower-casing, as C's tolower() in HAProxy: bytes ≥ 0x80 are left alone
 * (String#toLowerCase would also fold Latin-1 letters such as 0xC0 'À', i.e. change bytes).
 */
export function asciiLower(bytes: string): string {
  return /[A-Z]/.test(bytes) ? bytes.replace(/[A-Z]+/g, (m) => m.toLowerCase()) : bytes;
}

/** ASCII-only upper-casing (see asciiLower). */
export function asciiUpper(bytes: string): string {
  return /[a-z]/.test(bytes) ? bytes.replace(/[a-z]+/g, (m) => m.toUpperCase()) : bytes;
}
