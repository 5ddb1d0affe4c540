// A slow, deliberately simple reference decoder written straight from the digest (its §1–§3,
// summarised in docs/protocol.md) and the decisions of issue 2, WITHOUT looking at the
// codec's implementation. It is a test oracle for the differential test: it favours obviously
// correct code over speed (strings, split, whole-prefix re-checks, a bitwise CRC).
//
// Result shape mirrors decode(): complete / incomplete / not-proxy, or `error` with the SET of
// error codes that every rule broken at the first failing byte would give (when one byte breaks
// two rules — e.g. a CRC32C TLV whose length is both ≠ 4 and overruns `len` — either code is an
// honest answer, so the oracle accepts any of them).
//
// "Fail early" = the result for a prefix is `incomplete` only while the prefix can still be
// completed into a valid header; the error is reported at the first byte where it cannot.
// One exception: the CRC32C value can only be checked once the whole header is in.
import { isUtf8 } from 'node:buffer';

export interface RefTlv {
  type: number;
  value: Uint8Array;
}

export interface RefHeader {
  version: 1 | 2;
  command: 'PROXY' | 'LOCAL';
  protocol?: 'TCP4' | 'TCP6' | 'UNKNOWN';
  family: string;
  transport: string;
  src: string | null;
  srcPort: number | null;
  dst: string | null;
  dstPort: number | null;
  tlvs: RefTlv[];
}

export type RefResult =
  | { status: 'incomplete' }
  | { status: 'not-proxy' }
  | { status: 'complete'; header: RefHeader; length: number }
  | { status: 'error'; codes: string[]; at: number };

export interface RefOptions {
  maxHeaderBytes?: number;
  maxV1HeaderBytes?: number;
  /**
   * The stream decoder (which buffers) refuses a v2 `len` over the cap as soon as it is read;
   * one-shot decode() judges the complete header first and refuses it for size last.
   */
  capEarly?: boolean;
}

const INCOMPLETE: RefResult = { status: 'incomplete' };
const NOT_PROXY: RefResult = { status: 'not-proxy' };

export function refDecode(input: Uint8Array, options: RefOptions = {}): RefResult {
  if (input.length === 0) return INCOMPLETE;
  // §2.6: the first byte decides.
  if (input[0] === 0x50) return refDecodeV1(input, options.maxV1HeaderBytes ?? 107);
  if (input[0] === 0x0d) return refDecodeV2(input, options.maxHeaderBytes ?? 16384, options.capEarly ?? false);
  return NOT_PROXY;
}

// ---------------------------------------------------------------------------------------------
// v1 (§1.1–§1.5): text level. The line is checked as a string; each prefix is checked in turn
// until the first one that cannot be extended into a valid line.

const V1_PREFIX = 'PROXY ';

type V1Check = { ok: true } | { ok: false; codes: string[] };
const OK: V1Check = { ok: true };
const bad = (...codes: string[]): V1Check => ({ ok: false, codes });

function isOctet(s: string): boolean {
  return /^(0|[1-9][0-9]{0,2})$/.test(s) && Number(s) <= 255;
}

/** §1.1: four decimal octets 0–255 joined by single dots, no leading zeros. */
export function isStrictIPv4(s: string): boolean {
  const parts = s.split('.');
  return parts.length === 4 && parts.every(isOctet);
}

function isIPv4Prefix(s: string): boolean {
  const parts = s.split('.');
  if (parts.length > 4) return false;
  const last = parts[parts.length - 1] ?? '';
  return parts.slice(0, -1).every(isOctet) && (last === '' || isOctet(last));
}

function isHexGroup(s: string): boolean {
  return /^[0-9a-fA-F]{1,4}$/.test(s);
}

/**
 * inet_pton(AF_INET6) semantics (glibc), as the digest requires (§1.1, §1.5): hex groups of
 * 1–4 digits, at most one `::` standing for at least one zero group, an optional dotted IPv4
 * tail (strict octets) as the last 32 bits, nothing else (no zone, no brackets).
 * Returns the 16 bytes or null.
 */
export function parseStrictIPv6(s: string): Uint8Array | null {
  if (!/^[0-9a-fA-F:.]+$/.test(s)) return null;
  const dc = s.indexOf('::');
  if (dc !== -1 && s.indexOf('::', dc + 1) !== -1) return null; // two '::' or ':::'
  const unitsOf = (parts: string[], v4AllowedLast: boolean): number[] | null => {
    const words: number[] = [];
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i] ?? '';
      if (isHexGroup(p)) {
        words.push(parseInt(p, 16));
      } else if (v4AllowedLast && i === parts.length - 1 && isStrictIPv4(p)) {
        const o = p.split('.').map(Number) as [number, number, number, number];
        words.push((o[0] << 8) | o[1], (o[2] << 8) | o[3]);
      } else {
        return null;
      }
    }
    return words;
  };
  let words: number[];
  if (dc === -1) {
    const w = unitsOf(s.split(':'), true);
    if (w === null || w.length !== 8) return null;
    words = w;
  } else {
    const left = s.slice(0, dc);
    const right = s.slice(dc + 2);
    const l = left === '' ? [] : unitsOf(left.split(':'), false);
    const r = right === '' ? [] : unitsOf(right.split(':'), true);
    if (l === null || r === null) return null;
    if (l.length + r.length > 7) return null; // '::' must stand for ≥ 1 group (glibc)
    words = [...l, ...new Array<number>(8 - l.length - r.length).fill(0), ...r];
  }
  const out = new Uint8Array(16);
  words.forEach((w, i) => {
    out[2 * i] = w >> 8;
    out[2 * i + 1] = w & 0xff;
  });
  return out;
}

/** Can `s` be extended into a valid inet_pton IPv6 text? (see the reasoning in each branch) */
function isIPv6Prefix(s: string): boolean {
  if (s === '') return true;
  if (!/^[0-9a-fA-F:.]*$/.test(s)) return false;
  if (parseStrictIPv6(s) !== null) return true;
  const lastColon = s.lastIndexOf(':');
  const lastTok = s.slice(lastColon + 1);
  if (s.includes('.')) {
    // A dot can only be inside the final dotted IPv4 tail.
    if (!lastTok.includes('.') || !/^[0-9.]*$/.test(lastTok) || !isIPv4Prefix(lastTok)) return false;
    const head = s.slice(0, lastColon + 1);
    return parseStrictIPv6(head + '1.1.1.1') !== null;
  }
  // Only hex digits and colons: group contents do not matter, only the structure. A dotted tail
  // counts as two groups, which ':0' can always replace, so completions made of '0', ':' suffice:
  // finish the current token, then some ':0' groups, optionally a '::' and more groups.
  const finishes = ['', '0', ':', ':0'];
  for (const f of finishes) {
    for (let k1 = 0; k1 <= 8; k1++) {
      const base = s + f + ':0'.repeat(k1);
      if (parseStrictIPv6(base) !== null) return true;
      for (let k2 = 0; k2 <= 7; k2++) {
        const tail = k2 === 0 ? '' : '0' + ':0'.repeat(k2 - 1);
        if (parseStrictIPv6(base + '::' + tail) !== null) return true;
      }
    }
  }
  return false;
}

function isPort(s: string): boolean {
  return /^(0|[1-9][0-9]{0,4})$/.test(s) && Number(s) <= 65535;
}

function isPortPrefix(s: string): boolean {
  return s === '' || isPort(s);
}

const TOKENS = ['TCP4', 'TCP6', 'UNKNOWN'];

/**
 * Checks the text after "PROXY " with no CR/LF in it. `complete` = the line ends right after it.
 */
function checkV1Body(body: string, complete: boolean): V1Check {
  const sp = body.indexOf(' ');
  const token = sp === -1 ? body : body.slice(0, sp);
  if (!TOKENS.includes(token)) {
    // The token is still being read: fine while it is a prefix of a known token and nothing
    // else has followed.
    if (!complete && sp === -1 && TOKENS.some((t) => t.startsWith(token))) return OK;
    return bad('BAD_PROTO');
  }
  if (token === 'UNKNOWN') return OK; // §1.4: anything up to CRLF is ignored
  if (sp === -1) return complete ? bad('BAD_HDR') : OK; // 'TCP4' then CRLF: missing fields
  const fields = body.slice(sp + 1).split(' ');
  if (fields.length > 4) return bad('BAD_HDR');
  const isAddr = token === 'TCP4' ? isStrictIPv4 : (a: string) => parseStrictIPv6(a) !== null;
  const isAddrPrefix = token === 'TCP4' ? isIPv4Prefix : isIPv6Prefix;
  const full = [isAddr, isAddr, isPort, isPort];
  const partial = [isAddrPrefix, isAddrPrefix, isPortPrefix, isPortPrefix];
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i] ?? '';
    const last = i === fields.length - 1;
    const okField = last && !complete ? partial[i]!(f) : full[i]!(f);
    if (!okField) return bad('BAD_HDR');
  }
  if (complete && fields.length !== 4) return bad('BAD_HDR');
  return OK;
}

function latin1(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return s;
}

/** Status of the v1 prefix `p` (starts with "PROXY ", contains no complete CRLF before its end). */
function checkV1Prefix(p: string): V1Check | 'complete' {
  const rest = p.slice(V1_PREFIX.length);
  if (rest.endsWith('\r\n')) {
    const body = rest.slice(0, -2);
    if (/[\r\n]/.test(body)) return bad('BAD_HDR');
    const c = checkV1Body(body, true);
    return c.ok ? 'complete' : c;
  }
  // §1.3: only CRLF ends the line; a bare LF, or a CR followed by anything else, is rejected.
  const lf = rest.indexOf('\n');
  const cr = rest.indexOf('\r');
  // Inside the protocol token a CR/LF is also an impossible token byte: either code is honest.
  const inToken = !rest.slice(0, -1).includes(' ');
  if (lf !== -1) return inToken ? bad('BAD_HDR', 'BAD_PROTO') : bad('BAD_HDR');
  if (cr !== -1 && cr !== rest.length - 1) return bad('BAD_HDR');
  if (cr === rest.length - 1) {
    // The line must end here: what came before must be a complete line body.
    return checkV1Body(rest.slice(0, -1), true);
  }
  return checkV1Body(rest, false);
}

function refDecodeV1(input: Uint8Array, cap: number): RefResult {
  for (let i = 0; i < Math.min(input.length, V1_PREFIX.length); i++) {
    if (input[i] !== V1_PREFIX.charCodeAt(i)) return NOT_PROXY;
  }
  if (input.length < V1_PREFIX.length) return INCOMPLETE;
  for (let k = V1_PREFIX.length + 1; k <= input.length; k++) {
    if (k > cap) return { status: 'error', codes: ['TOO_LARGE'], at: k - 1 };
    const p = latin1(input.subarray(0, k));
    const c = checkV1Prefix(p);
    if (c === 'complete') return { status: 'complete', header: v1Header(p), length: k };
    if (!c.ok) return { status: 'error', codes: c.codes, at: k - 1 };
    // §1.2: no CRLF within the first `cap` bytes → the line is invalid.
    if (k === cap) return { status: 'error', codes: ['TOO_LARGE'], at: k - 1 };
  }
  return INCOMPLETE;
}

function v1Header(line: string): RefHeader {
  const fields = line.slice(V1_PREFIX.length, -2).split(' ');
  const token = fields[0] as 'TCP4' | 'TCP6' | 'UNKNOWN';
  if (token === 'UNKNOWN') {
    return {
      version: 1, command: 'PROXY', protocol: 'UNKNOWN', family: 'UNSPEC', transport: 'UNSPEC',
      src: null, srcPort: null, dst: null, dstPort: null, tlvs: [],
    };
  }
  const text = (a: string): string => (token === 'TCP4' ? a : formatIPv6Ref(parseStrictIPv6(a)!));
  return {
    version: 1,
    command: 'PROXY',
    protocol: token,
    family: token === 'TCP4' ? 'INET' : 'INET6',
    transport: 'STREAM',
    src: text(fields[1]!),
    dst: text(fields[2]!),
    srcPort: Number(fields[3]),
    dstPort: Number(fields[4]),
    tlvs: [],
  };
}

/**
 * inet_ntop text (§1.6): lower-case hex without leading zeros, the longest run of ≥ 2 zero
 * groups (leftmost on ties) as '::', dotted tail when the address is ::/96 with exactly six
 * leading zero groups or ::ffff:0:0/96.
 */
export function formatIPv6Ref(b: Uint8Array): string {
  const w: number[] = [];
  for (let i = 0; i < 8; i++) w.push((b[2 * i]! << 8) | b[2 * i + 1]!);
  let bestBase = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (w[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && w[j] === 0) j++;
    if (j - i > bestLen) {
      bestBase = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestLen < 2) bestBase = -1;
  if (bestBase === 0 && (bestLen === 6 || (bestLen === 5 && w[5] === 0xffff))) {
    const v4 = `${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
    return bestLen === 6 ? `::${v4}` : `::ffff:${v4}`;
  }
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (i === bestBase) {
      out += '::';
      i += bestLen - 1;
      continue;
    }
    if (out !== '' && !out.endsWith(':')) out += ':';
    out += w[i]!.toString(16);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// v2 (§2, §3): byte level.

const SIGNATURE = [0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a];
/** §2.3: the listed family/transport bytes and their address block sizes. */
const LISTED_BLOCK: Record<number, number> = { 0x00: 0, 0x11: 12, 0x12: 12, 0x21: 36, 0x22: 36, 0x31: 216, 0x32: 216 };
const FAMILY: Record<number, string> = { 0: 'UNSPEC', 1: 'INET', 2: 'INET6', 3: 'UNIX' };
const TRANSPORT: Record<number, string> = { 0: 'UNSPEC', 1: 'STREAM', 2: 'DGRAM' };

const T_CRC32C = 0x03;
const T_UNIQUE_ID = 0x05;
const T_SSL = 0x20;

/** Bitwise CRC-32C (Castagnoli, reflected 0x82F63B78), §3.3. */
export function refCrc32c(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const b of bytes) {
    crc ^= b;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function err(at: number, ...codes: string[]): RefResult {
  return { status: 'error', codes, at };
}

function refDecodeV2(b: Uint8Array, cap: number, capEarly: boolean): RefResult {
  const n = b.length;
  for (let i = 0; i < Math.min(n, 12); i++) if (b[i] !== SIGNATURE[i]) return NOT_PROXY;
  if (n < 13) return INCOMPLETE;
  const verCmd = b[12]!;
  if (verCmd >> 4 !== 2) return NOT_PROXY; // §2.2 / decision: version ≠ 2 → not a header
  const cmd = verCmd & 0x0f;
  if (cmd > 1) return err(12, 'BAD_HDR'); // §2.2: commands 2–F unassigned
  const isProxy = cmd === 1;
  if (n < 14) return INCOMPLETE;
  const famByte = b[13]!;
  const listed = famByte in LISTED_BLOCK;
  if (isProxy && !listed) return err(13, 'BAD_HDR'); // §2.3 unlisted under PROXY
  if (n < 16) return INCOMPLETE;
  const len = (b[14]! << 8) | b[15]!;
  const end = 16 + len;
  const block = LISTED_BLOCK[famByte] ?? 0;
  const codes: string[] = [];
  if (end > cap && capEarly) codes.push('TOO_LARGE');
  if (isProxy && len < block) codes.push('BAD_HDR');
  if (codes.length > 0) return err(15, ...codes);
  // §2.4 (decision): LOCAL skips a listed family's block when len allows, else TLVs from 16.
  const tlvStart = listed && len >= block ? 16 + block : 16;

  // TLV walk, failing at the first byte that cannot continue.
  const tlvs: { type: number; start: number; vlen: number }[] = [];
  let crcSeen = false;
  let pos = tlvStart;
  const tlvErr = err;
  while (pos < end) {
    const room = end - pos;
    // Fewer than 3 bytes left: no TLV header fits (known as soon as `pos` is known). Report it at
    // the byte that fixed `pos`: the last byte of the previous TLV header, or the len byte.
    const fixedAt = tlvs.length === 0 ? 15 : tlvs[tlvs.length - 1]!.start + 2;
    if (room < 3) return tlvErr(fixedAt, 'BAD_TLV');
    if (n <= pos) return INCOMPLETE;
    const type = b[pos]!;
    // A TLV header is judged with the whole-header walk's order of rules (overrun of len first,
    // then the type's own rules, then stray bytes after it), and a partial header is decided as
    // soon as every completion gets the same code: the code must not depend on how the peer
    // split its bytes (a contract of its own: tests and operators read codes).
    // Type byte alone: an SSL TLV with no room for 3 + 5 bytes is BAD_TLV whatever follows.
    if (type === T_SSL && room < 8) return tlvErr(pos, 'BAD_TLV');
    if (n <= pos + 1) return INCOMPLETE;
    const hi = b[pos + 1]!;
    if (hi * 256 > room - 3) return tlvErr(pos + 1, 'BAD_TLV'); // overrun whatever the low byte
    if (type === T_UNIQUE_ID && hi !== 0) return tlvErr(pos + 1, 'BAD_TLV'); // ≥ 256 > 128, or overrun
    // A CRC32C of 256+ bytes, or a second CRC32C, when no low byte could make it overrun.
    if (type === T_CRC32C && (hi !== 0 || crcSeen) && hi * 256 + 255 <= room - 3) return tlvErr(pos + 1, 'CRC_MISMATCH');
    if (n <= pos + 2) return INCOMPLETE;
    const vlen = (hi << 8) | b[pos + 2]!;
    {
      const c = lengthRules(type, vlen, pos, end, crcSeen);
      if (c !== null) return tlvErr(pos + 2, c);
    }
    if (type === T_CRC32C) crcSeen = true;
    if (type === T_SSL) {
      // §3.4: the sub-TLVs must frame the rest of the SSL value exactly; judged as they arrive.
      const valueEnd = pos + 3 + vlen;
      let sp = pos + 8;
      while (sp < valueEnd) {
        if (valueEnd - sp < 3) return tlvErr(sp, 'BAD_TLV');
        if (n <= sp + 1) return INCOMPLETE;
        if (b[sp + 1]! * 256 > valueEnd - sp - 3) return tlvErr(sp + 1, 'BAD_TLV');
        if (n <= sp + 2) return INCOMPLETE;
        const next = sp + 3 + ((b[sp + 1]! << 8) | b[sp + 2]!);
        if (next > valueEnd) return tlvErr(sp + 2, 'BAD_TLV');
        sp = next;
      }
    }
    tlvs.push({ type, start: pos, vlen });
    pos += 3 + vlen;
  }
  if (n < end) return INCOMPLETE;

  // Whole header present: value-level checks. Several may fail; each one's code is honest.
  const late = new Set<string>();
  for (const t of tlvs) {
    const value = b.subarray(t.start + 3, t.start + 3 + t.vlen);
    if (t.type === T_CRC32C) {
      const copy = Uint8Array.from(b.subarray(0, end));
      copy.fill(0, t.start + 3, t.start + 7);
      const want = refCrc32c(copy);
      const got = ((value[0]! << 24) | (value[1]! << 16) | (value[2]! << 8) | value[3]!) >>> 0;
      if (want !== got) late.add('CRC_MISMATCH');
    }
    if (t.type === T_SSL && !framesExactly(value.subarray(5))) late.add('BAD_TLV');
  }
  if (late.size > 0) return err(end - 1, ...late);
  // A UNIX path that is not UTF-8 would decode to U+FFFD (two paths reading as one): refused.
  if (isProxy && famByte >> 4 === 3) {
    for (const field of [b.subarray(16, 124), b.subarray(124, 232)]) {
      const nul = field.indexOf(0);
      if (!isUtf8(field.subarray(0, nul === -1 ? field.length : nul))) return err(end - 1, 'BAD_HDR');
    }
  }
  if (end > cap) return err(end - 1, 'TOO_LARGE');

  const fam = famByte >> 4;
  const tr = famByte & 0x0f;
  // An undefined nibble (LOCAL only) is written '0xN' with an upper-case digit: the codec's
  // documented choice (README); the digest only says '0xN'.
  const nib = (x: number, names: Record<number, string>): string => names[x] ?? `0x${x.toString(16).toUpperCase()}`;
  const header: RefHeader = {
    version: 2,
    command: isProxy ? 'PROXY' : 'LOCAL',
    family: nib(fam, FAMILY),
    transport: nib(tr, TRANSPORT),
    src: null,
    srcPort: null,
    dst: null,
    dstPort: null,
    tlvs: tlvs.map((t) => ({ type: t.type, value: b.subarray(t.start + 3, t.start + 3 + t.vlen) })),
  };
  if (isProxy) {
    const a = b.subarray(16, 16 + block);
    if (fam === 1) {
      header.src = `${a[0]}.${a[1]}.${a[2]}.${a[3]}`;
      header.dst = `${a[4]}.${a[5]}.${a[6]}.${a[7]}`;
      header.srcPort = (a[8]! << 8) | a[9]!;
      header.dstPort = (a[10]! << 8) | a[11]!;
    } else if (fam === 2) {
      header.src = formatIPv6Ref(a.subarray(0, 16));
      header.dst = formatIPv6Ref(a.subarray(16, 32));
      header.srcPort = (a[32]! << 8) | a[33]!;
      header.dstPort = (a[34]! << 8) | a[35]!;
    } else if (fam === 3) {
      header.src = unixPath(a.subarray(0, 108));
      header.dst = unixPath(a.subarray(108, 216));
    }
  }
  return { status: 'complete', header, length: end };
}

/** The first rule (in the whole-header walk's order) a TLV header breaks once its length is known. */
function lengthRules(type: number, vlen: number, pos: number, end: number, crcSeen: boolean): string | null {
  if (pos + 3 + vlen > end) return 'BAD_TLV'; // §2.7: value must end inside the header
  if (type === T_CRC32C && (vlen !== 4 || crcSeen)) return 'CRC_MISMATCH'; // §3.3: one, of 4 bytes
  if (type === T_UNIQUE_ID && vlen > 128) return 'BAD_TLV'; // §3.2: ≤ 128 bytes
  if (type === T_SSL && vlen < 5) return 'BAD_TLV'; // §3.4: 5 fixed bytes
  const after = end - (pos + 3 + vlen);
  if (after > 0 && after < 3) return 'BAD_TLV'; // stray 1–2 bytes, known now
  return null;
}

/** A nested TLV list (SSL sub-TLVs, §3.4) must frame exactly: 3-byte headers, values inside. */
function framesExactly(list: Uint8Array): boolean {
  let p = 0;
  while (p < list.length) {
    if (list.length - p < 3) return false;
    const vlen = (list[p + 1]! << 8) | list[p + 2]!;
    p += 3 + vlen;
    if (p > list.length) return false;
  }
  return true;
}

/** §2.3 / vectors.json: a UNIX address is the path up to the first NUL. */
function unixPath(field: Uint8Array): string {
  const nul = field.indexOf(0);
  return Buffer.from(field.subarray(0, nul === -1 ? field.length : nul)).toString('utf8');
}
