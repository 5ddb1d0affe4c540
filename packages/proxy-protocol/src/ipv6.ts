// IPv6 text: strict parsing with inet_pton's grammar (§1.1, §1.3) and canonical inet_ntop
// formatting (§1.6), the text `new net.SocketAddress({ address, family: 'ipv6' }).address`
// prints. One scanner serves the v1 decoder (bytes, may stop at a buffer end and ask for more)
// and the encoder (a whole string).
import { ProxyProtocolError } from './errors.js';
import { formatIPv4 } from './ipv4.js';

const COLON = 0x3a;
const DOT = 0x2e;
const ZERO = 0x30;

/** Hex digit value of each byte, -1 for bytes that are not hex digits (upper or lower case). */
const HEX_VALUE = new Int8Array(256).fill(-1);
for (let i = 0; i < 10; i++) HEX_VALUE[0x30 + i] = i;
for (let i = 0; i < 6; i++) {
  HEX_VALUE[0x41 + i] = 10 + i;
  HEX_VALUE[0x61 + i] = 10 + i;
}

/** The 16 bytes of the last successful `scanIPv6` (module scratch: no allocation per call). */
export const scannedIPv6 = new Uint8Array(16);
/** Explicit groups in the order written; expanded around `::` into `scannedIPv6`. */
const groups = new Uint16Array(8);

function invalid(message: string, offset: number): never {
  throw new ProxyProtocolError('BAD_HDR', `invalid IPv6 address: ${message}`, { offset });
}

/**
 * Scans IPv6 text at `buf[pos]` with inet_pton's rules: up to 8 groups of 1–4 hex digits, at
 * most one `::` standing for at least one zero group, optionally ending in a dotted IPv4 quad
 * (strict octets) that fills the last 32 bits. No zone id (`%eth0`), no brackets (§1.3): a
 * spoofed or ambiguous address text must never reach an ACL or a log. Stops at the first byte
 * that is not a hex digit, `:` or `.`, and returns its index (the caller checks it is the right
 * separator). With `final` false, reaching `limit` while the text is still a valid prefix
 * returns -1 (wait for more bytes); with `final` true, `limit` ends the text. Throws BAD_HDR as
 * soon as a byte cannot continue any valid address. The bytes land in `scannedIPv6`.
 */
export function scanIPv6(buf: Uint8Array, pos: number, limit: number, final: boolean): number {
  let n = 0; // explicit groups written
  let gap = -1; // index in `groups` where `::` stands
  let value = 0;
  let digits = 0; // hex digits in the current group
  let afterColon = false; // a single ':' just closed a group: a group or a second ':' must follow
  let tokenStart = pos;

  if (pos >= limit) {
    if (final) invalid('empty', pos);
    return -1;
  }
  if (buf[pos] === COLON) {
    if (pos + 1 >= limit) {
      if (final) invalid('a leading ":" must be "::"', pos);
      return -1;
    }
    if (buf[pos + 1] !== COLON) invalid('a leading ":" must be "::"', pos);
    gap = 0;
    pos += 2;
    tokenStart = pos;
  }

  for (;;) {
    if (pos >= limit) {
      if (!final) return -1;
      break;
    }
    const c = buf[pos]!;
    const h = HEX_VALUE[c]!;
    if (h >= 0) {
      if (digits === 0 && n >= (gap >= 0 ? 7 : 8)) invalid('more than 8 groups', pos);
      if (++digits > 4) invalid('more than 4 hex digits in a group', pos);
      value = (value << 4) | h;
      afterColon = false;
      pos++;
      continue;
    }
    if (c === COLON) {
      if (digits > 0) {
        // A ':' after a group promises another group (or '::'): already too many?
        if (n + 1 >= (gap >= 0 ? 7 : 8)) invalid('more than 8 groups', pos);
        groups[n++] = value;
        value = 0;
        digits = 0;
        afterColon = true;
      } else if (afterColon) {
        if (gap >= 0) invalid('two "::"', pos);
        gap = n;
        afterColon = false;
      } else {
        invalid('":::"', pos);
      }
      pos++;
      tokenStart = pos;
      continue;
    }
    if (c === DOT) {
      pos = scanDottedTail(buf, tokenStart, pos, limit, final, n, gap);
      if (pos < 0) return -1;
      n += 2;
      digits = 0;
      break;
    }
    break; // any other byte ends the text; the caller checks which one it is
  }

  if (afterColon) invalid('ends with a single ":"', pos);
  if (digits > 0) groups[n++] = value;
  if (gap >= 0 ? n > 7 : n !== 8) invalid(gap >= 0 ? 'more than 8 groups' : 'fewer than 8 groups', pos);
  expand(n, gap);
  return pos;
}

/**
 * The dotted IPv4 tail of an IPv6 address (`::ffff:192.0.2.1`, accepted for interop, §1.1).
 * `tokenStart` is the first digit of the first octet, `dot` the first '.'. Writes two groups.
 */
function scanDottedTail(
  buf: Uint8Array, tokenStart: number, dot: number, limit: number, final: boolean, n: number, gap: number,
): number {
  // The quad must fill exactly the last 32 bits: 6 groups before it, or fewer with a '::'.
  if (gap >= 0 ? n > 5 : n !== 6) invalid('an IPv4 tail must end the address at bit 128', dot);
  const octets = [0, 0, 0, 0];
  let k = 0;
  let pos = tokenStart;
  for (;;) {
    const first = pos;
    let octet = 0;
    for (;;) {
      if (pos >= limit) {
        if (!final) return -1;
        break;
      }
      const d = buf[pos]! - ZERO;
      if (d < 0 || d > 9) break;
      if (pos > first && octet === 0) invalid('IPv4 octet with a leading zero', pos);
      octet = octet * 10 + d;
      if (octet > 255) invalid('IPv4 octet above 255', pos);
      pos++;
    }
    if (pos === first) invalid('empty IPv4 octet', pos);
    octets[k++] = octet;
    if (k === 4) break;
    if (pos >= limit) {
      if (final) invalid('fewer than four IPv4 octets', pos);
      return -1;
    }
    if (buf[pos] !== DOT) invalid('bad IPv4 tail', pos);
    pos++;
  }
  // After the fourth octet only the separator may follow: no ':', '.', hex letter.
  if (pos < limit && (HEX_VALUE[buf[pos]!]! >= 0 || buf[pos] === COLON || buf[pos] === DOT)) {
    invalid('bad IPv4 tail', pos);
  }
  groups[n] = (octets[0]! << 8) | octets[1]!;
  groups[n + 1] = (octets[2]! << 8) | octets[3]!;
  return pos;
}

function expand(n: number, gap: number): void {
  const out = scannedIPv6;
  out.fill(0);
  if (gap < 0) gap = n;
  for (let i = 0; i < gap; i++) {
    out[2 * i] = groups[i]! >> 8;
    out[2 * i + 1] = groups[i]! & 0xff;
  }
  const tail = n - gap;
  for (let i = 0; i < tail; i++) {
    const w = groups[gap + i]!;
    const at = 2 * (8 - tail + i);
    out[at] = w >> 8;
    out[at + 1] = w & 0xff;
  }
}

const textScratch = new Uint8Array(64);
const checkScratch = new Uint8Array(16);

/**
 * Writes the 16 bytes of IPv6 text into `out[offset]`. Throws BAD_HDR when `text` is not a
 * valid address by the rules of `scanIPv6` (as a whole string).
 */
export function writeIPv6(text: string, out: Uint8Array, offset: number): void {
  const n = text.length;
  if (n === 0 || n > textScratch.length) invalid('bad length', 0);
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c > 0x7f) invalid('non-ASCII character', i);
    textScratch[i] = c;
  }
  const stop = scanIPv6(textScratch, 0, n, true);
  if (stop !== n) invalid('unexpected character', stop);
  out.set(scannedIPv6, offset);
}

/** The 16 bytes of IPv6 text; throws BAD_HDR when invalid. */
export function parseIPv6(text: string): Uint8Array {
  const out = new Uint8Array(16);
  writeIPv6(text, out, 0);
  return out;
}

/** True when `text` is IPv6 text the PROXY protocol accepts (no zone id, no brackets). */
export function isIPv6(text: string): boolean {
  try {
    writeIPv6(text, checkScratch, 0);
    return true;
  } catch {
    return false;
  }
}

/** Canonical text of valid IPv6 text (`2001:DB8:0::1` → `2001:db8::1`); throws BAD_HDR. */
export function canonicalIPv6(text: string): string {
  return formatIPv6(parseIPv6(text), 0);
}

const words = new Uint16Array(8);
/** Hex text of a byte without leading zeros ("0" … "ff") and with them ("00" … "ff"). */
const HEX_BYTE: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16));
const HEX_BYTE2: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** A 16-bit group as lower-case hex without leading zeros, from two table lookups. */
function groupText(w: number): string {
  return w < 256 ? (HEX_BYTE[w] as string) : (HEX_BYTE[w >> 8] as string) + (HEX_BYTE2[w & 0xff] as string);
}

/**
 * Canonical IPv6 text of the 16 network-order bytes at `bytes[offset]`, byte-identical to
 * inet_ntop / `net.SocketAddress` (§1.6): lower-case hex without leading zeros, the longest run
 * of two or more zero groups (leftmost on ties) as `::`, and a dotted IPv4 tail when the address
 * starts with exactly six zero groups or with five zero groups and `ffff`.
 */
export function formatIPv6(bytes: Uint8Array, offset = 0): string {
  let bestBase = -1;
  let bestLen = 0;
  let runBase = -1;
  let runLen = 0;
  for (let i = 0; i < 8; i++) {
    const w = (bytes[offset + 2 * i]! << 8) | bytes[offset + 2 * i + 1]!;
    words[i] = w;
    if (w === 0) {
      if (runBase < 0) {
        runBase = i;
        runLen = 1;
      } else {
        runLen++;
      }
      if (runLen > bestLen) {
        bestBase = runBase;
        bestLen = runLen;
      }
    } else {
      runBase = -1;
      runLen = 0;
    }
  }
  if (bestLen < 2) bestBase = -1;
  if (bestBase === 0) {
    if (bestLen === 6) return '::' + formatIPv4(bytes, offset + 12);
    if (bestLen === 5 && words[5] === 0xffff) return '::ffff:' + formatIPv4(bytes, offset + 12);
  }
  let text = '';
  for (let i = 0; i < 8; i++) {
    if (i === bestBase) {
      text += '::';
      i += bestLen - 1;
      continue;
    }
    if (i !== 0 && i !== bestBase + bestLen) text += ':';
    text += groupText(words[i]!);
  }
  return text;
}
