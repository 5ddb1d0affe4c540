// Options → a compiled policy (validated once, at set-up), and the one decision taken per
// connection before a byte is read: given who the peer is, what must it send?
import { DEFAULT_MAX_V2_HEADER_BYTES, MAX_V2_HEADER_BYTES } from '@truehop/proxy-protocol';
import type { Server } from 'node:net';
import type { ProxyProtocolError } from '@truehop/proxy-protocol';
import { ProxyServerError } from './errors.js';
import type { RejectCode } from './errors.js';
import { compileTrustedSources } from './trusted-sources.js';
import type { TrustCheck, TrustedSources } from './trusted-sources.js';

/**
 * How long a connection may take to deliver a complete header. The spec asks receivers for a
 * short header timeout of at least 3 s, enough for one TCP retransmit (§2.6); HAProxy bounds
 * the same wait with `timeout client-hs` (§4.10). Without it a peer that opens connections and
 * sends nothing, or drips one byte now and then, holds sockets forever (slowloris).
 */
export const HEADER_TIMEOUT_MS = 5000;

/** Largest timeout accepted (Node's timer ceiling, about 24.8 days). */
export const MAX_HEADER_TIMEOUT_MS = 2 ** 31 - 1;

/**
 * Smallest `maxHeaderBytes`: the 16-byte fixed part of a v2 header (§2.1). The v1 line keeps
 * its own spec cap of 107 bytes (§1.2) whatever this says.
 */
export const MIN_MAX_HEADER_BYTES = 16;

/**
 * - `'require'` (default; HAProxy `bind … accept-proxy`, §4.1): every connection starts with a
 *   header; no header, or a peer outside `trusted`, closes the connection.
 * - `'optional'`: a trusted peer may send a header or not; an untrusted peer is served as a
 *   plain client, and if it sends a header anyway the connection is closed — never believed.
 */
export type ProxyMode = 'require' | 'optional';

/** What a rejection hook and the `truehop:node:reject` channel receive. */
export interface RejectEvent {
  /** The server the connection came to. */
  server: Server;
  /** Why: a codec code, or UNTRUSTED_SOURCE / TIMEOUT / EMPTY / ABORT / NOT_HDR. */
  code: RejectCode;
  error: ProxyProtocolError;
  /** The real TCP peer (the would-be proxy), never an address taken from a header. */
  peer: { address: string | undefined; port: number | undefined; family: string | undefined };
}

export interface AcceptProxyOptions {
  /** Peers allowed to send a header (see TrustedSources). Default: any peer — set it. */
  trusted?: TrustedSources;
  /** Default `'require'`. */
  mode?: ProxyMode;
  /** Time allowed for the whole header, from accept. Default 5000. */
  headerTimeoutMs?: number;
  /** Cap on a v2 header's total size (16 + len), 16 … 65551. Default 16384 (HAProxy's bufsize). */
  maxHeaderBytes?: number;
  /** Called after a connection was refused and destroyed. Errors it throws become a process warning. */
  onReject?: (event: RejectEvent) => void;
}

export interface Policy {
  readonly mode: ProxyMode;
  /** null = every peer is trusted (no `trusted` option). */
  readonly isTrusted: TrustCheck | null;
  readonly headerTimeoutMs: number;
  readonly maxHeaderBytes: number;
  readonly onReject: ((event: RejectEvent) => void) | null;
}

/**
 * What the connection must do, decided from the peer address alone:
 * - `reject`: refuse now, read nothing (require mode, untrusted peer: it can never be served);
 * - `header`: a header must come first (require mode, trusted peer);
 * - `header-or-plain`: a header is believed if present, else plain client (optional, trusted);
 * - `plain-only`: plain client; a header is refused with UNTRUSTED_SOURCE (optional, untrusted).
 */
export type Admission = 'reject' | 'header' | 'header-or-plain' | 'plain-only';

const KNOWN_OPTIONS = new Set(['trusted', 'mode', 'headerTimeoutMs', 'maxHeaderBytes', 'onReject']);

export function compilePolicy(options: AcceptProxyOptions = {}): Policy {
  if (typeof options !== 'object' || options === null) {
    throw new ProxyServerError('INVALID_OPTION', 'options must be an object');
  }
  // An unknown key is most likely a typo of a safety option (`trust`, `timeout`): refuse it
  // rather than run with the default the caller meant to change.
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(key)) throw new ProxyServerError('INVALID_OPTION', `unknown option "${key}"`);
  }
  const mode = options.mode ?? 'require';
  if (mode !== 'require' && mode !== 'optional') {
    throw new ProxyServerError('INVALID_OPTION', `options.mode must be 'require' or 'optional', got ${String(mode)}`);
  }
  const headerTimeoutMs = options.headerTimeoutMs ?? HEADER_TIMEOUT_MS;
  if (!Number.isInteger(headerTimeoutMs) || headerTimeoutMs < 1 || headerTimeoutMs > MAX_HEADER_TIMEOUT_MS) {
    // No "0 = wait forever": an unbounded wait is exactly the slowloris hole the timeout closes.
    throw new ProxyServerError('INVALID_OPTION', `options.headerTimeoutMs must be an integer from 1 to ${MAX_HEADER_TIMEOUT_MS}`);
  }
  const maxHeaderBytes = options.maxHeaderBytes ?? DEFAULT_MAX_V2_HEADER_BYTES;
  if (!Number.isInteger(maxHeaderBytes) || maxHeaderBytes < MIN_MAX_HEADER_BYTES || maxHeaderBytes > MAX_V2_HEADER_BYTES) {
    throw new ProxyServerError(
      'INVALID_OPTION',
      `options.maxHeaderBytes must be an integer from ${MIN_MAX_HEADER_BYTES} to ${MAX_V2_HEADER_BYTES} (the v2 maximum, §2.1)`,
    );
  }
  const onReject = options.onReject ?? null;
  if (onReject !== null && typeof onReject !== 'function') {
    throw new ProxyServerError('INVALID_OPTION', 'options.onReject must be a function');
  }
  const isTrusted = options.trusted === undefined ? null : compileTrustedSources(options.trusted);
  return Object.freeze({ mode, isTrusted, headerTimeoutMs, maxHeaderBytes, onReject });
}

/** The per-connection decision; see `Admission`. */
export function admit(policy: Policy, peerAddress: string | undefined): Admission {
  const trusted = policy.isTrusted === null || policy.isTrusted(peerAddress);
  if (policy.mode === 'require') return trusted ? 'header' : 'reject';
  return trusted ? 'header-or-plain' : 'plain-only';
}
