// One server of one backend as the data path sees it at run time: its model, its live
// status (from the ServerStatusSource), its connection count against `maxconn`, and its
// connector (built once, STYLE.md example 9). Balancers read these fields; they never
// connect.
import type { ServerModel } from '../model/config-model.js';
import type { ServerStatus } from '../model/server-status.js';
import type { Connector } from './connector.js';

export class RuntimeServer {
  /** Current connections (assigned or connecting or forwarding). */
  active = 0;
  status: ServerStatus;
  /** Current weight; HAProxy can change it at run time, so balancers read it on every pick. */
  weight: number;

  constructor(
    readonly model: ServerModel,
    /** Declaration index inside the backend: `first` and tie-breaks use it. */
    readonly index: number,
    readonly connector: Connector,
    status: ServerStatus,
  ) {
    this.status = status;
    this.weight = model.weight;
  }

  get name(): string {
    return this.model.name;
  }

  /** At its `maxconn`: a new session must wait in the queue (HAProxy server maxconn). */
  get full(): boolean {
    const max = this.model.maxconn;
    return max !== undefined && max > 0 && this.active >= max;
  }
}

/** Predicate a backend passes to `pick`: UP, a free slot, not just failed. */
export type Eligible = (server: RuntimeServer) => boolean;
