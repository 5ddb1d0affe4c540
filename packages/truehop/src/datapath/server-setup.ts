// From the backend choice to a connected server socket: the backend's queue, the connection
// attempts, the retries and the redispatch (connect-policy.ts decides which). One object per
// session, made when the backend is chosen; while it works it is the session's state, in its
// `queue` phase (no server slot yet) or its `connect` phase (a slot held, an attempt in flight
// or a retry pending). It reports a connected socket or a failure to its owner.
import { performance } from 'node:perf_hooks';
import type { SessionContext } from '../model/session.js';
import type { Counters } from '../observe/counters.js';
import { serverConnectErrorChannel } from '../observe/events.js';
import { AFTER_FAILURE, type ConnectFailure } from './connect-policy.js';
import type { ConnectHandler } from './connector.js';
import type { Conn } from './transport/conn.js';
import type { QueueWaiter, RuntimeBackend } from './runtime-backend.js';
import type { RuntimeServer } from './runtime-server.js';
import { TERM_CAUSE, TERM_PHASE, type TermCause, type TermPhase } from './termination.js';
import { guardedTimer, type InternalErrorSink } from './internal-error.js';

/** The session a setup works for; what the setup's code throws goes to its onInternalError. */
export interface SetupOwner extends InternalErrorSink {
  readonly ctx: SessionContext;
  /** Client bytes received so far, to send right after the PROXY header. */
  takePendingPayload(): readonly Buffer[];
  /** The server connection is up (header and pending bytes written). */
  onServerConnected(socket: Conn, backend: RuntimeBackend, server: RuntimeServer): void;
  /** No server could be reached: the session ends with this termination state. */
  onSetupFailed(cause: TermCause, phase: TermPhase): void;
}

export class ServerSetup implements QueueWaiter, ConnectHandler {
  /** `queue` until a server slot is held, `connect` from then on. */
  kind: 'queue' | 'connect' = 'queue';
  readonly ctx: SessionContext;
  /** The server whose slot is held; null in the queue phase. */
  private server: RuntimeServer | null = null;
  /** The server a redispatch moved away from, until the next one is assigned. */
  private failedServer: RuntimeServer | null = null;
  /** The attempt in flight; null while queued or waiting for the retry timer. */
  private socket: Conn | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  /** performance.now() when queued; -1 when not waiting in the queue. */
  private queuedAt = -1;
  private startedAt = 0;
  private attempts = 0;
  private cancelled = false;

  constructor(
    private readonly owner: SetupOwner,
    readonly backend: RuntimeBackend,
    private readonly counters: Counters,
    /** Record the connection's two ends in the context (%bi %bp %si %sp). */
    private readonly recordEndpoints: boolean,
  ) {
    this.ctx = owner.ctx;
  }

  start(): void {
    this.acquire(null);
  }

  private acquire(exclude: RuntimeServer | null): void {
    this.kind = 'queue';
    const r = this.backend.acquire(this, exclude);
    if (r === 'queued') {
      this.queuedAt = performance.now();
      return;
    }
    if (r === 'no-server') {
      this.counters.noServer++;
      this.owner.onSetupFailed(TERM_CAUSE.SERVER_ABORT, TERM_PHASE.CONNECT);
      return;
    }
    this.onServerAssigned(r);
  }

  onServerAssigned(server: RuntimeServer): void {
    if (this.cancelled) {
      this.backend.release(server);
      return;
    }
    // The slot is this session's from here on, whatever fails below: cancel() hands it back
    // (an internal error in what follows must not leak it, internal-error.ts).
    this.server = server;
    // %Tw of the last assignment (a redispatch measures again).
    this.ctx.stats.queueMs = this.queuedAt < 0 ? 0 : Math.round(performance.now() - this.queuedAt);
    this.queuedAt = -1;
    this.ctx.serverName = server.name;
    const failed = this.failedServer;
    if (failed !== null) {
      // HAProxy counts a redispatch only when the server changed; the same server again is a retry.
      this.failedServer = null;
      if (failed === server) {
        this.counters.retries++;
        this.backend.stats.wretr++;
        failed.stats.wretr++;
      } else {
        this.counters.redispatches++;
        this.backend.stats.wredis++;
        failed.stats.wredis++;
        this.ctx.stats.redispatched = true;
      }
    }
    this.kind = 'connect';
    this.connect(server);
  }

  onQueueTimeout(): void {
    if (this.kind === 'queue' && !this.cancelled) this.owner.onSetupFailed(TERM_CAUSE.SERVER_TIMEOUT, TERM_PHASE.QUEUE);
  }

  private connect(server: RuntimeServer): void {
    this.retryTimer = null;
    this.attempts++;
    this.startedAt = performance.now();
    this.socket = server.connector.connect(this.ctx, this, this.recordEndpoints);
  }

  onInternalError(err: unknown): void {
    this.owner.onInternalError(err);
  }

  private static readonly onRetryTimer = guardedTimer((setup: ServerSetup): void => {
    if (setup.cancelled) return;
    const server = setup.server;
    if (server === null) {
      setup.redispatch();
      return;
    }
    // The server may have been marked DOWN during the turn-around: with `option redispatch`
    // nothing more is sent to it (HAProxy redispatches away from a server not RUNNING).
    if (server.status !== 'UP' && setup.backend.connectPolicy.redispatch) {
      setup.server = null;
      setup.failedServer = server;
      setup.backend.release(server);
      setup.redispatch();
      return;
    }
    setup.connect(server);
  });

  takePendingPayload(): readonly Buffer[] {
    return this.owner.takePendingPayload();
  }

  onConnectFailed(failure: ConnectFailure, error: Error | null): void {
    this.socket = null;
    // The session gave the attempt up (client gone, hard stop) but its connect timer outlived
    // the destroyed socket: that is no server's error, so nothing is counted or logged for it
    // (HAProxy counts econ only for a connection it was still waiting for).
    if (this.cancelled) return;
    this.counters.connectErrors++;
    const server = this.server;
    if (server === null) return;
    const backend = this.backend;
    backend.stats.econ++;
    server.stats.econ++;
    if (serverConnectErrorChannel.hasSubscribers) {
      serverConnectErrorChannel.publish({
        ctx: this.ctx, backend: backend.name, server: server.name, error: error?.message ?? failure, attempt: this.attempts,
      });
    }
    const next = backend.connectPolicy.afterFailure(this.attempts, failure, {
      serverUp: server.status === 'UP', activeUp: backend.activeUpCount(),
    });
    if (next === AFTER_FAILURE.GIVE_UP) {
      this.owner.onSetupFailed(failure === 'timeout' ? TERM_CAUSE.SERVER_TIMEOUT : TERM_CAUSE.SERVER_ABORT, TERM_PHASE.CONNECT);
      return;
    }
    this.ctx.stats.retries++;
    if (next === AFTER_FAILURE.RETRY_NOW || next === AFTER_FAILURE.RETRY_LATER) {
      this.counters.retries++;
      backend.stats.wretr++;
      server.stats.wretr++;
      if (next === AFTER_FAILURE.RETRY_NOW) this.connect(server);
      else this.retryTimer = setTimeout(ServerSetup.onRetryTimer, backend.connectPolicy.turnaroundMs, this);
    } else {
      // Redispatch: the slot goes back at once (HAProxy sess_change_server(s, NULL)) so a
      // waiting session can have it; the failed server is avoided if anything else is UP.
      this.server = null;
      this.failedServer = server;
      backend.release(server);
      if (next === AFTER_FAILURE.REDISPATCH) this.redispatch();
      else this.retryTimer = setTimeout(ServerSetup.onRetryTimer, backend.connectPolicy.turnaroundMs, this);
    }
  }

  private redispatch(): void {
    this.retryTimer = null;
    this.acquire(this.failedServer);
  }

  onConnected(socket: Conn): void {
    const server = this.server;
    if (this.cancelled || server === null) {
      socket.destroy();
      return;
    }
    this.socket = null;
    this.ctx.stats.connectMs = Math.round(performance.now() - this.startedAt);
    this.owner.onServerConnected(socket, this.backend, server);
  }

  /** The server whose slot is held (connect phase), for `shutdown sessions server`. */
  get heldServer(): RuntimeServer | null {
    return this.server;
  }

  /** Destroys the attempt in flight (hard stop). */
  abort(): void {
    this.socket?.destroy();
  }

  /**
   * Stops whatever is in progress (leaves the queue, stops the retry timer, destroys the
   * attempt). Returns the server whose slot is still held: it is given back when the session
   * has ended, after its log record counted it (%sc).
   */
  cancel(): RuntimeServer | null {
    this.cancelled = true;
    if (this.kind === 'queue') this.backend.cancel(this);
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.socket?.destroy();
    this.socket = null;
    return this.server;
  }
}
