// Errors are a contract: a stable string code (aligned with HAProxy's PRX_* reasons where
// one exists), a typed class, a brand so `isProxyProtocolError` works across two installed
// copies of this package. Tests assert codes, never message text. docs/errors.md lists
// every code; a test checks both directions.

/** Every code with its one-line description. The single source of truth. */
export const PROXY_ERROR_CODES = {
  EMPTY: 'the peer closed the connection before sending any byte (HAProxy PRX_EMPTY)',
  ABORT: 'the connection failed or was reset while the header was being read (HAProxy PRX_ABORT)',
  TIMEOUT: 'the header did not arrive in full before the header timeout (HAProxy PRX_TIMEOUT)',
  TRUNCATED: 'the input ended inside a header: more bytes were needed (HAProxy PRX_TRUNCATED)',
  NOT_HDR: 'the bytes are not a PROXY header: neither "PROXY " nor the v2 signature with version 2 (HAProxy PRX_NOT_HDR)',
  BAD_HDR: 'a malformed header: bad v1 syntax or address, bad v2 command, family, transport or length (HAProxy PRX_BAD_HDR)',
  BAD_PROTO: 'a v1 protocol token other than TCP4, TCP6 or UNKNOWN (HAProxy PRX_BAD_PROTO)',
  TOO_LARGE: 'the header is longer than the configured cap (v1: 107 bytes; v2: 16 KiB by default)',
  BAD_TLV: 'a TLV that overruns the header, leaves stray bytes, or breaks its type\'s own rules',
  CRC_MISMATCH: 'the CRC32C TLV is not 4 bytes, appears twice, or does not match the header\'s checksum',
  UNTRUSTED_SOURCE: 'a PROXY header came from a peer outside the trusted sources and was not believed',
} as const;

export type ProxyErrorCode = keyof typeof PROXY_ERROR_CODES;

const BRAND = Symbol.for('truehop.ProxyProtocolError');

export class ProxyProtocolError extends Error {
  readonly code: ProxyErrorCode;
  /** Byte offset in the input where the problem was found, when known. */
  readonly offset: number | undefined;

  constructor(code: ProxyErrorCode, message: string, options?: { cause?: unknown; offset?: number }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.offset = options?.offset;
  }

  override get name(): string {
    return 'ProxyProtocolError';
  }

  get [BRAND](): true {
    return true;
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return isProxyProtocolError(value);
  }
}

/** instanceof that also holds across two installed copies of this package. */
export function isProxyProtocolError(value: unknown): value is ProxyProtocolError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}
