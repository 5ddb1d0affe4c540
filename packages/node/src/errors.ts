// Errors are a contract (STYLE.md §8). Two kinds live here:
//  - why a *connection* was refused: always a codec `ProxyProtocolError`, so one set of codes
//    (HAProxy's PRX_* reasons plus TOO_LARGE, BAD_TLV, CRC_MISMATCH, UNTRUSTED_SOURCE) covers
//    the codec and this package; `rejection()` builds the ones this package raises itself
//    (TIMEOUT, EMPTY, ABORT, NOT_HDR, UNTRUSTED_SOURCE);
//  - why a *call* was refused (bad options, a server given twice): `ProxyServerError`, thrown
//    synchronously at set-up time, never per connection.
import { PROXY_ERROR_CODES, ProxyProtocolError, isProxyProtocolError } from '@truehop/proxy-protocol';
import type { ProxyErrorCode } from '@truehop/proxy-protocol';

/** Every reason a connection can be refused for; the keys of `getStats(server).rejectedBy`. */
export type RejectCode = ProxyErrorCode;

/** The reject codes in a fixed order (the codec's table is the single source of truth). */
export const REJECT_CODES: readonly RejectCode[] = Object.freeze(Object.keys(PROXY_ERROR_CODES) as RejectCode[]);

/** Builds the typed error for a refusal this package decides on (not one the decoder threw). */
export function rejection(code: RejectCode, message: string, cause?: unknown): ProxyProtocolError {
  return new ProxyProtocolError(code, message, cause === undefined ? undefined : { cause });
}

/**
 * Whatever the decoder threw becomes a ProxyProtocolError. A non-codec exception would be a
 * bug in the codec; it still must cost only that one connection, never the process, so it is
 * reported as BAD_HDR with the original error as `cause`.
 */
export function asRejection(error: unknown): ProxyProtocolError {
  if (isProxyProtocolError(error)) return error;
  return rejection('BAD_HDR', 'the PROXY header decoder failed', error);
}

export const PROXY_SERVER_ERROR_CODES = {
  INVALID_OPTION: 'an option given to acceptProxyProtocol() has the wrong type or is out of range',
  NOT_A_SERVER: 'acceptProxyProtocol() needs a net.Server (http, https, tls and http2 servers are ones)',
  ALREADY_ACCEPTING: 'acceptProxyProtocol() was already called on this server',
  UNSUPPORTED_RUNTIME: 'this Node does not provide what a TLS server needs (a TLSSocket keeping its raw socket as _parent)',
} as const;

export type ProxyServerErrorCode = keyof typeof PROXY_SERVER_ERROR_CODES;

const BRAND = Symbol.for('truehop.ProxyServerError');

/** A misuse of this package's API, thrown at set-up time (never for a peer's bytes). */
export class ProxyServerError extends TypeError {
  readonly code: ProxyServerErrorCode;

  constructor(code: ProxyServerErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
  }

  override get name(): string {
    return 'ProxyServerError';
  }

  get [BRAND](): true {
    return true;
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return isProxyServerError(value);
  }
}

/** instanceof that also holds across two installed copies of this package. */
export function isProxyServerError(value: unknown): value is ProxyServerError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}
