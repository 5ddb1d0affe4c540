// HAProxy's built-in error responses (src/http.c http_err_msgs): the status line, the headers
// and the small HTML body operators and their scripts know. The stats page and the exporter
// answer with these, so a refused or broken request looks the same as in front of HAProxy.
import { Buffer } from 'node:buffer';

interface ErrorText {
  readonly reason: string;
  readonly message: string;
}

const ERRORS = {
  400: { reason: 'Bad request', message: 'Your browser sent an invalid request.' },
  401: { reason: 'Unauthorized', message: 'You need a valid user and password to access this content.' },
  403: { reason: 'Forbidden', message: 'Request forbidden by administrative rules.' },
  408: { reason: 'Request Time-out', message: "Your browser didn't send a complete request in time." },
  500: { reason: 'Internal Server Error', message: 'An internal server error occurred.' },
  503: { reason: 'Service Unavailable', message: 'No server is available to handle this request.' },
} as const satisfies Record<number, ErrorText>;

export type HttpErrorStatus = keyof typeof ERRORS;

export function errorReason(status: HttpErrorStatus): string {
  return ERRORS[status].reason;
}

/** The HTML body HAProxy sends with `status`. */
export function errorBody(status: HttpErrorStatus): string {
  const e = ERRORS[status];
  return `<html><body><h1>${status} ${e.reason}</h1>\n${e.message}\n</body></html>\n`;
}

/**
 * The whole response as bytes, for a connection whose request could not be parsed (no
 * ServerResponse exists then): HTTP/1.1, `connection: close`, like HAProxy's 400 and 408.
 */
export function rawErrorResponse(status: HttpErrorStatus): Buffer {
  const body = errorBody(status);
  return Buffer.from(
    `HTTP/1.1 ${status} ${ERRORS[status].reason}\r\ncontent-length: ${Buffer.byteLength(body)}\r\ncache-control: no-cache\r\n` +
      `content-type: text/html\r\nconnection: close\r\n\r\n${body}`,
    'latin1',
  );
}
