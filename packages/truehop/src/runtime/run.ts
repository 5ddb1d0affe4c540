// Starts the daemon for a frozen model: backends (servers, balancers, connectors, queues),
// frontends (rules, use_backend, maxconn gates, logs), one listener per bind line; stops it
// gracefully (stop accepting, let sessions finish within a grace period, then cut them).
import process from 'node:process';
import { BindTls } from '../datapath/bind-tls.js';
import type { BackendModel, TruehopModel } from '../model/config-model.js';
import type { ServerStatusSource } from '../model/server-status.js';
import type { Sample } from '../sample/types.js';
import { ConnGate } from '../datapath/conn-gate.js';
import { MAX_WAITING_ACCEPTS, RuntimeFrontend, type DaemonShared, type ResolvedUseBackend, type SessionHandle } from '../datapath/frontend.js';
import { admitWaiting, listen, type BoundListener, type ListeningCopier } from '../datapath/listener.js';
import { TERM_CAUSE } from '../datapath/termination.js';
import { RuntimeBackend } from '../datapath/runtime-backend.js';
import type { TransportName } from '../datapath/transport/conn.js';
import { chooseTransport } from '../datapath/transport/transport.js';
import { createCounters, type Counters, type RejectionCounts } from '../observe/counters.js';
import { createLogOutputs, LogFanout, openLogSink, type LogSink } from '../observe/log-sink.js';
import { createHealthMonitor, type HealthMonitor } from '../health/monitor.js';
import { SYSLOG_LEVELS } from '../observe/syslog-format.js';
import type { StatsSnapshot } from '../observe/stats-snapshot.js';
import { applyToDataPath, applyToHealth, type AdminAction } from './admin-actions.js';
import { collectStats } from './collect-stats.js';
import { rateLimitedLine } from '../observe/rate-limited.js';
import { describeInternalError } from '../datapath/internal-error.js';
import { descriptorBudget, effectiveMaxconn } from './descriptor-budget.js';
import { installStopSignals } from './signals.js';
import { createHttpServices, localServiceControl, type ServiceControl } from './http-services.js';

/** Grace period for running sessions on stop when the config sets no `hard-stop-after`. */
export const DEFAULT_STOP_GRACE_MS = 30_000;
/** After the grace period, how long aborted sessions get to report their end before stop resolves. */
export const ABORT_SETTLE_MS = 1000;
/**
 * On stop, how long the queued log lines (asynchronous writers) get to reach stdout/stderr
 * before stop resolves anyway: the last sessions' lines are not lost to a process exit, and
 * a stalled reader cannot hold the stop forever.
 */
export const LOG_FLUSH_MS = 2000;

export interface RunOptions {
  /** Where per-connection and event logs go when the model names no target. */
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
  /** Install SIGTERM/SIGINT handlers (graceful stop). */
  handleSignals?: boolean;
  /** Server health; defaults to the health monitor (servers with `check`; others UP, disabled ones MAINT). */
  statusSource?: ServerStatusSource;
  /** Random source for `balance random` (tests make it deterministic). */
  random?: () => number;
  /**
   * What the stats page and the exporter read and act on: the master's view in master-worker
   * mode (process/service-ipc.ts); this process's own by default.
   */
  serviceControl?: ServiceControl;
  /**
   * Gets each listening socket a descriptor that can stop accepting when full (the single
   * process, process/listening-copy.ts); workers get theirs from node:cluster already.
   */
  listeningCopier?: ListeningCopier;
}

export interface RunningDaemon {
  /** The ports actually bound, per frontend then bind, useful when a bind uses port 0. */
  readonly listening: ReadonlyMap<string, readonly { host: string; port: number }[]>;
  /**
   * Whether every listener stops accepting when its frontend is full (datapath/accept-switch.ts);
   * where one cannot, connections past maxconn wait accepted or are closed at once.
   */
  readonly listenersPause: boolean;
  /** Stop accepting, let running connections finish within `graceMs`, then close. */
  stop(graceMs?: number): Promise<void>;
  readonly stopped: Promise<void>;
  /** Live counters (sessions, rejections, retries…), see observe/counters.ts. */
  readonly counters: Counters;
  /** Header rejections by HAProxy error name (PRX_*). */
  readonly rejections: RejectionCounts;
  /**
   * The transport of plain TCP connections, decided once per process at start-up
   * (datapath/transport/transport.ts, docs/transport.md): libuv handles driven directly, or
   * net.Socket (TRUEHOP_TRANSPORT=socket, or the raw transport's self-test failed).
   */
  readonly transport: TransportName;
  /**
   * What carries ssl binds: 'raw' = OpenSSL's TLSWrap on the raw transport's handles
   * (datapath/transport/raw-tls.ts), 'socket' = tls.TLSSocket (socket transport,
   * TRUEHOP_TLS=socket, or raw TLS's self-test failed).
   */
  readonly tlsTransport: TransportName;
  /** The statistics of this process (runtime API, stats page, exporter), taken now. */
  stats(): StatsSnapshot;
  /**
   * Applies a validated admin action (admin-actions.ts): its data-path part here, and its
   * health part too when this process runs the checks (single-process mode).
   */
  apply(action: AdminAction): void;
}

/** The fallback to the socket transport is reported once per process, not per start. */
let fallbackReported = false;
let tlsFallbackReported = false;

export async function startDaemon(model: TruehopModel, options: RunOptions = {}): Promise<RunningDaemon> {
  const streams = { stdout: options.stdout ?? process.stdout, stderr: options.stderr ?? process.stderr };
  const transport = await chooseTransport();
  if (transport.fallbackReason !== null && !fallbackReported) {
    // Not asked for: this Node changed what the raw transport relies on. Still correct, slower.
    fallbackReported = true;
    streams.stderr.write(`truehop: warning: using the net.Socket transport (${transport.fallbackReason})\n`);
  }
  if (transport.tlsFallbackReason !== null && !tlsFallbackReported) {
    // The same for ssl binds: tls.TLSSocket instead of raw TLS. Still correct, slower.
    tlsFallbackReported = true;
    streams.stderr.write(`truehop: warning: ssl binds use tls.TLSSocket (${transport.tlsFallbackReason})\n`);
  }
  const startedAtMs = Date.now();
  const counters = createCounters();
  const procVars = new Map<string, Sample>();
  const backends = new Map<string, RuntimeBackend>();
  // Health transitions go to the global `log` targets (as in HAProxy), else to stderr.
  const logOutputs = createLogOutputs(streams, counters);
  const globalSinks = model.global.logs.map((t) => openLogSink(t, logOutputs));
  const globalLog = new LogFanout(globalSinks);
  let health: HealthMonitor | null = null;
  if (options.statusSource === undefined) {
    health = createHealthMonitor(model, {
      log: (line, level) => {
        if (globalLog.enabled) globalLog.send(line, SYSLOG_LEVELS[level] ?? 5, Date.now());
        else streams.stderr.write(`${line}\n`);
      },
      sessionsActive: (backend, server) => backends.get(backend)?.servers.find((s) => s.name === server)?.active ?? 0,
      procVars,
    });
  }
  const status = options.statusSource ?? (health as HealthMonitor).source;
  const rejections: RejectionCounts = new Map();
  const sessions = new Set<SessionHandle>();
  const frontends: RuntimeFrontend[] = [];
  let idleWaiter: (() => void) | null = null;
  // The descriptor budget: the global maxconn and the waiting line that fit RLIMIT_NOFILE.
  const budget = descriptorBudget(model);
  const { maxconn, warning } = effectiveMaxconn(model.global.maxconn, budget);
  if (warning !== null) streams.stderr.write(`truehop: warning: ${warning}\n`);
  const frontendCount = [...model.frontends.values()].filter((fe) => fe.binds.length > 0).length;
  const waitingLimit = budget.waiting === undefined ? MAX_WAITING_ACCEPTS
    : Math.min(MAX_WAITING_ACCEPTS, Math.floor(budget.waiting / Math.max(1, frontendCount)));
  const acceptErrorLine = rateLimitedLine((line) => streams.stderr.write(`${line}\n`));
  const droppedLine = rateLimitedLine((line) => streams.stderr.write(`${line}\n`));
  const internalErrorLine = rateLimitedLine((line) => streams.stderr.write(`${line}\n`));
  const shared: DaemonShared = {
    globalGate: new ConnGate(maxconn),
    waitingLimit,
    reportAcceptError: (where, err) => acceptErrorLine.report(
      `truehop: alert: accept() failed on ${where}: ${err.code ?? err.message}; pending connections were closed (descriptor limit ${budget.limit ?? 'unknown'})`,
    ),
    reportAcceptDropped: (where) => droppedLine.report(
      `truehop: warning: ${where}: connection closed at once, ${waitingLimit} already waiting for a slot (maxconn ${maxconn ?? 'unlimited'})`,
    ),
    reportInternalError: (where, err) => {
      counters.internalErrors++;
      internalErrorLine.report(
        `truehop: alert: internal error in ${where}: the session was reset (termination state I); this is a bug in truehop, please report it with this line: ${describeInternalError(err)}`,
      );
    },
    counters,
    rejections,
    procVars,
    sessions,
    admitWaiting: () => admitWaiting(frontends),
    onIdle: () => idleWaiter?.(),
  };

  for (const be of model.backends.values()) backends.set(be.name, new RuntimeBackend(be, status, counters, options.random));
  const runtimeBackend = (be: BackendModel): RuntimeBackend => {
    const found = backends.get(be.name);
    if (found === undefined) throw new Error(`backend '${be.name}' is referenced but not in the model`);
    return found;
  };
  const unsubscribe = status.subscribe((backend, server, st) => backends.get(backend)?.setStatus(server, st));

  // The stats page and the exporter of mode http frontends; their control is made lazily, once
  // the daemon below exists (it is what they read).
  let serviceControl: ServiceControl | undefined = options.serviceControl;
  let stopping = false;
  const httpServices = createHttpServices(
    { model, listeners: () => bound.length, stopping: () => stopping },
    () => (serviceControl ??= localServiceControl(daemon, model)),
  );
  const sinks: LogSink[] = [...globalSinks];
  for (const fe of model.frontends.values()) {
    // Only proxies that can accept connections are frontends (a `listen` is both).
    if (fe.binds.length === 0) continue;
    // The loader resolved every backend reference (config/resolve.ts): each is in model.backends.
    const useBackends: ResolvedUseBackend[] = fe.useBackends.map((rule) => ({ backend: runtimeBackend(rule.backend), condition: rule.condition }));
    const feSinks = fe.logs.map((t) => openLogSink(t, logOutputs));
    sinks.push(...feSinks);
    const defaultBackend = fe.defaultBackend !== undefined ? runtimeBackend(fe.defaultBackend) : undefined;
    frontends.push(new RuntimeFrontend(fe, useBackends, defaultBackend, new LogFanout(feSinks), shared, httpServices.get(fe.name)));
  }

  const listening = new Map<string, { host: string; port: number }[]>();
  const bound: BoundListener[] = [];
  try {
    for (const fe of frontends) {
      const list: { host: string; port: number }[] = [];
      listening.set(fe.name, list);
      let i = 0;
      for (const bind of fe.model.binds) {
        i++;
        const l = await listen(fe, { model: bind, label: bind.name ?? String(i), ...(bind.tls !== undefined ? { tls: new BindTls(bind.tls) } : {}) }, options.listeningCopier);
        bound.push(l);
        list.push({ host: l.host, port: l.port });
      }
    }
    health?.start();
  } catch (err) {
    for (const l of bound) l.server.close();
    for (const s of sinks) s.close();
    unsubscribe();
    throw err;
  }

  let resolveStopped!: () => void;
  const stopped = new Promise<void>((resolve) => (resolveStopped = resolve));
  let removeSignals: (() => void) | null = null;

  // Closing listeners (server.close) resolves only when every accepted socket is gone, so the
  // stop sequence closes the listening sockets first, then waits for sessions separately.
  const stopImpl = async (graceMs: number): Promise<void> => {
    stopping = true;
    for (const l of bound) l.server.close();
    for (const service of httpServices.values()) service.close();
    for (const fe of frontends) {
      for (const w of fe.waiting) w.socket.destroy();
      fe.waiting.length = 0;
    }
    if (sessions.size > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          for (const s of [...sessions]) s.abort(TERM_CAUSE.KILLED);
          // Aborted sockets report 'close' on the next turns of the loop; never let a stuck
          // one hold the stop forever.
          setTimeout(resolve, ABORT_SETTLE_MS);
        }, graceMs);
        idleWaiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    unsubscribe();
    await health?.stop();
    for (const s of sinks) s.close();
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, LOG_FLUSH_MS);
      void logOutputs.flushed().then(() => {
        clearTimeout(timer);
        resolve();
      });
    });
    removeSignals?.();
    resolveStopped();
  };

  let stopPromise: Promise<void> | null = null;
  const daemon: RunningDaemon = {
    listening,
    listenersPause: frontends.every((fe) => fe.accepts.canPause),
    counters,
    rejections,
    stopped,
    transport: transport.name,
    tlsTransport: transport.tls,
    stats: () => collectStats({ model, frontends, backends, counters, sessions, startedAtMs, health: health === null ? null : () => health.snapshot() }),
    apply(action) {
      if (health !== null) applyToHealth(health, action);
      applyToDataPath({ backends, frontends, sessions }, action);
    },
    stop(graceMs?: number): Promise<void> {
      stopPromise ??= stopImpl(graceMs ?? model.global.hardStopAfterMs ?? DEFAULT_STOP_GRACE_MS);
      return stopPromise;
    },
  };
  if (options.handleSignals === true) {
    removeSignals = installStopSignals(() => {
      void daemon.stop().then(() => {
        process.exitCode = 0;
      });
    });
  }
  return daemon;
}
