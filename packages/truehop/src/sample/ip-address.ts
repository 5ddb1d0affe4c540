// IP addresses as HAProxy's casts and ACLs hold them (src/sample.c c_str2ip, c_ipv62str): IPv4
// as an unsigned 32-bit number, IPv6 as 16 bytes. The text grammar and the text itself belong to
// the codec (@truehop/proxy-protocol's writeIPv4/writeIPv6/formatIPv4/formatIPv6: strict
// inet_pton rules, inet_ntop output); this module only adapts them to those value types, so a
// cast, an ACL pattern and a PROXY header read an address the same way. Strict on purpose: a
// lenient "10.1" would silently become 10.0.0.1.
import { formatIPv4 as formatIPv4Bytes, writeIPv4, writeIPv6 } from '@truehop/proxy-protocol';

export { formatIPv6 } from '@truehop/proxy-protocol';

const v4Scratch = new Uint8Array(4);

/** Dotted quad → uint32, or undefined (no leading zeros, no short forms: inet_pton rules). */
export function parseIPv4(text: string): number | undefined {
  if (!writeIPv4(text, v4Scratch, 0)) return undefined;
  return ((v4Scratch[0]! << 24) | (v4Scratch[1]! << 16) | (v4Scratch[2]! << 8) | v4Scratch[3]!) >>> 0;
}

/** uint32 → dotted quad. */
export function formatIPv4(value: number): string {
  v4Scratch[0] = value >>> 24;
  v4Scratch[1] = value >>> 16;
  v4Scratch[2] = value >>> 8;
  v4Scratch[3] = value;
  return formatIPv4Bytes(v4Scratch, 0);
}

/** IPv6 text (incl. `::` and an embedded IPv4 tail; no zone id) → 16 bytes, or undefined. */
export function parseIPv6(text: string): Uint8Array | undefined {
  // The codec refuses invalid text with a BAD_HDR error; here invalid text is just "no address".
  // A colon is required first, so IPv4 text and words (the common misses) never reach the throw.
  if (!text.includes(':')) return undefined;
  const out = new Uint8Array(16);
  try {
    writeIPv6(text, out, 0);
  } catch {
    return undefined;
  }
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
