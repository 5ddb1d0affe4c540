// HAProxy's connection errors for the PROXY protocol (§4.16: fc_err, fc_err_name, fc_err_str)
// and the one each codec error code is reported as. One table for both directions: the data
// path logs these names, and the fc_err* fetches read them back, so a log line and a fetch can
// never disagree about the same connection.
import type { ProxyErrorCode } from '@truehop/proxy-protocol';

export const PRX_ERRORS = {
  PRX_EMPTY: { code: 11, text: 'Connection closed while waiting for PROXY protocol header' },
  PRX_ABORT: { code: 12, text: 'Connection error while waiting for PROXY protocol header' },
  PRX_TIMEOUT: { code: 13, text: 'Timeout while waiting for PROXY protocol header' },
  PRX_TRUNCATED: { code: 14, text: 'Truncated PROXY protocol header received' },
  PRX_NOT_HDR: { code: 15, text: 'Received something which does not look like a PROXY protocol header' },
  PRX_BAD_HDR: { code: 16, text: 'Received an invalid PROXY protocol header' },
  PRX_BAD_PROTO: { code: 17, text: 'Received an unhandled protocol in the PROXY protocol header' },
} as const;
export type PrxErrorName = keyof typeof PRX_ERRORS;

/** HAProxy's connection errors of the TLS handshake on an `ssl` bind (CO_ER_SSL_*, same codes and texts). */
export const SSL_ERRORS = {
  SSL_EMPTY: { code: 24, text: 'Connection closed during SSL handshake' },
  SSL_ABORT: { code: 25, text: 'Connection error during SSL handshake' },
  SSL_TIMEOUT: { code: 26, text: 'Timeout during SSL handshake' },
  SSL_RENEG: { code: 29, text: 'Rejected a client-initiated SSL renegotiation attempt' },
  SSL_CA_FAIL: { code: 30, text: 'SSL client CA chain cannot be verified' },
  SSL_CRT_FAIL: { code: 31, text: 'SSL client certificate not trusted' },
  SSL_HANDSHAKE: { code: 34, text: 'SSL handshake failure' },
} as const;
export type SslErrorName = keyof typeof SSL_ERRORS;

/** The codec's error codes as HAProxy names them; our finer codes keep their own name in the log detail. */
export const HAPROXY_ERROR_NAME: Readonly<Record<ProxyErrorCode, PrxErrorName>> = {
  EMPTY: 'PRX_EMPTY',
  ABORT: 'PRX_ABORT',
  TIMEOUT: 'PRX_TIMEOUT',
  TRUNCATED: 'PRX_TRUNCATED',
  NOT_HDR: 'PRX_NOT_HDR',
  BAD_HDR: 'PRX_BAD_HDR',
  BAD_PROTO: 'PRX_BAD_PROTO',
  // HAProxy reports a header larger than its buffer as truncated (§2.7).
  TOO_LARGE: 'PRX_TRUNCATED',
  // TLV errors and a CRC mismatch are malformed headers to HAProxy (§4.16).
  BAD_TLV: 'PRX_BAD_HDR',
  CRC_MISMATCH: 'PRX_BAD_HDR',
  UNTRUSTED_SOURCE: 'PRX_NOT_HDR',
};

export interface ConnectionError {
  readonly name: PrxErrorName | SslErrorName;
  readonly code: number;
  readonly text: string;
}

const BY_NAME = new Map<string, ConnectionError>();
for (const name of Object.keys(PRX_ERRORS) as PrxErrorName[]) BY_NAME.set(name, { name, ...PRX_ERRORS[name] });
for (const name of Object.keys(SSL_ERRORS) as SslErrorName[]) BY_NAME.set(name, { name, ...SSL_ERRORS[name] });
for (const [codec, name] of Object.entries(HAPROXY_ERROR_NAME)) BY_NAME.set(codec, BY_NAME.get(name) as ConnectionError);

/** The connection error a session's `errorCode` names: a PRX_* name, or a codec code (same verdict). */
export function connectionError(errorCode: string): ConnectionError | undefined {
  return BY_NAME.get(errorCode);
}
