// Reads the server name (SNI) out of a TLS ClientHello before the TLS layer sees it, so the
// certificate is chosen up front (RFC 8446 §4.1.2, RFC 6066 §3). Choosing it later, from
// OpenSSL's certificate callback as Node's SNICallback does, only ADDS the chosen certificate
// to the connection: the default certificate stays in its own key-type slot, and a client
// that prefers ECDSA got the default EC certificate even when its SNI named an RSA one.
//
// Bounded: the hello must fit in MAX_HELLO_BYTES (a real one is well under 2 KiB, even with
// post-quantum key shares); anything that is not a well-formed ClientHello is 'not-hello' and
// left to OpenSSL, which refuses it with a handshake failure.

/** TLS record header: type (1), version (2), length (2). */
const RECORD_HEADER_BYTES = 5;
const CONTENT_TYPE_HANDSHAKE = 0x16;
const HANDSHAKE_CLIENT_HELLO = 0x01;
const EXTENSION_SERVER_NAME = 0x0000;
const SNI_HOST_NAME = 0;
/** Records to gather for one hello; beyond this the peer is not sending a ClientHello worth reading. */
export const MAX_HELLO_BYTES = 16 * 1024 + RECORD_HEADER_BYTES;

export type HelloPeek =
  | { readonly status: 'incomplete' }
  | { readonly status: 'not-hello' }
  | { readonly status: 'hello'; readonly servername: string | null };

const INCOMPLETE: HelloPeek = { status: 'incomplete' };
const NOT_HELLO: HelloPeek = { status: 'not-hello' };

/** Concatenates the handshake bytes of the records in `buf`, or a peek verdict. */
function handshakeBytes(buf: Buffer): Buffer | HelloPeek {
  const parts: Buffer[] = [];
  let at = 0;
  let have = 0;
  let need = -1;
  while (need < 0 || have < need) {
    if (at + RECORD_HEADER_BYTES > buf.length) return buf.length >= MAX_HELLO_BYTES ? NOT_HELLO : INCOMPLETE;
    if (buf[at] !== CONTENT_TYPE_HANDSHAKE || buf[at + 1] !== 0x03) return NOT_HELLO;
    const len = buf.readUInt16BE(at + 3);
    if (len === 0) return NOT_HELLO;
    if (at + RECORD_HEADER_BYTES + len > buf.length) return buf.length >= MAX_HELLO_BYTES ? NOT_HELLO : INCOMPLETE;
    parts.push(buf.subarray(at + RECORD_HEADER_BYTES, at + RECORD_HEADER_BYTES + len));
    have += len;
    at += RECORD_HEADER_BYTES + len;
    if (need < 0 && have >= 4) {
      const first = parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts);
      if (first[0] !== HANDSHAKE_CLIENT_HELLO) return NOT_HELLO;
      need = 4 + first.readUIntBE(1, 3);
      if (need > MAX_HELLO_BYTES) return NOT_HELLO;
    }
  }
  return Buffer.concat(parts).subarray(0, need);
}

/** The SNI host name of the ClientHello at the start of `buf` (records as received). */
export function peekClientHello(buf: Buffer): HelloPeek {
  const hs = handshakeBytes(buf);
  if (!Buffer.isBuffer(hs)) return hs;
  // client_version (2) + random (32) after the 4-byte handshake header.
  let at = 4 + 2 + 32;
  const end = hs.length;
  const skip = (lenBytes: 1 | 2): boolean => {
    if (at + lenBytes > end) return false;
    const len = lenBytes === 1 ? (hs[at] as number) : hs.readUInt16BE(at);
    at += lenBytes + len;
    return at <= end;
  };
  if (!skip(1) || !skip(2) || !skip(1)) return NOT_HELLO; // session id, cipher suites, compression
  if (at === end) return { status: 'hello', servername: null }; // no extensions
  if (at + 2 > end) return NOT_HELLO;
  const extEnd = at + 2 + hs.readUInt16BE(at);
  if (extEnd > end) return NOT_HELLO;
  at += 2;
  while (at + 4 <= extEnd) {
    const type = hs.readUInt16BE(at);
    const len = hs.readUInt16BE(at + 2);
    const body = at + 4;
    if (body + len > extEnd) return NOT_HELLO;
    if (type === EXTENSION_SERVER_NAME) {
      // server_name_list (2), then entries: name_type (1), host_name length (2), name.
      let p = body + 2;
      const listEnd = Math.min(body + 2 + (len >= 2 ? hs.readUInt16BE(body) : 0), body + len);
      while (p + 3 <= listEnd) {
        const nameType = hs[p] as number;
        const nameLen = hs.readUInt16BE(p + 1);
        if (p + 3 + nameLen > listEnd) return NOT_HELLO;
        if (nameType === SNI_HOST_NAME) return { status: 'hello', servername: hs.toString('latin1', p + 3, p + 3 + nameLen) };
        p += 3 + nameLen;
      }
      return { status: 'hello', servername: null };
    }
    at = body + len;
  }
  return { status: 'hello', servername: null };
}
