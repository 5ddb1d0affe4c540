// A backend at run time: its servers (active and backup), its balancer, its `maxconn` and the
// queue of sessions waiting for a free slot (HAProxy's backend queue, bounded in time by
// `timeout queue`, else `timeout connect`). Servers are handed out here and given back here,
// so every slot freed immediately serves the oldest waiting session.
import type { BackendModel } from '../model/config-model.js';
import type { SessionContext } from '../model/session.js';
import type { ServerStatusSource } from '../model/server-status.js';
import type { Counters } from '../observe/counters.js';
import { BackendStats } from '../observe/proxy-stats.js';
import { buildBalancer, type Balancer } from './balancer.js';
import { ConnectPolicy } from './connect-policy.js';
import { buildConnector } from './connector.js';
import { RuntimeServer } from './runtime-server.js';
import type { InternalErrorSink } from './internal-error.js';

/**
 * Sessions waiting in one backend's queue at most. HAProxy bounds the queue only by maxconn
 * of the frontends; we add an explicit ceiling so a flood against a saturated backend cannot
 * grow memory without bound (each waiting session holds a socket and its pending bytes).
 */
export const MAX_QUEUED_SESSIONS = 10000;

/** A session waiting for a server; what its code throws when called from the queue goes to its onInternalError. */
export interface QueueWaiter extends InternalErrorSink {
  readonly ctx: SessionContext;
  /** The queue gave this session a server (its slot is already counted). */
  onServerAssigned(server: RuntimeServer): void;
  /** `timeout queue` expired, or the queue is full. */
  onQueueTimeout(): void;
}

interface QueueEntry {
  waiter: QueueWaiter;
  timer: NodeJS.Timeout | null;
  /** Index in the ring when queued; cleared on removal. */
  live: boolean;
}

/** A session given to a backend or server: stot, lbtot, smax, lastsess, rate. */
function countSession(stats: BackendStats, active: number, nowMs: number): void {
  stats.stot++;
  stats.lbtot++;
  if (active > stats.smax) stats.smax = active;
  stats.lastSessMs = nowMs;
  stats.sessRate.add(nowMs);
}

export type AcquireResult = RuntimeServer | 'queued' | 'no-server';

export class RuntimeBackend {
  readonly servers: readonly RuntimeServer[];
  private readonly activeServers: readonly RuntimeServer[];
  private readonly backupServers: readonly RuntimeServer[];
  private readonly balancer: Balancer;
  /** Retries and redispatch after a failed connection. */
  readonly connectPolicy: ConnectPolicy;
  /** Connections currently holding a server slot in this backend. */
  active = 0;
  /** HAProxy's backend counters (stot, econ, wretr, qmax …), see observe/proxy-stats.ts. */
  readonly stats = new BackendStats();
  private queue: QueueEntry[] = [];
  private queueHead = 0;
  private queued = 0;
  private readonly queueTimeoutMs: number;
  private excluded: RuntimeServer | null = null;
  private readonly eligible = (s: RuntimeServer): boolean => s.status === 'UP' && !s.full && s !== this.excluded;

  constructor(
    readonly model: BackendModel,
    status: ServerStatusSource,
    readonly counters: Counters,
    random?: () => number,
  ) {
    this.servers = model.servers.map(
      (m, i) => new RuntimeServer(m, i, buildConnector(m, model), status.status(model.name, m.name)),
    );
    this.connectPolicy = ConnectPolicy.of(model);
    this.activeServers = this.servers.filter((s) => !s.model.backup);
    this.backupServers = this.servers.filter((s) => s.model.backup);
    this.balancer = buildBalancer(model.balance, this.activeServers, random);
    this.queueTimeoutMs = model.timeouts.queue ?? model.timeouts.connect ?? 0;
  }

  get name(): string {
    return this.model.name;
  }

  get queueLength(): number {
    return this.queued;
  }

  setStatus(serverName: string, status: RuntimeServer['status']): void {
    for (const s of this.servers) if (s.name === serverName) s.status = status;
    if (status === 'UP') this.drainQueue();
  }

  /** A weight, drain state or server maxconn changed at run time: serve waiting sessions if now possible. */
  serversChanged(): void {
    this.drainQueue();
  }

  /** Active (non-backup) servers UP with a weight: HAProxy's srv_act, read by the connect policy. */
  activeUpCount(): number {
    let n = 0;
    for (const s of this.activeServers) if (s.status === 'UP' && s.weight > 0) n++;
    return n;
  }

  private full(): boolean {
    const max = this.model.maxconn;
    return max !== undefined && max > 0 && this.active >= max;
  }

  /**
   * A server with a free slot, chosen by the balancer. Backup servers serve only when no
   * active server is UP, and then only the first UP backup (HAProxy without
   * `option allbackups`). `exclude` is the server that just failed (redispatch).
   */
  private choose(ctx: SessionContext, exclude: RuntimeServer | null): RuntimeServer | undefined | 'none-up' {
    let anyActiveUp = false;
    for (const s of this.activeServers) if (s.status === 'UP' && s.weight > 0) { anyActiveUp = true; break; }
    if (anyActiveUp) {
      this.excluded = exclude;
      let s = this.balancer.pick(ctx, this.eligible);
      this.excluded = null;
      // Redispatch prefers another server, but if the failed one is the only choice it is
      // better than giving up.
      if (s === undefined && exclude !== null) s = this.balancer.pick(ctx, this.eligible);
      return s;
    }
    for (const s of this.backupServers) {
      if (s.status !== 'UP') continue;
      return s.full ? undefined : s;
    }
    return 'none-up';
  }

  /** Assigns a server now, queues the session, or reports that no server is usable. */
  acquire(waiter: QueueWaiter, exclude: RuntimeServer | null = null): AcquireResult {
    if (this.queued === 0 && !this.full()) {
      const s = this.choose(waiter.ctx, exclude);
      if (s === 'none-up') return 'no-server';
      if (s !== undefined) {
        this.take(s);
        return s;
      }
    } else if (this.choose(waiter.ctx, exclude) === 'none-up') {
      return 'no-server';
    }
    if (this.queued >= MAX_QUEUED_SESSIONS) return 'no-server';
    const entry: QueueEntry = { waiter, timer: null, live: true };
    if (this.queueTimeoutMs > 0) {
      entry.timer = setTimeout(() => {
        this.remove(entry);
        this.counters.queueTimeouts++;
        try {
          waiter.onQueueTimeout();
        } catch (err) {
          waiter.onInternalError(err);
        }
      }, this.queueTimeoutMs);
    }
    this.queue.push(entry);
    this.queued++;
    if (this.queued > this.stats.qmax) this.stats.qmax = this.queued;
    return 'queued';
  }

  private take(s: RuntimeServer): void {
    s.active++;
    this.active++;
    const now = Date.now();
    countSession(s.stats, s.active, now);
    countSession(this.stats, this.active, now);
  }

  /** Gives a slot back and serves the oldest waiting session if a server is now free. */
  release(s: RuntimeServer): void {
    s.active--;
    this.active--;
    this.drainQueue();
  }

  /** Removes a waiting session (client went away). */
  cancel(waiter: QueueWaiter): void {
    for (let i = this.queueHead; i < this.queue.length; i++) {
      const entry = this.queue[i];
      if (entry !== undefined && entry.live && entry.waiter === waiter) {
        this.remove(entry);
        return;
      }
    }
  }

  private remove(entry: QueueEntry): void {
    if (!entry.live) return;
    entry.live = false;
    if (entry.timer !== null) clearTimeout(entry.timer);
    this.queued--;
    this.compact();
  }

  private compact(): void {
    while (this.queue[this.queueHead]?.live === false) this.queueHead++;
    // Reclaim the consumed prefix once it dominates, keeping dequeue O(1) amortised.
    if (this.queueHead > 1024 && this.queueHead * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.queueHead);
      this.queueHead = 0;
    }
    if (this.queued === 0) {
      this.queue.length = 0;
      this.queueHead = 0;
    }
  }

  private drainQueue(): void {
    while (this.queued > 0 && !this.full()) {
      const entry = this.queue[this.queueHead];
      if (entry === undefined) return;
      const s = this.choose(entry.waiter.ctx, null);
      if (s === undefined || s === 'none-up') return;
      this.remove(entry);
      this.take(s);
      // The waiting session runs here on the stack of whoever freed the slot (another
      // session's end, a server coming UP): its exception is its own (internal-error.ts).
      try {
        entry.waiter.onServerAssigned(s);
      } catch (err) {
        entry.waiter.onInternalError(err);
      }
    }
  }
}
