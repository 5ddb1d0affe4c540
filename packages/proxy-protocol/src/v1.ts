// PROXY protocol version 1, the text line (§1). Decoded straight from the bytes: no toString,
// no split, no regular expression. Spec-strict (§1.3): every HAProxy leniency of §1.5 is
// refused. Fail-early: each byte is checked as it arrives, so a line that has gone wrong is
// refused at that byte instead of after a wait for CRLF (a peer cannot hold a connection open
// with a line that can never become valid).
import { ProxyProtocolError } from './errors.js';
import type { ProxyHeader } from './header.js';
import { formatIPv4, scanIPv4, scannedIPv4 } from './ipv4.js';
import { formatIPv6, scanIPv6, scannedIPv6 } from './ipv6.js';
import { INCOMPLETE } from './result.js';
import type { DecodeResult } from './result.js';

const SP = 0x20;
const CR = 0x0d;
const LF = 0x0a;

function bad(code: 'BAD_HDR' | 'BAD_PROTO', message: string, offset: number): never {
  throw new ProxyProtocolError(code, message, { offset });
}

/**
 * Out of bytes at a point where the line is still a valid prefix: wait for more, unless the cap
 * is already buffered. No CRLF within the cap (107 bytes by default, §1.2, §1.3) is TOO_LARGE:
 * it bounds what a peer can make us buffer for one line.
 */
function needMore(available: number, maxBytes: number): DecodeResult {
  if (available >= maxBytes) {
    throw new ProxyProtocolError('TOO_LARGE', `no CRLF within the first ${maxBytes} bytes of a v1 header`, {
      offset: maxBytes,
    });
  }
  return INCOMPLETE;
}

/**
 * Decodes a v1 line at the start of `buf`, whose prefix `PROXY ` detectVersion() has matched
 * (anything else, lower case or a tab included, is not a PROXY header at all: §1.1, HAProxy
 * PRX_NOT_HDR). `maxBytes` is the cap on the line including CRLF (15..107).
 */
export function decodeV1(buf: Uint8Array, maxBytes: number): DecodeResult {
  const available = buf.length;
  const limit = available < maxBytes ? available : maxBytes;
  // Fast path: "TCP4 " / "TCP6 " after the prefix all there, checked in one go.
  if (limit > 10 && buf[6] === 0x54 && buf[7] === 0x43 && buf[8] === 0x50 && buf[10] === SP) {
    const v = buf[9];
    if (v === 0x34) return decodeTcp4(buf, available, limit, maxBytes);
    if (v === 0x36) return decodeTcp6(buf, available, limit, maxBytes);
  }

  // Protocol token: TCP4, TCP6 or UNKNOWN, case-sensitive (§1.1, §1.3). Anything else, e.g. UDP4
  // or tcp4, is BAD_PROTO at the first byte that cannot continue one of the three: guessing a
  // meaning for an unknown token would let two parsers on the path disagree about the client.
  if (limit <= 6) return needMore(available, maxBytes);
  const t = buf[6];
  if (t === 0x54 /* T */) {
    if (limit <= 7) return needMore(available, maxBytes);
    if (buf[7] !== 0x43 /* C */) bad('BAD_PROTO', 'unknown v1 protocol', 7);
    if (limit <= 8) return needMore(available, maxBytes);
    if (buf[8] !== 0x50 /* P */) bad('BAD_PROTO', 'unknown v1 protocol', 8);
    if (limit <= 9) return needMore(available, maxBytes);
    const v = buf[9];
    if (v !== 0x34 /* 4 */ && v !== 0x36 /* 6 */) bad('BAD_PROTO', 'unknown v1 protocol', 9);
    if (limit <= 10) return needMore(available, maxBytes);
    if (buf[10] !== SP) {
      // "TCP4\r\n": a known token with its four fields missing is a malformed line.
      if (buf[10] === CR) bad('BAD_HDR', 'v1 TCP line without addresses', 10);
      bad('BAD_PROTO', 'unknown v1 protocol', 10);
    }
    return v === 0x34 ? decodeTcp4(buf, available, limit, maxBytes) : decodeTcp6(buf, available, limit, maxBytes);
  }
  if (t === 0x55 /* U */) return decodeUnknown(buf, available, limit, maxBytes);
  return bad('BAD_PROTO', 'unknown v1 protocol', 6);
}

const UNKNOWN_TAIL = [0x4e, 0x4b, 0x4e, 0x4f, 0x57, 0x4e]; // "NKNOWN"

/**
 * `PROXY UNKNOWN\r\n` or `PROXY UNKNOWN <anything but CR/LF>\r\n` (§1.1, §1.4): the sender
 * cannot describe the connection; the receiver keeps the real socket addresses and ignores the
 * rest of the line. HAProxy only takes the short form (§1.5); the spec allows the long one.
 */
function decodeUnknown(buf: Uint8Array, available: number, limit: number, maxBytes: number): DecodeResult {
  for (let i = 0; i < UNKNOWN_TAIL.length; i++) {
    if (limit <= 7 + i) return needMore(available, maxBytes);
    if (buf[7 + i] !== UNKNOWN_TAIL[i]) bad('BAD_PROTO', 'unknown v1 protocol', 7 + i);
  }
  if (limit <= 13) return needMore(available, maxBytes);
  let pos = 13;
  const c = buf[13];
  if (c === SP) {
    // Skip the ignored text. A bare LF or a CR not followed by LF is not a line end (§1.3):
    // refusing them stops request smuggling through a receiver that splits lines differently.
    for (pos = 14; ; pos++) {
      if (pos >= limit) return needMore(available, maxBytes);
      const b = buf[pos];
      if (b === CR) break;
      if (b === LF) bad('BAD_HDR', 'bare LF in a v1 header', pos);
    }
  } else if (c !== CR) {
    bad('BAD_PROTO', 'unknown v1 protocol', 13);
  }
  if (pos + 1 >= limit) return needMore(available, maxBytes);
  if (buf[pos + 1] !== LF) bad('BAD_HDR', 'CR not followed by LF in a v1 header', pos + 1);
  const header: ProxyHeader = {
    version: 1,
    command: 'PROXY',
    protocol: 'UNKNOWN',
    family: 'UNSPEC',
    transport: 'UNSPEC',
    src: null,
    srcPort: null,
    dst: null,
    dstPort: null,
    tlvs: [],
  };
  return { status: 'complete', header, length: pos + 2 };
}

let scannedPort = 0;

/**
 * Scans a decimal port 0–65535 without leading zeros or sign (§1.1, §1.3; HAProxy accepts
 * `0443`, `65536` and an empty field, §1.5, which would let a peer advertise a port other than
 * the one a strict parser behind it sees). Returns the index after the digits or -1 (need more).
 */
function scanPort(buf: Uint8Array, pos: number, limit: number): number {
  if (pos >= limit) return -1;
  let d = buf[pos]! - 0x30;
  if (d < 0 || d > 9) bad('BAD_HDR', 'expected a port number', pos);
  let value = d;
  pos++;
  if (value === 0) {
    if (pos >= limit) return -1;
    d = buf[pos]! - 0x30;
    if (d >= 0 && d <= 9) bad('BAD_HDR', 'port with a leading zero', pos);
  } else {
    for (;;) {
      if (pos >= limit) return -1;
      d = buf[pos]! - 0x30;
      if (d < 0 || d > 9) break;
      value = value * 10 + d;
      if (value > 65535) bad('BAD_HDR', 'port above 65535', pos);
      pos++;
    }
  }
  scannedPort = value;
  return pos;
}

/**
 * One separator between fields: exactly one SP (no tab, no double space, §1.3). A lenient
 * separator rule is how a line reads differently to two parsers (HAProxy takes an empty field as
 * port 0, §1.5): one strict reading leaves no room for a spoofed address or port.
 */
function expect(buf: Uint8Array, pos: number, byte: number, what: string): void {
  if (buf[pos] !== byte) bad('BAD_HDR', `expected ${what} in a v1 header`, pos);
}

function decodePorts(
  buf: Uint8Array, pos: number, available: number, limit: number, maxBytes: number,
  protocol: 'TCP4' | 'TCP6', src: string, dst: string,
): DecodeResult {
  pos = scanPort(buf, pos, limit);
  if (pos < 0) return needMore(available, maxBytes);
  expect(buf, pos, SP, 'a space after the source port');
  const srcPort = scannedPort;
  pos = scanPort(buf, pos + 1, limit);
  if (pos < 0) return needMore(available, maxBytes);
  // Only CRLF ends the line: no extra field, no bare LF (§1.3).
  expect(buf, pos, CR, 'CRLF after the destination port');
  if (pos + 1 >= limit) return needMore(available, maxBytes);
  expect(buf, pos + 1, LF, 'LF after CR');
  const header: ProxyHeader = {
    version: 1,
    command: 'PROXY',
    protocol,
    family: protocol === 'TCP4' ? 'INET' : 'INET6',
    transport: 'STREAM',
    src,
    srcPort,
    dst,
    dstPort: scannedPort,
    tlvs: [],
  };
  return { status: 'complete', header, length: pos + 2 };
}

/** `TCP4 <ipv4> <ipv4> <port> <port>\r\n`: IPv4 text only for TCP4 (§1.3: family must match). */
function decodeTcp4(buf: Uint8Array, available: number, limit: number, maxBytes: number): DecodeResult {
  let pos = scanIPv4(buf, 11, limit);
  if (pos < 0) return needMore(available, maxBytes);
  expect(buf, pos, SP, 'a space after the source address');
  const src = formatIPv4(scannedIPv4, 0);
  pos = scanIPv4(buf, pos + 1, limit);
  if (pos < 0) return needMore(available, maxBytes);
  expect(buf, pos, SP, 'a space after the destination address');
  const dst = formatIPv4(scannedIPv4, 0);
  return decodePorts(buf, pos + 1, available, limit, maxBytes, 'TCP4', src, dst);
}

/** `TCP6 <ipv6> <ipv6> <port> <port>\r\n`; addresses come back in canonical text (§1.6). */
function decodeTcp6(buf: Uint8Array, available: number, limit: number, maxBytes: number): DecodeResult {
  let pos = scanIPv6(buf, 11, limit, false);
  if (pos < 0) return needMore(available, maxBytes);
  expect(buf, pos, SP, 'a space after the source address');
  const src = formatIPv6(scannedIPv6, 0);
  pos = scanIPv6(buf, pos + 1, limit, false);
  if (pos < 0) return needMore(available, maxBytes);
  expect(buf, pos, SP, 'a space after the destination address');
  const dst = formatIPv6(scannedIPv6, 0);
  return decodePorts(buf, pos + 1, available, limit, maxBytes, 'TCP6', src, dst);
}
