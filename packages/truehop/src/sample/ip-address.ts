// IPv4/IPv6 text <-> numbers, as HAProxy's inet_pton/inet_ntop based casts see them
// (src/sample.c c_str2ip, c_ipv62str). IPv4 is an unsigned 32-bit number; IPv6 a 16-byte
// array. Strict parsing on purpose: an ACL pattern or a cast must never guess what a
// malformed address meant (a lenient "10.1" would silently become 10.0.0.1).
import { isIPv6 } from 'node:net';

const IPV4_TEXT = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/** Dotted quad → uint32, or undefined (no leading zeros, no short forms: inet_pton rules). */
export function parseIPv4(text: string): number | undefined {
  const m = IPV4_TEXT.exec(text);
  if (m === null) return undefined;
  return ((Number(m[1]) << 24) | (Number(m[2]) << 16) | (Number(m[3]) << 8) | Number(m[4])) >>> 0;
}

export function formatIPv4(value: number): string {
  const v = value >>> 0;
  return `${v >>> 24}.${(v >>> 16) & 0xff}.${(v >>> 8) & 0xff}.${v & 0xff}`;
}

/** IPv6 text (incl. `::` and an embedded IPv4 tail; no zone id) → 16 bytes, or undefined. */
export function parseIPv6(text: string): Uint8Array | undefined {
  if (text.includes('%') || !isIPv6(text)) return undefined;
  let head = text;
  let tailV4: number | undefined;
  const lastColon = text.lastIndexOf(':');
  if (text.indexOf('.', lastColon) !== -1) {
    tailV4 = parseIPv4(text.slice(lastColon + 1));
    if (tailV4 === undefined) return undefined;
    head = text.slice(0, lastColon + 1) + '0:0';
  }
  const halves = head.split('::');
  if (halves.length > 2) return undefined;
  const left = halves[0] === '' ? [] : (halves[0] as string).split(':');
  const right = halves.length === 2 ? (halves[1] === '' ? [] : (halves[1] as string).split(':')) : [];
  const groups: string[] = halves.length === 2
    ? [...left, ...new Array<string>(8 - left.length - right.length).fill('0'), ...right]
    : left;
  if (groups.length !== 8) return undefined;
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    const g = parseInt(groups[i] as string, 16);
    out[i * 2] = g >>> 8;
    out[i * 2 + 1] = g & 0xff;
  }
  if (tailV4 !== undefined) {
    out[12] = tailV4 >>> 24;
    out[13] = (tailV4 >>> 16) & 0xff;
    out[14] = (tailV4 >>> 8) & 0xff;
    out[15] = tailV4 & 0xff;
  }
  return out;
}

/**
 * 16 bytes → text the way glibc's inet_ntop prints it (what HAProxy logs): lower-case hex,
 * the longest run of ≥ 2 zero groups compressed (first one on a tie), and `::ffff:a.b.c.d` /
 * `::a.b.c.d` for IPv4-mapped and -compatible addresses.
 */
export function formatIPv6(bytes: Uint8Array): string {
  const words: number[] = [];
  for (let i = 0; i < 8; i++) words.push(((bytes[i * 2] as number) << 8) | (bytes[i * 2 + 1] as number));
  let bestBase = -1;
  let bestLen = 0;
  let curBase = -1;
  let curLen = 0;
  for (let i = 0; i < 8; i++) {
    if (words[i] === 0) {
      if (curBase === -1) { curBase = i; curLen = 1; } else curLen++;
      if (curLen > bestLen) { bestBase = curBase; bestLen = curLen; }
    } else {
      curBase = -1;
      curLen = 0;
    }
  }
  if (bestLen < 2) bestBase = -1;
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (bestBase !== -1 && i >= bestBase && i < bestBase + bestLen) {
      if (i === bestBase) out += ':';
      continue;
    }
    if (i !== 0) out += ':';
    // Embedded IPv4: ::a.b.c.d (compatible) or ::ffff:a.b.c.d (mapped), as inet_ntop does.
    if (i === 6 && bestBase === 0 && (bestLen === 6 || (bestLen === 5 && words[5] === 0xffff))) {
      out += `${bytes[12]}.${bytes[13]}.${bytes[14]}.${bytes[15]}`;
      break;
    }
    out += (words[i] as number).toString(16);
  }
  if (bestBase !== -1 && bestBase + bestLen === 8) out += ':';
  return out;
}

/** IPv4 → IPv4-mapped IPv6 bytes (::ffff:a.b.c.d), HAProxy v4tov6. */
export function mappedIPv6(v4: number): Uint8Array {
  const out = new Uint8Array(16);
  out[10] = 0xff;
  out[11] = 0xff;
  out[12] = v4 >>> 24;
  out[13] = (v4 >>> 16) & 0xff;
  out[14] = (v4 >>> 8) & 0xff;
  out[15] = v4 & 0xff;
  return out;
}

/**
 * IPv6 → IPv4 when the address embeds one, HAProxy v6tov4: IPv4-mapped (::ffff:a.b.c.d) or
 * 6to4 (2002:AABB:CCDD::/48 → A.B.C.D). Undefined otherwise.
 */
export function embeddedIPv4(v6: Uint8Array): number | undefined {
  let mapped = v6[10] === 0xff && v6[11] === 0xff;
  for (let i = 0; i < 10 && mapped; i++) if (v6[i] !== 0) mapped = false;
  if (mapped) return (((v6[12] as number) << 24) | ((v6[13] as number) << 16) | ((v6[14] as number) << 8) | (v6[15] as number)) >>> 0;
  if (v6[0] === 0x20 && v6[1] === 0x02) {
    return (((v6[2] as number) << 24) | ((v6[3] as number) << 16) | ((v6[4] as number) << 8) | (v6[5] as number)) >>> 0;
  }
  return undefined;
}

/** Prefix length → IPv4 netmask (uint32). */
export function ipv4Mask(bits: number): number {
  return bits <= 0 ? 0 : (0xffffffff << (32 - Math.min(bits, 32))) >>> 0;
}

/** A dotted netmask → its prefix length when contiguous, else undefined. */
export function ipv4MaskBits(mask: number): number | undefined {
  const m = mask >>> 0;
  for (let bits = 0; bits <= 32; bits++) if (ipv4Mask(bits) === m) return bits;
  return undefined;
}

/** In place: keep the first `bits` bits of 16 IPv6 bytes. */
export function maskIPv6(bytes: Uint8Array, bits: number): Uint8Array {
  const out = new Uint8Array(bytes);
  for (let i = 0; i < 16; i++) {
    const keep = Math.max(0, Math.min(8, bits - i * 8));
    out[i] = (out[i] as number) & ((0xff << (8 - keep)) & 0xff);
  }
  return out;
}
