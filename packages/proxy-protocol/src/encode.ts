// encode(): a header value to wire bytes, byte-identical to what HAProxy sends for the same
// connection (§1.6 v1, §2.8 v2): mapped IPv6 for mixed families, `PROXY UNKNOWN\r\n` / LOCAL
// when an end is not INET/INET6, TLVs in the order given, CRC32C computed last over the
// finished header. Refuses to write anything `decode` would reject.
import { Buffer } from 'node:buffer';
import { PP2_COMMAND, PP2_FAMILY, PP2_HEADER_FIXED_BYTES, PP2_SIGNATURE, PP2_SIGNATURE_BYTES, PP2_TYPE, PP2_UNIX_PATH_BYTES, PP2_VERSION } from './constants.js';
import { crc32cUpdate } from './crc32c.js';
import { ProxyProtocolError } from './errors.js';
import type { ProxyErrorCode } from './errors.js';
import type { AddressFamily, ProxyCommand, Tlv, Transport, V1Protocol } from './header.js';
import { writeIPv4 } from './ipv4.js';
import { formatIPv6, writeIPv6 } from './ipv6.js';
import { addressBlockBytes, familyNibble, transportNibble } from './family.js';
import { CRC32C_VALUE_BYTES, MAX_TLV_VALUE_BYTES, MAX_V2_HEADER_BYTES, MIN_SSL_VALUE_BYTES, TLV_HEADER_BYTES } from './limits.js';
import { checkTlvRule } from './tlv-rules.js';
import { checkTlvFraming, SIGNATURE_CRC_STATE } from './tlv-walk.js';

/** What to encode. A decoded `ProxyHeader` is a valid input (`decode(encode(h))` gives `h`). */
export interface EncodeInput {
  version: 1 | 2;
  /** Default 'PROXY'. v1 has no LOCAL: it becomes `PROXY UNKNOWN\r\n`. */
  command?: ProxyCommand;
  /** v1 only; 'UNKNOWN' forces the short UNKNOWN line, 'TCP6' forces mapped IPv6. */
  protocol?: V1Protocol;
  src?: string | null;
  srcPort?: number | null;
  dst?: string | null;
  dstPort?: number | null;
  /**
   * Usually derived from the addresses. 'INET6' maps IPv4 ends; 'UNIX' takes `src`/`dst` as
   * paths (v2); 'UNSPEC' with command PROXY writes v2 `0x21 0x00`.
   */
  family?: AddressFamily;
  /** v2 transport, default 'STREAM'. */
  transport?: Transport;
  /** v2 TLVs, written in this order. */
  tlvs?: readonly Tlv[];
}

export interface EncodeOptions {
  /**
   * Add a CRC32C TLV after the given TLVs (when none is among them) and fill in the checksum of
   * the finished header, big-endian (§3.3). A CRC32C TLV already in `tlvs` is always filled in,
   * where it stands: to reproduce HAProxy's order with ALPN/AUTHORITY/…, put `crc32cTlv()` first.
   */
  crc32c?: boolean;
}

function fail(code: ProxyErrorCode, message: string): never {
  throw new ProxyProtocolError(code, message);
}

const NO_TLVS: readonly Tlv[] = Object.freeze([]);

/** Encodes a v1 line or a v2 header; throws ProxyProtocolError (BAD_HDR, BAD_TLV, TOO_LARGE). */
export function encode(header: EncodeInput, options?: EncodeOptions): Buffer {
  if (header.version === 2) return encodeV2(header, options?.crc32c === true);
  if (header.version === 1) return encodeV1(header);
  return fail('BAD_HDR', 'version must be 1 or 2');
}

function checkPort(port: number | null | undefined, which: string): number {
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535) {
    fail('BAD_HDR', `${which} port must be an integer 0..65535`);
  }
  return port;
}

const v4Scratch = new Uint8Array(4);
const v6Scratch = new Uint8Array(16);

/** IPv6 text is recognised by its ':'; everything else must be strict IPv4 text. */
function isV6Text(text: string): boolean {
  return text.indexOf(':') >= 0;
}

function v4OrFail(text: string, which: string, out: Uint8Array = v4Scratch, at = 0): void {
  if (!writeIPv4(text, out, at)) fail('BAD_HDR', `${which} address is neither strict IPv4 nor IPv6 text`);
}

function decimalDigits(n: number): number {
  return n < 10 ? 1 : n < 100 ? 2 : n < 1000 ? 3 : n < 10000 ? 4 : 5;
}

function writeAscii(out: Buffer, at: number, text: string): number {
  for (let i = 0; i < text.length; i++) out[at + i] = text.charCodeAt(i);
  return at + text.length;
}

function writeDecimal(out: Buffer, at: number, n: number, digits: number): number {
  for (let i = digits - 1; i >= 0; i--) {
    out[at + i] = 0x30 + (n % 10);
    n = (n / 10) | 0;
  }
  return at + digits;
}

/**
 * `PROXY <proto> <src> <dst> <sport> <dport>\r\n` written byte by byte into one allocation: no
 * string building, no Buffer.from(string) (the encoder's v1 hot path). `proto` is TCP4 or TCP6.
 */
function tcpLine(six: boolean, src: string, dst: string, srcPort: number, dstPort: number): Buffer {
  const sd = decimalDigits(srcPort);
  const dd = decimalDigits(dstPort);
  const out = Buffer.allocUnsafe(11 + src.length + 1 + dst.length + 1 + sd + 1 + dd + 2);
  let at = writeAscii(out, 0, six ? 'PROXY TCP6 ' : 'PROXY TCP4 ');
  at = writeAscii(out, at, src);
  out[at++] = 0x20;
  at = writeAscii(out, at, dst);
  out[at++] = 0x20;
  at = writeDecimal(out, at, srcPort, sd);
  out[at++] = 0x20;
  at = writeDecimal(out, at, dstPort, dd);
  out[at] = 0x0d;
  out[at + 1] = 0x0a;
  return out;
}

const UNKNOWN_LINE = 'PROXY UNKNOWN\r\n';

/** §1.6: TCP4 when both ends are IPv4, TCP6 (IPv4 ends mapped) when one is IPv6, else UNKNOWN. */
function encodeV1(h: EncodeInput): Buffer {
  if (h.tlvs !== undefined && h.tlvs.length > 0) fail('BAD_TLV', 'a v1 header carries no TLVs');
  const src = h.src;
  const dst = h.dst;
  if (
    h.command === 'LOCAL' || h.protocol === 'UNKNOWN' || src == null || dst == null ||
    (h.family !== undefined && h.family !== 'INET' && h.family !== 'INET6')
  ) {
    return Buffer.from(UNKNOWN_LINE, 'latin1');
  }
  const srcPort = checkPort(h.srcPort, 'source');
  const dstPort = checkPort(h.dstPort, 'destination');
  const src6 = isV6Text(src);
  const dst6 = isV6Text(dst);
  if (!src6) v4OrFail(src, 'source');
  if (!dst6) v4OrFail(dst, 'destination');
  const six = src6 || dst6 || h.protocol === 'TCP6' || h.family === 'INET6';
  if (!six) return tcpLine(false, src, dst, srcPort, dstPort);
  if (h.protocol === 'TCP4' || h.family === 'INET') fail('BAD_HDR', 'IPv6 address in a TCP4/INET header');
  const s = src6 ? canonical6(src) : `::ffff:${src}`;
  const d = dst6 ? canonical6(dst) : `::ffff:${dst}`;
  return tcpLine(true, s, d, srcPort, dstPort);
}

function canonical6(text: string): string {
  writeIPv6(text, v6Scratch, 0);
  return formatIPv6(v6Scratch, 0);
}

function nibble(name: string, of: (name: string) => number, what: string): number {
  const value = of(name);
  return value >= 0 ? value : fail('BAD_HDR', `unknown ${what} ${JSON.stringify(name)}`);
}

/**
 * §2.8: PROXY 0x11 when both ends are IPv4, 0x21 with mapped IPv4 when one is IPv6; LOCAL 0x00
 * (len = TLV bytes) when an end is missing. Explicit `family` selects UNIX (paths), DGRAM
 * transport, or PROXY+UNSPEC; LOCAL keeps whatever family byte is asked for.
 */
function encodeV2(h: EncodeInput, addCrc: boolean): Buffer {
  let command: number = h.command === 'LOCAL' ? PP2_COMMAND.LOCAL : PP2_COMMAND.PROXY;
  const src = h.src;
  const dst = h.dst;
  // Transport defaults to STREAM, except beside an UNSPEC family where only 0x00 is listed.
  const transport =
    h.transport !== undefined ? nibble(h.transport, transportNibble, 'transport') : h.family === 'UNSPEC' ? 0 : 1;
  let famTrans = 0x00;
  let addresses = false; // write src/dst into the block
  let srcIs6 = false;
  let dstIs6 = false;

  if (command === PP2_COMMAND.PROXY) {
    if (src != null && dst != null && h.family !== 'UNSPEC') {
      addresses = true;
      if (h.family === 'UNIX') {
        famTrans = (PP2_FAMILY.UNIX << 4) | transport;
      } else {
        if (h.family !== undefined && h.family !== 'INET' && h.family !== 'INET6') {
          fail('BAD_HDR', `family ${h.family} cannot carry IP addresses`);
        }
        srcIs6 = isV6Text(src);
        dstIs6 = isV6Text(dst);
        const six = srcIs6 || dstIs6 || h.family === 'INET6';
        if (six && h.family === 'INET') fail('BAD_HDR', 'IPv6 address in an INET header');
        famTrans = ((six ? PP2_FAMILY.INET6 : PP2_FAMILY.INET) << 4) | transport;
      }
    } else if (h.family === 'UNSPEC') {
      famTrans = transport;
    } else {
      // An end that is not INET/INET6 (a UNIX-socket client): HAProxy sends LOCAL, family 0x00.
      command = PP2_COMMAND.LOCAL;
    }
    if (command === PP2_COMMAND.PROXY && addressBlockBytes(famTrans) < 0) {
      fail('BAD_HDR', `undefined v2 family/transport 0x${famTrans.toString(16)} under PROXY`);
    }
  } else if (h.family !== undefined) {
    famTrans = (nibble(h.family, familyNibble, 'family') << 4) | transport;
    addresses = src != null && dst != null && addressBlockBytes(famTrans) > 0;
    if (addresses && famTrans >> 4 !== PP2_FAMILY.UNIX) {
      srcIs6 = isV6Text(src!);
      dstIs6 = isV6Text(dst!);
      if ((srcIs6 || dstIs6) && famTrans >> 4 === PP2_FAMILY.INET) fail('BAD_HDR', 'IPv6 address in an INET header');
    }
  }
  // An undefined family/transport (only possible under LOCAL) has no block.
  const block = Math.max(0, addressBlockBytes(famTrans));

  // TLVs: validate by the same rules decode() applies, so we never write what we would refuse.
  const tlvs = h.tlvs ?? NO_TLVS;
  let tlvBytes = 0;
  let crcIndex = -1;
  for (let i = 0; i < tlvs.length; i++) {
    const t = tlvs[i]!;
    const type = t.type;
    const length = t.value.length;
    if (!Number.isInteger(type) || type < 0 || type > 0xff) fail('BAD_TLV', `TLV type ${type} is not a byte`);
    if (length > MAX_TLV_VALUE_BYTES) fail('TOO_LARGE', `TLV value of ${length} bytes (max ${MAX_TLV_VALUE_BYTES})`);
    if (checkTlvRule(type, length, crcIndex >= 0, undefined, 'BAD_TLV')) crcIndex = i;
    else if (type === PP2_TYPE.SSL) checkTlvFraming(t.value, MIN_SSL_VALUE_BYTES, length);
    tlvBytes += TLV_HEADER_BYTES + length;
  }
  const appendCrc = addCrc && crcIndex < 0;
  if (appendCrc) tlvBytes += TLV_HEADER_BYTES + CRC32C_VALUE_BYTES;

  const total = PP2_HEADER_FIXED_BYTES + block + tlvBytes;
  if (total > MAX_V2_HEADER_BYTES) fail('TOO_LARGE', `v2 header of ${total} bytes (max ${MAX_V2_HEADER_BYTES})`);

  const out = Buffer.allocUnsafe(total);
  out.set(PP2_SIGNATURE, 0);
  out[PP2_SIGNATURE_BYTES] = PP2_VERSION | command;
  out[PP2_SIGNATURE_BYTES + 1] = famTrans;
  out[PP2_SIGNATURE_BYTES + 2] = (total - PP2_HEADER_FIXED_BYTES) >> 8;
  out[PP2_SIGNATURE_BYTES + 3] = (total - PP2_HEADER_FIXED_BYTES) & 0xff;
  let pos = PP2_HEADER_FIXED_BYTES;
  if (block > 0) {
    if (!addresses) {
      out.fill(0, pos, pos + block); // LOCAL with a listed family and no addresses: a zero block
    } else if (famTrans >> 4 === PP2_FAMILY.UNIX) {
      writeUnixPath(out, pos, src!, 'source');
      writeUnixPath(out, pos + PP2_UNIX_PATH_BYTES, dst!, 'destination');
    } else if (famTrans >> 4 === PP2_FAMILY.INET) {
      v4OrFail(src!, 'source', out, pos);
      v4OrFail(dst!, 'destination', out, pos + 4);
      writePorts(out, pos + 8, h);
    } else {
      writeMapped(out, pos, src!, srcIs6, 'source');
      writeMapped(out, pos + 16, dst!, dstIs6, 'destination');
      writePorts(out, pos + 32, h);
    }
    pos += block;
  }
  let crcAt = -1;
  for (let i = 0; i < tlvs.length; i++) {
    const t = tlvs[i]!;
    const length = t.value.length;
    out[pos] = t.type;
    out[pos + 1] = length >> 8;
    out[pos + 2] = length & 0xff;
    pos += TLV_HEADER_BYTES;
    if (i === crcIndex) {
      crcAt = pos;
      out[pos] = out[pos + 1] = out[pos + 2] = out[pos + 3] = 0;
    } else {
      out.set(t.value, pos);
    }
    pos += length;
  }
  if (appendCrc) {
    out[pos] = PP2_TYPE.CRC32C;
    out[pos + 1] = 0;
    out[pos + 2] = CRC32C_VALUE_BYTES;
    crcAt = pos + TLV_HEADER_BYTES;
    out[crcAt] = out[crcAt + 1] = out[crcAt + 2] = out[crcAt + 3] = 0;
  }
  // The checksum covers the finished header with its own 4 bytes at zero, written big-endian (§3.3).
  if (crcAt >= 0) {
    // Every header starts with the constant signature: continue from its precomputed state.
    const sum = ~crc32cUpdate(SIGNATURE_CRC_STATE, out, PP2_SIGNATURE_BYTES, total) >>> 0;
    out[crcAt] = sum >>> 24;
    out[crcAt + 1] = (sum >>> 16) & 0xff;
    out[crcAt + 2] = (sum >>> 8) & 0xff;
    out[crcAt + 3] = sum & 0xff;
  }
  return out;
}

function writePorts(out: Buffer, at: number, h: EncodeInput): void {
  const sp = checkPort(h.srcPort, 'source');
  const dp = checkPort(h.dstPort, 'destination');
  out[at] = sp >> 8;
  out[at + 1] = sp & 0xff;
  out[at + 2] = dp >> 8;
  out[at + 3] = dp & 0xff;
}

/** 16 address bytes; an IPv4 end becomes `::ffff:a.b.c.d` (§2.8, HAProxy's mapping). */
function writeMapped(out: Buffer, at: number, text: string, is6: boolean, which: string): void {
  if (is6) {
    writeIPv6(text, out, at);
    return;
  }
  v4OrFail(text, which, out, at + 12);
  out.fill(0, at, at + 10);
  out[at + 10] = 0xff;
  out[at + 11] = 0xff;
}

/** A UNIX path in its 108-byte NUL-padded field (§2.3); a NUL inside would truncate it. */
function writeUnixPath(out: Buffer, at: number, path: string, which: string): void {
  if (path.includes('\0')) fail('BAD_HDR', `${which} UNIX path contains a NUL byte`);
  const bytes = Buffer.byteLength(path, 'utf8');
  if (bytes > PP2_UNIX_PATH_BYTES) fail('BAD_HDR', `${which} UNIX path of ${bytes} bytes (max ${PP2_UNIX_PATH_BYTES})`);
  out.write(path, at, 'utf8');
  out.fill(0, at + bytes, at + PP2_UNIX_PATH_BYTES);
}
