// PROXY protocol version 2, the binary header (§2). Every field is checked as soon as its byte
// is there, so a header that cannot be valid is refused before its body is buffered.
import { Buffer, isUtf8 } from 'node:buffer';
import { PP2_COMMAND, PP2_HEADER_FIXED_BYTES, PP2_SIGNATURE_BYTES, PP2_UNIX_PATH_BYTES } from './constants.js';
import { ProxyProtocolError } from './errors.js';
import { addressBlockBytes, familyName, transportName } from './family.js';
import type { ProxyHeader } from './header.js';
import { formatIPv4 } from './ipv4.js';
import { formatIPv6 } from './ipv6.js';
import { INCOMPLETE } from './result.js';
import type { DecodeResult } from './result.js';
import { checkPartialTlvs, decodeHeaderTlvs } from './tlv-walk.js';
import type { TlvProgress } from './tlv-walk.js';

/** Offsets in the fixed part (§2.1): version/command, family/transport, then the 16-bit `len`. */
const VER_CMD_AT = PP2_SIGNATURE_BYTES;
const FAM_TRANS_AT = VER_CMD_AT + 1;
const LEN_AT = FAM_TRANS_AT + 1;
/** The family/transport byte of TCP over IPv4 (§2.3), the common case, decoded inline. */
const TCP4 = 0x11;

function badHdr(message: string, offset: number): never {
  throw new ProxyProtocolError('BAD_HDR', message, { offset });
}

/**
 * Decodes a v2 header at the start of `buf`, whose signature and version nibble detectVersion()
 * has matched. `maxBytes` caps the whole header (16 + len). With `capEarly` (the stream decoder, which buffers) the cap is
 * applied as soon as `len` is read; without it (one-shot decode(), which buffers nothing) it is
 * applied to a complete header, so a legal prefix announcing up to 65535 bytes is `incomplete`
 * as the spec's vector v2_len_ffff_short_data expects.
 */
export function decodeV2(buf: Uint8Array, maxBytes: number, capEarly: boolean, progress?: TlvProgress): DecodeResult {
  const available = buf.length;
  const verCmd = buf[VER_CMD_AT]!;
  // Command 0 LOCAL or 1 PROXY; 2–F are unassigned and the connection must be dropped (§2.2):
  // a future command with other semantics must never be read as PROXY (spoofed addresses).
  const command = verCmd & 0x0f;
  if (command > PP2_COMMAND.PROXY) badHdr(`unassigned v2 command 0x${command.toString(16)}`, VER_CMD_AT);
  const proxy = command === PP2_COMMAND.PROXY;
  if (available <= FAM_TRANS_AT) return INCOMPLETE;

  // Under PROXY only the listed family/transport bytes are allowed (§2.3): an undefined family
  // has no address layout, and guessing one would hand out a spoofed or garbage address.
  // LOCAL ignores the family byte (§2.4; HAProxy accepts any), so it is not checked there.
  const famTrans = buf[FAM_TRANS_AT]!;
  const block = addressBlockBytes(famTrans);
  if (proxy && block < 0) {
    badHdr(`undefined v2 address family/transport 0x${famTrans.toString(16).padStart(2, '0')}`, FAM_TRANS_AT);
  }
  if (available < PP2_HEADER_FIXED_BYTES) return INCOMPLETE;

  // The cap is applied to what `len` announces, before waiting for the body: a peer sending
  // `len = 0xFFFF` then trickling bytes cannot make us reserve or buffer it (memory exhaustion).
  const total = PP2_HEADER_FIXED_BYTES + ((buf[LEN_AT]! << 8) | buf[LEN_AT + 1]!);
  if (total > maxBytes && capEarly) tooLarge(total, maxBytes);
  // `len` must hold the family's address block (§2.3): a shorter one would make us read the
  // addresses from the payload.
  if (proxy && total - PP2_HEADER_FIXED_BYTES < block) {
    badHdr(`v2 len ${total - PP2_HEADER_FIXED_BYTES} is below the ${block}-byte address block`, LEN_AT);
  }
  if (available < total) {
    checkPartialTlvs(buf, available, tlvStart(proxy, block, total), total, progress);
    return INCOMPLETE;
  }

  if (proxy) {
    let header: ProxyHeader;
    if (famTrans === TCP4) {
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
    offset: LEN_AT,
  });
}

/** PROXY with a family other than TCP over IPv4: INET6, DGRAM, UNIX, UNSPEC (§2.3, §2.4). */
function decodeOtherFamily(buf: Uint8Array, famTrans: number, block: number, total: number): ProxyHeader {
  const family = familyName(famTrans >> 4);
  const transport = transportName(famTrans & 0x0f);
  const tlvsAt = PP2_HEADER_FIXED_BYTES + block;
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
  const tlvs = total > tlvsAt ? decodeHeaderTlvs(buf, tlvsAt, total) : [];
  if (family === 'UNIX') {
    // Each path is 108 bytes, NUL-padded; the path is what precedes the first NUL (§2.3).
    src = unixPath(buf, 16);
    dst = unixPath(buf, 16 + PP2_UNIX_PATH_BYTES);
  }
  // UNSPEC under PROXY: no addresses; the receiver keeps the real ones (§2.4), TLVs still count.
  return { version: 2, command: 'PROXY', family, transport, src, srcPort, dst, dstPort, tlvs };
}

/**
 * Where the TLVs start (§2.4): right after the address block under PROXY. Under LOCAL, where the
 * spec does not say: after the block of a listed family when `len` holds it (AWS NLB health
 * checks carry a dummy IPv4 block, §7), otherwise right after the fixed 16 bytes.
 */
function tlvStart(proxy: boolean, block: number, total: number): number {
  return proxy || (block > 0 && total - PP2_HEADER_FIXED_BYTES >= block)
    ? PP2_HEADER_FIXED_BYTES + block
    : PP2_HEADER_FIXED_BYTES;
}

/**
 * LOCAL (§2.4): the proxy's own connection (health check); addresses are never used, whatever
 * the family byte says.
 */
function decodeLocal(buf: Uint8Array, famTrans: number, block: number, total: number): ProxyHeader {
  const tlvsAt = tlvStart(false, block, total);
  return {
    version: 2,
    command: 'LOCAL',
    family: familyName(famTrans >> 4),
    transport: transportName(famTrans & 0x0f),
    src: null,
    srcPort: null,
    dst: null,
    dstPort: null,
    tlvs: total > tlvsAt ? decodeHeaderTlvs(buf, tlvsAt, total) : [],
  };
}

function unixPath(buf: Uint8Array, start: number): string {
  let end = start;
  const limit = start + PP2_UNIX_PATH_BYTES;
  while (end < limit && buf[end] !== 0) end++;
  const bytes = Buffer.from(buf.buffer, buf.byteOffset + start, end - start);
  // Node names UNIX sockets with UTF-8 strings. Bytes that are not UTF-8 would decode to
  // U+FFFD, so two different paths would read as one (an identity an ACL or log could be
  // fooled by) and the header could not be re-encoded: refuse them instead of guessing.
  if (!isUtf8(bytes)) badHdr('v2 UNIX path is not valid UTF-8', start);
  return bytes.toString('utf8');
}
