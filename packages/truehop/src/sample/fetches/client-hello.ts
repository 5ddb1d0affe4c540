// A bounded reader of the TLS ClientHello at the start of a client's bytes, for TLS
// passthrough (req.ssl_hello_type, req.ssl_sni, req.ssl_ver): SNI routing without
// terminating TLS. RFC 8446 §5.1 (records), §4.1.2 (ClientHello), RFC 6066 §3 (server_name).
//
// Three outcomes, as the PROXY decoder: `incomplete` (more bytes may decide it), `invalid`
// (these bytes can never be a ClientHello: junk, a truncated length, a lie), or the hello.
// It never throws and never reads past what a length field it has checked allows.
//
// Unlike HAProxy 2.6, which only reads a ClientHello that sits whole in the first record, the
// handshake message is reassembled from consecutive handshake records (RFC 8446 §5.1 lets a
// client fragment it; TLS 1.3 clients with post-quantum key shares do). Reassembly copies,
// and only then; a hello in one record is read in place (views, no copy).
import { Buffer } from 'node:buffer';

/** TLS record header: type(1) version(2) length(2). */
const RECORD_HEADER_BYTES = 5;
/** Handshake header: msg_type(1) length(3). */
const HANDSHAKE_HEADER_BYTES = 4;
const CONTENT_TYPE_HANDSHAKE = 0x16;
const HANDSHAKE_CLIENT_HELLO = 0x01;
const EXTENSION_SERVER_NAME = 0;
const SNI_HOST_NAME = 0;
/**
 * Largest ClientHello we reassemble. A record carries at most 2^14 bytes (RFC 8446 §5.1);
 * real hellos are a few hundred bytes to ~2 KiB (with large key shares). The inspection buffer
 * holds less than this anyway (INSPECT_BUFFER_BYTES): a longer "hello" is refused, so a client
 * cannot make us hold or copy without bound (memory exhaustion).
 */
export const MAX_CLIENT_HELLO_BYTES = 16384;
/** Shortest ClientHello body: version, random, empty session id, one suite, one compression method. */
const MIN_HELLO_BODY_BYTES = 2 + 32 + 1 + 2 + 2 + 1 + 1;
const NO_EXTENSIONS = Buffer.alloc(0);

export interface ClientHello {
  /** client_version of the hello, major << 8 | minor (0x0303 for TLS 1.2 and 1.3). */
  readonly clientVersion: number;
  /** The extensions block (without its length), a view. */
  readonly extensions: Buffer;
}

export type ClientHelloRead =
  | { readonly status: 'incomplete' }
  | { readonly status: 'invalid' }
  | { readonly status: 'complete'; readonly hello: ClientHello };

const INCOMPLETE = Object.freeze({ status: 'incomplete' as const });
const INVALID = Object.freeze({ status: 'invalid' as const });

/**
 * The bytes (header included) of the first handshake message, gathered
 * from as many records as it spans; incomplete/invalid as above.
 */
function handshakeMessage(data: Buffer): Buffer | typeof INCOMPLETE | typeof INVALID {
  let offset = 0;
  let parts: Buffer[] | null = null;
  let gathered = 0;
  let first: Buffer | null = null;
  let wanted = -1;
  // Each loop consumes one whole record (>= 1 byte of body) or returns: bounded by data.length.
  for (;;) {
    if (data.length - offset < RECORD_HEADER_BYTES) {
      // Judge what is there: a first byte that is not a handshake record is junk now.
      if (data.length > offset && data[offset] !== CONTENT_TYPE_HANDSHAKE) return INVALID;
      if (data.length > offset + 1 && data[offset + 1] !== 3) return INVALID;
      return INCOMPLETE;
    }
    if (data[offset] !== CONTENT_TYPE_HANDSHAKE || data[offset + 1] !== 3) return INVALID;
    const recordLength = data.readUInt16BE(offset + 3);
    if (recordLength === 0) return INVALID; // RFC 8446 §5.1: no zero-length handshake fragments
    const bodyStart = offset + RECORD_HEADER_BYTES;
    const available = Math.min(recordLength, data.length - bodyStart);
    const body = data.subarray(bodyStart, bodyStart + available);
    if (first === null) first = body;
    else (parts ??= [first]).push(body);
    gathered += available;
    if (wanted < 0 && gathered >= HANDSHAKE_HEADER_BYTES) {
      const head = parts === null ? first : Buffer.concat(parts, HANDSHAKE_HEADER_BYTES);
      const length = head.readUIntBE(1, 3);
      if (length > MAX_CLIENT_HELLO_BYTES) return INVALID;
      wanted = HANDSHAKE_HEADER_BYTES + length;
    }
    if (wanted >= 0 && gathered >= wanted) {
      return parts === null ? first.subarray(0, wanted) : Buffer.concat(parts, wanted);
    }
    if (available < recordLength) return INCOMPLETE; // this record's body is still arriving
    offset = bodyStart + recordLength;
    if (gathered > MAX_CLIENT_HELLO_BYTES) return INVALID;
  }
}

/**
 * The type of the first whole handshake message (1: ClientHello, 2: ServerHello), as
 * `req.ssl_hello_type` reports it; incomplete/invalid as above.
 */
export function handshakeType(data: Buffer): number | 'incomplete' | 'invalid' {
  const message = handshakeMessage(data);
  return 'status' in message ? message.status : (message[0] as number);
}

/** Reads the ClientHello at the start of `data` (the client's first bytes). */
export function readClientHello(data: Buffer): ClientHelloRead {
  const message = handshakeMessage(data);
  if ('status' in message) return message;
  if (message[0] !== HANDSHAKE_CLIENT_HELLO || message.length < HANDSHAKE_HEADER_BYTES + MIN_HELLO_BODY_BYTES) return INVALID;
  // Every index below is checked against `end` before it is read.
  const end = message.length;
  let p = HANDSHAKE_HEADER_BYTES;
  const clientVersion = message.readUInt16BE(p);
  if (message[p] !== 3) return INVALID; // SSL 3.0 / TLS 1.x only
  p += 2 + 32; // client_version, random
  const sessionIdLength = message[p] as number;
  if (sessionIdLength > 32) return INVALID;
  p += 1 + sessionIdLength;
  if (p + 2 > end) return INVALID;
  const cipherBytes = message.readUInt16BE(p);
  if (cipherBytes < 2 || cipherBytes % 2 !== 0) return INVALID;
  p += 2 + cipherBytes;
  if (p + 1 > end) return INVALID;
  const compressionMethods = message[p] as number;
  if (compressionMethods < 1) return INVALID;
  p += 1 + compressionMethods;
  // No extension list at all is a valid (pre-TLS 1.3) hello: it names no server, so req.ssl_sni
  // gives no sample, as HAProxy's does when it refuses such a hello; the certificate choice on
  // ssl binds (datapath/client-hello.ts) takes the default.
  if (p === end) return { status: 'complete', hello: { clientVersion, extensions: NO_EXTENSIONS } };
  if (p + 2 > end) return INVALID;
  const extensionBytes = message.readUInt16BE(p);
  p += 2;
  if (p + extensionBytes > end) return INVALID;
  return { status: 'complete', hello: { clientVersion, extensions: message.subarray(p, p + extensionBytes) } };
}

/** serverNameField's answer for a server_name extension whose lengths do not hold together. */
export const MALFORMED_SNI: unique symbol = Symbol('malformed server_name');

/**
 * The host_name of the server_name extension (RFC 6066 §3), as the bytes the client sent
 * (latin1, one char per byte, like every truehop string sample); null when the client sent
 * none, MALFORMED_SNI when the extension's lengths do not hold together.
 */
export function serverNameField(hello: ClientHello): string | null | typeof MALFORMED_SNI {
  const ext = hello.extensions;
  let p = 0;
  while (p + 4 <= ext.length) {
    const type = ext.readUInt16BE(p);
    const length = ext.readUInt16BE(p + 2);
    const start = p + 4;
    if (start + length > ext.length) return MALFORMED_SNI;
    if (type === EXTENSION_SERVER_NAME) {
      // server_name_list: length(2), then name_type(1) length(2) name.
      if (length < 2 + 3) return MALFORMED_SNI;
      const listLength = ext.readUInt16BE(start);
      if (listLength + 2 > length) return MALFORMED_SNI;
      let q = start + 2;
      const listEnd = q + listLength;
      while (q + 3 <= listEnd) {
        const nameType = ext[q] as number;
        const nameLength = ext.readUInt16BE(q + 1);
        if (q + 3 + nameLength > listEnd) return MALFORMED_SNI;
        if (nameType === SNI_HOST_NAME) return ext.toString('latin1', q + 3, q + 3 + nameLength);
        q += 3 + nameLength;
      }
      return null;
    }
    p = start + length;
  }
  return null;
}

/** `req.ssl_sni`'s view of serverNameField: no sample (undefined) when absent or malformed. */
export function serverNameOf(hello: ClientHello): string | undefined {
  const name = serverNameField(hello);
  return typeof name === 'string' ? name : undefined;
}
