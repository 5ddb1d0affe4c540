// A frontend at run time: its model, its `maxconn` gate with the bounded line of connections
// waiting for a slot, the resolved backends of its `use_backend` rules, its log sinks, and the
// per-process state every session shares (global gate, counters, variables).
import type net from 'node:net';
import type { BindModel, FrontendModel } from '../model/config-model.js';
import type { Sample } from '../sample/types.js';
import type { SessionContext } from '../model/session.js';
import type { CompiledCondition } from '../sample/compiled.js';
import type { Counters, RejectionCounts } from '../observe/counters.js';
import type { LogFanout } from '../observe/log-sink.js';
import { FrontendStats, ProxyProtocolStats } from '../observe/proxy-stats.js';
import { PRX_ERRORS } from '../model/connection-errors.js';
import type { BindTls } from './bind-tls.js';
import { FrontendAccepts } from './accept-switch.js';
import { ConnGate } from './conn-gate.js';
import type { RuntimeBackend } from './runtime-backend.js';
import type { RuntimeServer } from './runtime-server.js';
import type { TermCause } from './termination.js';
import type { Conn } from './transport/conn.js';

/**
 * Connections accepted while a maxconn gate is full wait here unread, at most this many per
 * frontend (HAProxy leaves them in the kernel backlog, whose default size is similar). Beyond
 * it new connections are closed at once: a flood cannot pin unbounded sockets in memory.
 */
export const MAX_WAITING_ACCEPTS = 1024;

export interface SessionHandle {
  /**
   * Cuts the session now: both sockets are closed and the log record carries `cause` as the
   * first letter of its termination state (default K, "actively killed": hard-stop-after,
   * admin actions such as `shutdown sessions`), unless an earlier event already decided it.
   */
  abort(cause?: TermCause): void;
  /** The server whose slot the session holds, if any (`shutdown sessions server`). */
  serverOf(): RuntimeServer | null;
  /** What `show sess` prints of it (built only when asked). */
  describe(): SessionDescription;
}

export interface SessionDescription {
  frontend: string;
  backend: string | null;
  server: string | null;
  /** The client as the session sees it (advertised by a PROXY header, else the peer), address:port. */
  src: string;
  acceptedAtMs: number;
}

/** State shared by every frontend of one daemon. */
export interface DaemonShared {
  readonly globalGate: ConnGate;
  readonly counters: Counters;
  readonly rejections: RejectionCounts;
  readonly procVars: Map<string, Sample>;
  readonly sessions: Set<SessionHandle>;
  /**
   * Accepted connections that may wait for a slot, per frontend: MAX_WAITING_ACCEPTS, or less
   * when the descriptor budget (runtime/descriptor-budget.ts) leaves less.
   */
  readonly waitingLimit: number;
  /** Reports a listener's accept() failure and a dropped connection (rate-limited lines). */
  reportAcceptError(where: string, err: NodeJS.ErrnoException): void;
  reportAcceptDropped(where: string): void;
  /**
   * Counts (counters.internalErrors) and reports an exception caught while handling a session
   * (internal-error.ts) with its stack, rate-limited; `where` names the session's frontend and phase.
   */
  reportInternalError(where: string, err: unknown): void;
  /** Called after every session end so waiting connections can be admitted. */
  admitWaiting(): void;
  /** Called when the last session ended during a graceful stop. */
  onIdle(): void;
}

/**
 * A `mode http` frontend's built-in services (services/http-service.ts): the session hands its
 * socket over once the PROXY header and the tcp-request rules are done, with the bytes that
 * followed the header. The data path knows only this shape, never the HTTP side.
 */
export interface ServiceHandoff {
  serve(socket: net.Socket, ctx: SessionContext, pending: readonly Buffer[]): void;
}

export interface ResolvedUseBackend {
  backend: RuntimeBackend;
  condition: CompiledCondition;
}

export interface WaitingConnection {
  socket: Conn;
  bind: BindRuntime;
}

export interface BindRuntime {
  readonly model: BindModel;
  /** `name` of the bind line, else its 1-based position, as HAProxy names listeners in logs. */
  readonly label: string;
  /** On an `ssl` bind: the TLS options (TLSSocket and raw TLS) and SNI choice, built once. */
  readonly tls?: BindTls;
}

export class RuntimeFrontend {
  readonly gate: ConnGate;
  readonly waiting: WaitingConnection[] = [];
  /** Its listening sockets' accept switches: paused while full (datapath/accept-switch.ts). */
  readonly accepts = new FrontendAccepts();
  /** Header wait bound: `timeout client-hs`, else `timeout client` (§4.10); 0 = none. */
  readonly headerTimeoutMs: number;
  /**
   * Sessions record their server connection's two ends (%bi %bp %si %sp): two syscalls per
   * connection, so only when a custom log-format can print them.
   */
  readonly recordsServerEndpoints: boolean;
  /** Frontend-side connections currently open (%fc). */
  active = 0;
  /** HAProxy's frontend counters (stot, smax, bin, bout, ereq …), see observe/proxy-stats.ts. */
  readonly stats = new FrontendStats();
  /** PROXY headers by version, command, TLV type and source; rejections and their captures. */
  readonly proxyProtocol = new ProxyProtocolStats(Object.keys(PRX_ERRORS));

  constructor(
    readonly model: FrontendModel,
    readonly useBackends: readonly ResolvedUseBackend[],
    readonly defaultBackend: RuntimeBackend | undefined,
    readonly logs: LogFanout,
    readonly shared: DaemonShared,
    /** Set for a `mode http` frontend: its requests go to these services, never to a backend. */
    readonly service?: ServiceHandoff,
  ) {
    this.gate = new ConnGate(model.maxconn);
    this.headerTimeoutMs = model.timeouts.clientHs ?? model.timeouts.client ?? 0;
    this.recordsServerEndpoints = model.logFormat !== undefined;
  }

  get name(): string {
    return this.model.name;
  }
}
