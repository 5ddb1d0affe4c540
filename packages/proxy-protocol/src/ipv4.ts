// IPv4 text: strict parsing (§1.1, §1.3) and dotted-quad formatting. Hot path of v1 and v2
// decoding: no allocation beyond the resulting string.
import { ProxyProtocolError } from './errors.js';

const DOT = 0x2e;
const ZERO = 0x30;

/** "0" … "255": octet text, looked up instead of converted. */
const OCTET: readonly string[] = Array.from({ length: 256 }, (_, i) => String(i));
/** "0." … "255.": the same with the dot, so an address is three concatenations. */
const OCTET_DOT: readonly string[] = Array.from({ length: 256 }, (_, i) => `${i}.`);

/**
 * Lazily filled caches of "a.b." (first half) and "c.d" (second half) keyed by 16 bits: one
 * concatenation per address instead of three (the hot path of every decode). Bounded: at most
 * 2 × 65536 short strings, created only for halves actually seen.
 */
const HEAD: (string | undefined)[] = new Array<string | undefined>(65536).fill(undefined);
const TAIL: (string | undefined)[] = new Array<string | undefined>(65536).fill(undefined);

/** Dotted quad of the 4 network-order bytes at `bytes[offset]`. */
export function formatIPv4(bytes: Uint8Array, offset = 0): string {
  const a = bytes[offset]!;
  const b = bytes[offset + 1]!;
  const c = bytes[offset + 2]!;
  const d = bytes[offset + 3]!;
  const hk = (a << 8) | b;
  let head = HEAD[hk];
  if (head === undefined) head = HEAD[hk] = (OCTET_DOT[a] as string) + (OCTET_DOT[b] as string);
  const tk = (c << 8) | d;
  let tail = TAIL[tk];
  if (tail === undefined) tail = TAIL[tk] = (OCTET_DOT[c] as string) + (OCTET[d] as string);
  return head + tail;
}

/** The four octets of the last successful `scanIPv4` (module scratch: no allocation per call). */
export const scannedIPv4 = new Uint8Array(4);

function invalid(message: string, offset: number): never {
  throw new ProxyProtocolError('BAD_HDR', `invalid IPv4 address: ${message}`, { offset });
}

/**
 * Scans strict IPv4 text starting at `buf[pos]`: exactly four decimal octets 0–255 joined by
 * single dots, no leading zeros (§1.1; §1.3 rejects HAProxy's leniencies of §1.5: `01`, `256`,
 * three octets, long digit runs, which would let a peer smuggle an address the operator's ACLs
 * did not expect). Returns the index of the first byte after the fourth octet (the caller checks
 * that it is the right separator), or -1 when `limit` is reached while the text is still a valid
 * prefix (the caller waits for more bytes). Throws BAD_HDR as soon as a byte cannot continue an
 * address. Octets land in `scannedIPv4`.
 */
export function scanIPv4(buf: Uint8Array, pos: number, limit: number): number {
  for (let k = 0; k < 4; k++) {
    if (pos >= limit) return -1;
    let d = buf[pos]! - ZERO;
    if (d < 0 || d > 9) invalid(k === 0 ? 'expected a digit' : 'empty octet', pos);
    let octet = d;
    pos++;
    if (octet === 0) {
      if (pos >= limit) return -1;
      d = buf[pos]! - ZERO;
      if (d >= 0 && d <= 9) invalid('octet with a leading zero', pos);
    } else {
      for (;;) {
        if (pos >= limit) return -1;
        d = buf[pos]! - ZERO;
        if (d < 0 || d > 9) break;
        octet = octet * 10 + d;
        if (octet > 255) invalid('octet above 255', pos);
        pos++;
      }
    }
    scannedIPv4[k] = octet;
    if (k < 3) {
      if (pos >= limit) return -1;
      if (buf[pos] !== DOT) invalid('fewer than four octets', pos);
      pos++;
    }
  }
  return pos;
}

/**
 * Writes the 4 bytes of strict IPv4 text into `out[offset]`; false when `text` is not a
 * strict dotted quad (same rules as `scanIPv4`, on a string, for the encoder).
 */
export function writeIPv4(text: string, out: Uint8Array, offset: number): boolean {
  const n = text.length;
  if (n < 7 || n > 15) return false;
  let pos = 0;
  for (let k = 0; k < 4; k++) {
    if (pos >= n) return false;
    let d = text.charCodeAt(pos) - ZERO;
    if (d < 0 || d > 9) return false;
    let octet = d;
    pos++;
    if (octet !== 0) {
      while (pos < n) {
        d = text.charCodeAt(pos) - ZERO;
        if (d < 0 || d > 9) break;
        octet = octet * 10 + d;
        if (octet > 255) return false;
        pos++;
      }
    } else if (pos < n) {
      d = text.charCodeAt(pos) - ZERO;
      if (d >= 0 && d <= 9) return false;
    }
    out[offset + k] = octet;
    if (k < 3) {
      if (pos >= n || text.charCodeAt(pos) !== DOT) return false;
      pos++;
    }
  }
  return pos === n;
}

/** True when `text` is strict IPv4 text as the PROXY protocol requires it. */
export function isIPv4(text: string): boolean {
  return writeIPv4(text, new Uint8Array(4), 0);
}
