// `option httpchk [<method> <uri> [<version>]]` and `http-check expect status <codes>`:
// the request HAProxy 2.6 sends and how its answer is judged.
//  * Request bytes as observed from HAProxy 2.6: `OPTIONS / HTTP/1.0\r\n\r\n` by default;
//    HTTP/1.1 adds `connection: close`; POST/PUT/PATCH add `content-length: 0`; the legacy
//    trick of appending headers to the version (`HTTP/1.1\r\nHost:\ www`) still works, the
//    header names lower-cased.
//  * Verdict: without `expect`, any 2xx or 3xx passes (L7OK); anything else is L7STS with the
//    reason phrase as info; an answer that is not an HTTP status line is L7RSP.
import { Buffer } from 'node:buffer';
import type { CheckKind } from '../model/config-model.js';

type HttpCheck = Extract<CheckKind, { kind: 'httpchk' }>;

const METHODS_WITH_BODY: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH']);

export function buildHttpCheckRequest(check: HttpCheck): Buffer {
  // `HTTP/1.1\r\nHost: www` — everything after the first CRLF is extra header lines.
  const [version = 'HTTP/1.0', ...extra] = check.version.split(/\r?\n/);
  const lines = [`${check.method} ${check.uri} ${version}`];
  for (const line of extra) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    lines.push(`${line.slice(0, colon).trim().toLowerCase()}: ${line.slice(colon + 1).trim()}`);
  }
  if (version === 'HTTP/1.1') lines.push('connection: close');
  if (METHODS_WITH_BODY.has(check.method.toUpperCase())) lines.push('content-length: 0');
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
}

export interface HttpStatusLine {
  code: number;
  reason: string;
}

const STATUS_LINE = /^HTTP\/\d\.\d (\d{3})(?: ([^\r\n]*))?\r?\n/;

/** The status line, or null when the bytes are not (yet) an HTTP response. */
export function parseStatusLine(data: Buffer): HttpStatusLine | null {
  const match = STATUS_LINE.exec(data.toString('latin1', 0, Math.min(data.length, 1024)));
  if (match === null) return null;
  return { code: Number(match[1]), reason: (match[2] ?? '').trim() };
}

/** True once the response head is complete (blank line), so the check can decide. */
export function responseHeadComplete(data: Buffer): boolean {
  return data.includes('\r\n\r\n') || data.includes('\n\n');
}

/**
 * Compiles `http-check expect status <codes>`: one code, a range `200-399`, or a
 * comma-separated list of both. Without an expectation, 2xx and 3xx pass (HAProxy default).
 * Returns null when the text is not a valid list, so the caller can report it.
 */
export function compileStatusExpectation(text: string | undefined): ((code: number) => boolean) | null {
  if (text === undefined) return (code) => code >= 200 && code < 400;
  const ranges: [number, number][] = [];
  for (const part of text.split(',')) {
    const match = /^\s*(\d{3})(?:\s*-\s*(\d{3}))?\s*$/.exec(part);
    if (match === null) return null;
    const low = Number(match[1]);
    const high = match[2] === undefined ? low : Number(match[2]);
    ranges.push([low, high]);
  }
  return (code) => ranges.some(([low, high]) => code >= low && code <= high);
}
