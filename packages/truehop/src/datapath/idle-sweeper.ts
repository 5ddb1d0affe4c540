// Inactivity timeouts of forwarding sessions (`timeout client`/`server`/`tunnel`/`*-fin`)
// checked by one coarse periodic sweep instead of a timer per socket. With `socket.setTimeout`
// Node re-arms each socket's timer on every read and every write (a clock read plus a timer
// list move per chunk: ~1.6 % of busy time on keep-alive, measured with --cpu-prof); here a
// chunk only stores a timestamp.
//
// Precision: a sweep runs every 1/8 of the shortest timeout watched since the sweeper was last
// idle (between 5 ms and 1 s), so a timeout fires between its value and its value plus one sweep
// period (never early: the check compares the real clock with the last activity).

import { performance } from 'node:perf_hooks';
import type { InternalErrorSink } from './internal-error.js';

/** A session whose inactivity is watched; what its check throws goes to its onInternalError. */
export interface IdleWatched extends InternalErrorSink {
  /** Called on every sweep with the current `performance.now()`. */
  checkIdle(now: number): void;
}

/** Sweep period as a fraction of the shortest timeout in use. */
const SWEEPS_PER_TIMEOUT = 8;
/** Lower bound of the sweep period, so tiny timeouts cannot make the sweep spin. */
const MIN_SWEEP_MS = 5;
/**
 * Upper bound of the sweep period: long timeouts still fire within a second of their value,
 * and the interval never reaches setInterval's 2^31-1 ms limit (beyond it Node would run the
 * sweep every millisecond).
 */
const MAX_SWEEP_MS = 1000;

export class IdleSweeper {
  private readonly watched = new Set<IdleWatched>();
  private timer: NodeJS.Timeout | null = null;
  private periodMs = Infinity;

  /** Watches `session`, whose shortest active timeout is `shortestMs` (> 0). */
  watch(session: IdleWatched, shortestMs: number): void {
    this.watched.add(session);
    const period = Math.min(MAX_SWEEP_MS, Math.max(MIN_SWEEP_MS, Math.floor(shortestMs / SWEEPS_PER_TIMEOUT)));
    if (this.timer !== null && period >= this.periodMs) return;
    if (this.timer !== null) clearInterval(this.timer);
    this.periodMs = period;
    this.timer = setInterval(this.sweep, period);
    // Sessions keep the process alive through their sockets, not through this timer.
    this.timer.unref();
  }

  unwatch(session: IdleWatched): void {
    if (!this.watched.delete(session) || this.watched.size > 0 || this.timer === null) return;
    clearInterval(this.timer);
    this.timer = null;
    this.periodMs = Infinity;
  }

  get size(): number {
    return this.watched.size;
  }

  private readonly sweep = (): void => {
    const now = performance.now();
    // Deleting the current entry while iterating a Set is safe (a session ends inside checkIdle).
    // One session's exception ends that session (internal-error.ts), not the sweep.
    for (const s of this.watched) {
      try {
        s.checkIdle(now);
      } catch (err) {
        this.watched.delete(s);
        s.onInternalError(err);
      }
    }
  };
}

/** The process-wide sweeper every session uses. */
export const idleSweeper = new IdleSweeper();
