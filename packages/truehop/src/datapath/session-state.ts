// The phases of a client session as a discriminated union on `kind`: each phase carries only
// the fields that exist in it (a queued session has a backend but no server; a connecting one
// has both and maybe a socket; a forwarding one has its stream), so no field is ever "null
// until later". The termination state's second letter follows from the phase (§8.5).
import type net from 'node:net';
import type { ForwardingPair } from './forwarding-pair.js';
import type { HeaderPhase } from './header-phase.js';
import type { RuntimeBackend } from './runtime-backend.js';
import type { RuntimeServer } from './runtime-server.js';
import { TERM_PHASE, type TermPhase } from './termination.js';

/** Evaluating rules or choosing a backend: no phase-specific state (one shared object). */
export const RULES = { kind: 'rules' } as const;

/** Waiting in the backend's queue for a server slot. */
export interface QueuePhase {
  readonly kind: 'queue';
  readonly backend: RuntimeBackend;
  readonly queuedAt: number;
}

/** Connecting to `server` (or waiting to retry it); its slot is held. */
export class ConnectPhase {
  readonly kind = 'connect';
  /** The attempt in flight; null while waiting for the retry timer. */
  socket: net.Socket | null = null;
  retryTimer: NodeJS.Timeout | null = null;
  startedAt = 0;
  constructor(
    readonly backend: RuntimeBackend,
    readonly server: RuntimeServer,
  ) {}
}

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

export type SessionState = typeof RULES | HeaderPhase | QueuePhase | ConnectPhase | ForwardingPair | ClosedPhase;

/** HAProxy's phase letter for a session that ends in `state`. */
export function termPhaseOf(state: SessionState): TermPhase {
  switch (state.kind) {
    case 'rules':
    case 'header':
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
