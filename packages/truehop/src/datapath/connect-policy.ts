// What to do after a failed connection to a server (HAProxy's `retries`, `option redispatch
// [<interval>]` and its turn-around delay), decided by one small object built once per
// backend. The queue itself (`maxconn`, `timeout queue`) is the backend's (runtime-backend.ts);
// this decides only between retrying, redispatching and giving up, so the session just follows
// the answer. The rules are HAProxy 2.6's (backend.c back_handle_st_cer and
// stream_choose_redispatch), read there rather than guessed:
//  - `retries N` allows N attempts after the first; the N+1th failure ends the session.
//  - with `option redispatch`, a retry goes to another server when the failed server is not UP
//    (its health check marked it DOWN), when the interval says so (default -1: the last
//    retry), or at once whenever the algorithm is of the round-robin kind (roundrobin,
//    static-rr, random) and more than one active server is UP — nobody cares which server a
//    non-persistent session lands on, so it should not wait for the one that just failed.
//  - after a connection error (refused, reset; not a connect timeout, which already waited),
//    the next attempt waits min(1 s, `timeout connect`) — the "turn-around" — but only when it
//    would hit the same server again, or the algorithm is not round-robin-like, or at most one
//    active server is UP.
import type { BackendModel, BalanceAlgorithm } from '../model/config-model.js';

/** HAProxy's turn-around delay before another attempt after a connection error, at most. */
export const RETRY_TURNAROUND_MS = 1000;

/** Why a connection attempt failed (see connector.ts). */
export type ConnectFailure = 'refused' | 'timeout' | 'header';

export const AFTER_FAILURE = {
  /** Try the same server again at once (after a connect timeout). */
  RETRY_NOW: 'retry-now',
  /** Try the same server again after the turn-around delay. */
  RETRY_LATER: 'retry-later',
  /** Give the server back and ask the balancer for another one, at once. */
  REDISPATCH: 'redispatch',
  /** Give the server back now and ask the balancer for another one after the turn-around. */
  REDISPATCH_LATER: 'redispatch-later',
  /** No retry left: the session ends with a connect error. */
  GIVE_UP: 'give-up',
} as const;
export type AfterFailure = (typeof AFTER_FAILURE)[keyof typeof AFTER_FAILURE];

/** BE_LB_KIND_RR in HAProxy: the algorithms for which any server is as good as another. */
const ROUND_ROBIN_KIND: ReadonlySet<BalanceAlgorithm> = new Set(['roundrobin', 'static-rr', 'random']);

/** What the policy needs to know about the backend at the time of the failure. */
export interface FailureContext {
  /** The failed server is still UP by its health check (or not checked). */
  serverUp: boolean;
  /** Active (non-backup) servers UP in the backend, the failed one included (HAProxy's srv_act). */
  activeUp: number;
}

export class ConnectPolicy {
  constructor(
    /** `retries`: attempts after the first one. */
    readonly retries: number,
    /** `option redispatch` (with an interval other than 0). */
    readonly redispatch: boolean,
    /** `option redispatch <interval>`: P > 0 every Pth retry, N < 0 the |N|th retry before the end. */
    readonly redispatchInterval = -1,
    /** The balancing algorithm is of HAProxy's round-robin kind. */
    readonly roundRobinKind = true,
    /** min(RETRY_TURNAROUND_MS, `timeout connect`). */
    readonly turnaroundMs = RETRY_TURNAROUND_MS,
  ) {}

  static of(backend: BackendModel): ConnectPolicy {
    const interval = backend.redispatchInterval ?? -1;
    const connect = backend.timeouts.connect;
    return new ConnectPolicy(
      backend.retries,
      backend.redispatch && interval !== 0,
      interval,
      ROUND_ROBIN_KIND.has(backend.balance),
      connect !== undefined && connect > 0 && connect < RETRY_TURNAROUND_MS ? connect : RETRY_TURNAROUND_MS,
    );
  }

  /**
   * The next step after attempt number `attempts` (1 = the first) failed with `failure`.
   * `at` describes the backend now; without it the server is taken as UP and alone.
   */
  afterFailure(attempts: number, failure: ConnectFailure, at: FailureContext = { serverUp: true, activeUp: 1 }): AfterFailure {
    if (attempts > this.retries) return AFTER_FAILURE.GIVE_UP;
    const redispatch = this.redispatch && (!at.serverUp || this.intervalSays(attempts) || (this.roundRobinKind && at.activeUp > 1));
    // A timeout already waited `timeout connect`; only an error earns the turn-around.
    const wait = failure !== 'timeout' && (!redispatch || !this.roundRobinKind || at.activeUp <= 1);
    if (redispatch) return wait ? AFTER_FAILURE.REDISPATCH_LATER : AFTER_FAILURE.REDISPATCH;
    return wait ? AFTER_FAILURE.RETRY_LATER : AFTER_FAILURE.RETRY_NOW;
  }

  /** HAProxy's modulo on the retry number (`retry` = 1 for the first retry). */
  private intervalSays(retry: number): boolean {
    const every = this.redispatchInterval > 0 ? this.redispatchInterval : this.retries + 1 + this.redispatchInterval;
    return every > 0 && retry % every === 0;
  }
}
