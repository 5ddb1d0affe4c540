// PROXY protocol version 2, the binary header (§2). Every field is checked as soon as its byte
// is there, so a header that cannot be valid is refused before its body is buffered.
import { isUtf8 } from 'node:buffer';
import { ProxyProtocolError } from './errors.js';
import type { AddressFamily, ProxyHeader, Transport } from './header.js';
import { formatIPv4 } from './ipv4.js';
import { formatIPv6 } from './ipv6.js';
import { V2_FIXED_HEADER_BYTES } from './limits.js';
import { INCOMPLETE, NOT_PROXY } from './result.js';
import type { DecodeResult } from './result.js';
import { checkPartialTlvs, decodeHeaderTlvs } from './tlv-walk.js';
import type { TlvProgress } from './tlv-walk.js';

/** The 12-byte signature (§2.1); byte 0 (0x0D) was already matched by the dispatcher. */
const SIGNATURE = [0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a];

/**
 * Address-block size of each family/transport byte the spec lists (§2.3), -1 for the others.
 * 0x00 UNSPEC; 0x11/0x12 INET stream/dgram; 0x21/0x22 INET6; 0x31/0x32 UNIX.
 */
const BLOCK_BYTES = new Int16Array(256).fill(-1);
BLOCK_BYTES[0x00] = 0;
BLOCK_BYTES[0x11] = 12;
BLOCK_BYTES[0x12] = 12;
BLOCK_BYTES[0x21] = 36;
BLOCK_BYTES[0x22] = 36;
BLOCK_BYTES[0x31] = 216;
BLOCK_BYTES[0x32] = 216;

const UNIX_PATH_BYTES = 108;

const FAMILY_NAMES: readonly AddressFamily[] = ['UNSPEC', 'INET', 'INET6', 'UNIX'];
const TRANSPORT_NAMES: readonly Transport[] = ['UNSPEC', 'STREAM', 'DGRAM'];

/** Family nibble as text; an undefined nibble (only possible under LOCAL) reads `0xN`. */
function familyName(nibble: number): AddressFamily {
  return FAMILY_NAMES[nibble] ?? `0x${nibble.toString(16).toUpperCase()}`;
}
function transportName(nibble: number): Transport {
  return TRANSPORT_NAMES[nibble] ?? `0x${nibble.toString(16).toUpperCase()}`;
}

function badHdr(message: string, offset: number): never {
  throw new ProxyProtocolError('BAD_HDR', message, { offset });
}

/**
 * Decodes a v2 header at the start of `buf` (whose first byte is 0x0D). `maxBytes` caps the
 * whole header (16 + len). With `capEarly` (the stream decoder, which buffers) the cap is
 * applied as soon as `len` is read; without it (one-shot decode(), which buffers nothing) it is
 * applied to a complete header, so a legal prefix announcing up to 65535 bytes is `incomplete`
 * as the spec's vector v2_len_ffff_short_data expects.
 */
export function decodeV2(buf: Uint8Array, maxBytes: number, capEarly: boolean, progress?: TlvProgress): DecodeResult {
  const available = buf.length;
  if (available >= 16) {
    // Fast path: the fixed part is all there.
    if (
      buf[1] !== 0x0a || buf[2] !== 0x0d || buf[3] !== 0x0a || buf[4] !== 0x00 || buf[5] !== 0x0d ||
      buf[6] !== 0x0a || buf[7] !== 0x51 || buf[8] !== 0x55 || buf[9] !== 0x49 || buf[10] !== 0x54 ||
      buf[11] !== 0x0a
    ) {
      return NOT_PROXY;
    }
  } else {
    const n = available < 12 ? available : 12;
    for (let i = 1; i < n; i++) if (buf[i] !== SIGNATURE[i]) return NOT_PROXY;
    if (available < 13) return INCOMPLETE;
  }

  // Version nibble must be 2 (§2.2). After a full signature anything else is not a header we
  // speak (HAProxy: PRX_NOT_HDR), never a v1/v3 guess.
  const verCmd = buf[12]!;
  if (verCmd >> 4 !== 2) return NOT_PROXY;
  // Command 0 LOCAL or 1 PROXY; 2–F are unassigned and the connection must be dropped (§2.2):
  // a future command with other semantics must never be read as PROXY (spoofed addresses).
  const command = verCmd & 0x0f;
  if (command > 1) badHdr(`unassigned v2 command 0x${command.toString(16)}`, 12);
  if (available < 14) return INCOMPLETE;

  // Under PROXY only the listed family/transport bytes are allowed (§2.3): an undefined family
  // has no address layout, and guessing one would hand out a spoofed or garbage address.
  // LOCAL ignores the family byte (§2.4; HAProxy accepts any), so it is not checked there.
  const famTrans = buf[13]!;
  const block = BLOCK_BYTES[famTrans]!;
  if (command === 1 && block < 0) {
    badHdr(`undefined v2 address family/transport 0x${famTrans.toString(16).padStart(2, '0')}`, 13);
  }
  if (available < 16) return INCOMPLETE;

  // The cap is applied to what `len` announces, before waiting for the body: a peer sending
  // `len = 0xFFFF` then trickling bytes cannot make us reserve or buffer it (memory exhaustion).
  const total = V2_FIXED_HEADER_BYTES + ((buf[14]! << 8) | buf[15]!);
  if (total > maxBytes && capEarly) tooLarge(total, maxBytes);
  // `len` must hold the family's address block (§2.3): a shorter one would make us read the
  // addresses from the payload.
  if (command === 1 && total - V2_FIXED_HEADER_BYTES < block) {
    badHdr(`v2 len ${total - V2_FIXED_HEADER_BYTES} is below the ${block}-byte address block`, 14);
  }
  if (available < total) {
    // Where the TLVs start: after the block under PROXY; under LOCAL as in decodeLocal().
    const tlvStart =
      command === 1 || (block > 0 && total - V2_FIXED_HEADER_BYTES >= block)
        ? V2_FIXED_HEADER_BYTES + block
        : V2_FIXED_HEADER_BYTES;
    checkPartialTlvs(buf, available, tlvStart, total, progress);
    return INCOMPLETE;
  }

  if (command === 1) {
    let header: ProxyHeader;
    if (famTrans === 0x11) {
      header = {
        version: 2,
        command: 'PROXY',
        family: 'INET',
        transport: 'STREAM',
        src: formatIPv4(buf, 16),
        srcPort: (buf[24]! << 8) | buf[25]!,
        dst: formatIPv4(buf, 20),
        dstPort: (buf[26]! << 8) | buf[27]!,
        tlvs: total > 28 ? decodeHeaderTlvs(buf, 28, total) : [],
      };
    } else {
      header = decodeOtherFamily(buf, famTrans, block, total);
    }
    // One-shot decode() of a complete header over the cap: its content was judged first (the
    // same order its prefixes were judged in, so the code never depends on the split).
    if (total > maxBytes) tooLarge(total, maxBytes);
    return { status: 'complete', header, length: total };
  }
  const local = decodeLocal(buf, famTrans, block, total);
  if (total > maxBytes) tooLarge(total, maxBytes);
  return { status: 'complete', header: local, length: total };
}

function tooLarge(total: number, maxBytes: number): never {
  throw new ProxyProtocolError('TOO_LARGE', `v2 header of ${total} bytes exceeds the cap of ${maxBytes}`, {
    offset: 14,
  });
}

/** PROXY with a family other than TCP over IPv4: INET6, DGRAM, UNIX, UNSPEC (§2.3, §2.4). */
function decodeOtherFamily(buf: Uint8Array, famTrans: number, block: number, total: number): ProxyHeader {
  const family = familyName(famTrans >> 4);
  const transport = transportName(famTrans & 0x0f);
  const tlvStart = V2_FIXED_HEADER_BYTES + block;
  let src: string | null = null;
  let dst: string | null = null;
  let srcPort: number | null = null;
  let dstPort: number | null = null;
  if (family === 'INET') {
    src = formatIPv4(buf, 16);
    dst = formatIPv4(buf, 20);
    srcPort = (buf[24]! << 8) | buf[25]!;
    dstPort = (buf[26]! << 8) | buf[27]!;
  } else if (family === 'INET6') {
    src = formatIPv6(buf, 16);
    dst = formatIPv6(buf, 32);
    srcPort = (buf[48]! << 8) | buf[49]!;
    dstPort = (buf[50]! << 8) | buf[51]!;
  }
  // TLVs are judged before the UNIX paths: the same order a partial header is judged in, so
  // the error code never depends on how the peer split its bytes.
  const tlvs = total > tlvStart ? decodeHeaderTlvs(buf, tlvStart, total) : [];
  if (family === 'UNIX') {
    // Each path is 108 bytes, NUL-padded; the path is what precedes the first NUL (§2.3).
    src = unixPath(buf, 16);
    dst = unixPath(buf, 16 + UNIX_PATH_BYTES);
  }
  // UNSPEC under PROXY: no addresses; the receiver keeps the real ones (§2.4), TLVs still count.
  return { version: 2, command: 'PROXY', family, transport, src, srcPort, dst, dstPort, tlvs };
}

/**
 * LOCAL (§2.4): the proxy's own connection (health check); addresses are never used, whatever
 * the family byte says. Where the TLVs start is unspecified when an address block is present:
 * after the block of a listed family when `len` holds it (AWS NLB health checks carry a dummy
 * IPv4 block, §7), otherwise right after the fixed 16 bytes.
 */
function decodeLocal(buf: Uint8Array, famTrans: number, block: number, total: number): ProxyHeader {
  const tlvStart =
    block > 0 && total - V2_FIXED_HEADER_BYTES >= block ? V2_FIXED_HEADER_BYTES + block : V2_FIXED_HEADER_BYTES;
  return {
    version: 2,
    command: 'LOCAL',
    family: familyName(famTrans >> 4),
    transport: transportName(famTrans & 0x0f),
    src: null,
    srcPort: null,
    dst: null,
    dstPort: null,
    tlvs: total > tlvStart ? decodeHeaderTlvs(buf, tlvStart, total) : [],
  };
}

function unixPath(buf: Uint8Array, start: number): string {
  let end = start;
  const limit = start + UNIX_PATH_BYTES;
  while (end < limit && buf[end] !== 0) end++;
  const bytes = Buffer.from(buf.buffer, buf.byteOffset + start, end - start);
  // Node names UNIX sockets with UTF-8 strings. Bytes that are not UTF-8 would decode to
  // U+FFFD, so two different paths would read as one (an identity an ACL or log could be
  // fooled by) and the header could not be re-encoded: refuse them instead of guessing.
  if (!isUtf8(bytes)) badHdr('v2 UNIX path is not valid UTF-8', start);
  return bytes.toString('utf8');
}
