// What one health check concluded, in HAProxy's own vocabulary (the `check_status` column of
// its stats page and the `reason:` of its state-change logs), so operators who know HAProxy
// read truehop's logs without a glossary. Descriptions were checked against HAProxy 2.6's logs.

/** HAProxy's check status names (HCHK_STATUS_*), the ones truehop produces. */
export const CHECK_STATUS = {
  /** Not checked yet. */
  INI: 'Initializing',
  /** The check could not even create its socket (bad address, DNS failure …). */
  SOCKERR: 'Socket error',
  L4OK: 'Layer4 check passed',
  L4TOUT: 'Layer4 timeout',
  L4CON: 'Layer4 connection problem',
  /** A TLS check's handshake completed (a connect-only check with check-ssl). */
  L6OK: 'Layer6 check passed',
  L6TOUT: 'Layer6 timeout',
  /** The TLS handshake failed (info: "SSL handshake failure", as HAProxy). */
  L6RSP: 'Layer6 invalid response',
  L7OK: 'Layer7 check passed',
  L7TOUT: 'Layer7 timeout',
  L7RSP: 'Layer7 invalid response',
  L7STS: 'Layer7 wrong status',
} as const;

export type CheckStatusName = keyof typeof CHECK_STATUS;

/** Statuses that count as a passed check. */
const PASSED: ReadonlySet<CheckStatusName> = new Set(['L4OK', 'L6OK', 'L7OK']);

/** HAProxy prints `code:` only for statuses that carry layer-7 data (L7OK, L7STS). */
const SHOWS_CODE: ReadonlySet<CheckStatusName> = new Set(['L7OK', 'L7STS']);

export interface CheckResult {
  status: CheckStatusName;
  passed: boolean;
  /** HTTP status (httpchk) or 0 (tcp-check), shown for L7OK/L7STS as HAProxy does. */
  code?: number;
  /** Detail such as `Connection refused` or `TCPCHK did not match content 'x' at step 2`. */
  info?: string;
  /** From the start of the check to its verdict, in whole milliseconds. */
  durationMs: number;
}

export function checkResult(
  status: CheckStatusName,
  durationMs: number,
  detail: { code?: number; info?: string } = {},
): CheckResult {
  const result: CheckResult = { status, passed: PASSED.has(status), durationMs: Math.max(0, Math.round(durationMs)) };
  if (detail.code !== undefined) result.code = detail.code;
  if (detail.info !== undefined && detail.info !== '') result.info = detail.info;
  return result;
}

/** `Layer7 wrong status, code: 500, info: "Internal Server Error"` — HAProxy's `reason:` text. */
export function formatCheckReason(result: CheckResult): string {
  let text: string = CHECK_STATUS[result.status];
  if (SHOWS_CODE.has(result.status) && result.code !== undefined) text += `, code: ${result.code}`;
  if (result.info !== undefined) text += `, info: "${result.info}"`;
  return text;
}

/**
 * strerror() text for the socket errors a check meets, so the `info:` matches what HAProxy
 * prints (`Connection refused`, `No route to host`); unknown codes keep Node's message.
 */
const ERRNO_TEXT: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'Connection refused',
  ECONNRESET: 'Connection reset by peer',
  EHOSTUNREACH: 'No route to host',
  ENETUNREACH: 'Network is unreachable',
  EADDRNOTAVAIL: 'Cannot assign requested address',
  EADDRINUSE: 'Address already in use',
  ETIMEDOUT: 'Connection timed out',
  EPIPE: 'Broken pipe',
  EACCES: 'Permission denied',
  EPERM: 'Operation not permitted',
};

export function describeSocketError(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && ERRNO_TEXT[code] !== undefined) return ERRNO_TEXT[code];
  if (error instanceof Error) return error.message;
  return String(error);
}

/** True when the error happened before a socket existed (DNS, invalid address): SOCKERR. */
export function isResolutionError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'ERR_INVALID_IP_ADDRESS' || code === 'ERR_SOCKET_BAD_PORT';
}
