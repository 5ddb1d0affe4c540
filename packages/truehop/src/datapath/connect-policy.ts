// What to do after a failed connection to a server (HAProxy's `retries`, `option redispatch`
// and its turn-around delay), decided by one small object built once per backend. The queue
// itself (`maxconn`, `timeout queue`) is the backend's (runtime-backend.ts); this decides only
// between retrying, redispatching and giving up, so the session just follows the answer.
import type { BackendModel } from '../model/config-model.js';

/**
 * HAProxy waits one second before retrying a connection on the same server after an error
 * other than a connect timeout (its "turn-around" state), so a server that refuses
 * connections is not hammered. Redispatches and timeouts retry at once.
 */
export const RETRY_TURNAROUND_MS = 1000;

/** Why a connection attempt failed (see connector.ts). */
export type ConnectFailure = 'refused' | 'timeout' | 'header';

export const AFTER_FAILURE = {
  /** Try the same server again at once (after a connect timeout). */
  RETRY_NOW: 'retry-now',
  /** Try the same server again after RETRY_TURNAROUND_MS. */
  RETRY_LATER: 'retry-later',
  /** Give the server back and ask the balancer for another one. */
  REDISPATCH: 'redispatch',
  /** No retry left: the session ends with a connect error. */
  GIVE_UP: 'give-up',
} as const;
export type AfterFailure = (typeof AFTER_FAILURE)[keyof typeof AFTER_FAILURE];

export class ConnectPolicy {
  constructor(
    /** `retries`: attempts after the first one. */
    readonly retries: number,
    /** `option redispatch` (default interval -1): the last retry goes to another server. */
    readonly redispatch: boolean,
  ) {}

  static of(backend: BackendModel): ConnectPolicy {
    return new ConnectPolicy(backend.retries, backend.redispatch);
  }

  /** The next step after attempt number `attempts` (1 = the first) failed with `failure`. */
  afterFailure(attempts: number, failure: ConnectFailure): AfterFailure {
    if (attempts > this.retries) return AFTER_FAILURE.GIVE_UP;
    if (this.redispatch && attempts === this.retries) return AFTER_FAILURE.REDISPATCH;
    return failure === 'timeout' ? AFTER_FAILURE.RETRY_NOW : AFTER_FAILURE.RETRY_LATER;
  }
}
