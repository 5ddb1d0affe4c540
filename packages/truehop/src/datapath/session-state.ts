// The phases of a client session as a discriminated union on `kind`: each phase carries only
// the fields that exist in it (the header decoder only while reading the header; the backend
// from the queue phase on, in server-setup.ts; both sockets only in the forwarding stream), so
// the session itself holds no field that is "null until later". The termination state's second letter follows from the phase (§8.5).
import type { ForwardingPair } from './forwarding-pair.js';
import type { HeaderPhase } from './header-phase.js';
import type { InspectPhase } from './inspect-phase.js';
import type { RuntimeBackend } from './runtime-backend.js';
import type { RuntimeServer } from './runtime-server.js';
import type { ServerSetup } from './server-setup.js';
import type { TlsHandshakePhase } from './tls-handshake.js';
import { TERM_PHASE, type TermPhase } from './termination.js';

/** Evaluating rules or choosing a backend: no phase-specific state (one shared object). */
export const RULES = { kind: 'rules' } as const;

/**
 * Ended, waiting for both sockets to close and then for the log record. Closed before a
 * backend was chosen, or without holding a server slot, the fields say so.
 */
export class ClosedPhase {
  readonly kind = 'closed';
  constructor(
    readonly backend: RuntimeBackend | null,
    readonly server: RuntimeServer | null,
  ) {}
}

export type SessionState = typeof RULES | HeaderPhase | TlsHandshakePhase | InspectPhase | ServerSetup | ForwardingPair | ClosedPhase;

/** HAProxy's phase letter for a session that ends in `state`. */
export function termPhaseOf(state: SessionState): TermPhase {
  switch (state.kind) {
    case 'rules':
    case 'header':
    case 'tls-handshake':
    case 'inspect':
      return TERM_PHASE.REQUEST;
    case 'queue':
      return TERM_PHASE.QUEUE;
    case 'connect':
      return TERM_PHASE.CONNECT;
    case 'forwarding':
    case 'closed':
      return TERM_PHASE.DATA;
  }
}
