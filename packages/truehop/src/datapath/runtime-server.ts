// One server of one backend as the data path sees it at run time: its model, its live
// status (from the ServerStatusSource), its connection count against `maxconn`, and its
// connector (built once, STYLE.md example 9). Balancers read these fields; they never
// connect.
import type { ServerModel } from '../model/config-model.js';
import type { ServerStatus } from '../model/server-status.js';
import { BackendStats } from '../observe/proxy-stats.js';
import type { Connector } from './connector.js';

export class RuntimeServer {
  /** Current connections (assigned or connecting or forwarding). */
  active = 0;
  status: ServerStatus;
  /**
   * Effective weight the balancers read on every pick: the operator's weight, or 0 while the
   * server drains (HAProxy's eweight), so a drained server gets no new session while its
   * running sessions go on.
   */
  weight: number;
  /** The operator's weight (HAProxy uweight: `set server … weight`), kept while draining. */
  userWeight: number;
  /** `set server … state drain`: no new sessions (weight 0), checks and sessions go on. */
  draining = false;
  /** `maxconn`, changed at run time by `set maxconn server`; undefined or 0 = unlimited. */
  maxconn: number | undefined;
  readonly stats = new BackendStats();

  constructor(
    readonly model: ServerModel,
    /** Declaration index inside the backend: `first` and tie-breaks use it. */
    readonly index: number,
    readonly connector: Connector,
    status: ServerStatus,
  ) {
    this.status = status;
    this.weight = model.weight;
    this.userWeight = model.weight;
    this.maxconn = model.maxconn;
  }

  /** Applies the operator's weight and drain state to the weight the balancers read. */
  setAdmin(userWeight: number, draining: boolean): void {
    this.userWeight = userWeight;
    this.draining = draining;
    this.weight = draining ? 0 : userWeight;
  }

  get name(): string {
    return this.model.name;
  }

  /** At its `maxconn`: a new session must wait in the queue (HAProxy server maxconn). */
  get full(): boolean {
    const max = this.maxconn;
    return max !== undefined && max > 0 && this.active >= max;
  }
}

/** Predicate a backend passes to `pick`: UP, a free slot, not just failed. */
export type Eligible = (server: RuntimeServer) => boolean;
