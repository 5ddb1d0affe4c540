// Reads the server name (SNI) out of a TLS ClientHello before the TLS layer sees it, so the
// certificate is chosen up front (RFC 8446 §4.1.2, RFC 6066 §3). Choosing it later, from
// OpenSSL's certificate callback as Node's SNICallback does, only ADDS the chosen certificate
// to the connection: the default certificate stays in its own key-type slot, and a client
// that prefers ECDSA got the default EC certificate even when its SNI named an RSA one.
//
// The reading itself is the passthrough fetches' bounded ClientHello reader
// (sample/fetches/client-hello.ts: records reassembled, never throws, capped at
// MAX_CLIENT_HELLO_BYTES); anything that is not a well-formed ClientHello is 'not-hello' and
// left to OpenSSL, which refuses it with a handshake failure.
import { MALFORMED_SNI, MAX_CLIENT_HELLO_BYTES, readClientHello, serverNameField } from '../sample/fetches/client-hello.js';

/** Bytes of hello the handshake phase may hold: the reader's cap plus one record header. */
export const MAX_HELLO_BYTES = MAX_CLIENT_HELLO_BYTES + 5;

export type HelloPeek =
  | { readonly status: 'incomplete' }
  | { readonly status: 'not-hello' }
  | { readonly status: 'hello'; readonly servername: string | null };

const INCOMPLETE: HelloPeek = { status: 'incomplete' };
const NOT_HELLO: HelloPeek = { status: 'not-hello' };

/** The SNI host name of the ClientHello at the start of `buf` (records as received). */
export function peekClientHello(buf: Buffer): HelloPeek {
  const read = readClientHello(buf);
  if (read.status === 'incomplete') return INCOMPLETE;
  if (read.status === 'invalid') return NOT_HELLO;
  const servername = serverNameField(read.hello);
  return servername === MALFORMED_SNI ? NOT_HELLO : { status: 'hello', servername };
}
