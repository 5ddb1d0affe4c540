// The health monitor: schedules every server's checks, keeps the rise/fall state, logs each
// transition as HAProxy does, and is the ServerStatusSource the balancers read.
//
// Wiring (runtime/run.ts):
//   const health = createHealthMonitor(model, { log: (line, level) => … });
//   … hand `health.source` to the balancers, then `health.start()`;
//   on shutdown `await health.stop()` (cancels timers, destroys open check sockets).
// `snapshot()` gives per-server state, last check and counters for the stats page.
import type { BackendModel, ServerModel, TruehopModel } from '../model/config-model.js';
import type { ServerStatus, ServerStatusSource } from '../model/server-status.js';
import type { Sample } from '../sample/types.js';
import { CheckSockets } from './check-connection.js';
import { CHECK_STATUS, formatCheckReason } from './check-status.js';
import type { CheckResult, CheckStatusName } from './check-status.js';
import { applyCheck, initialHealth, nextIntervalMs, stateOf } from './health-state.js';
import type { HealthCounter } from './health-state.js';
import { runCheck } from './run-check.js';
import { formatNoServerAvailable, formatStateChange } from './state-log.js';
import { healthCheckChannel, healthStateChannel } from './health-events.js';
import type { HealthCheckEvent, HealthStateEvent } from './health-events.js';

/** Syslog severities used by the health messages (DOWN is an alert, as in HAProxy). */
export type HealthLogLevel = 'emerg' | 'alert' | 'notice';

export interface HealthMonitorOptions {
  /** Receives every state-change line; `level` may be ignored by a plain `(line) => void`. */
  log: (line: string, level: HealthLogLevel) => void;
  /** Wall clock in ms since the epoch (timestamps in snapshots); default Date.now. */
  now?: () => number;
  /** Sessions still running on a server, for the DOWN message; default 0. */
  sessionsActive?: (backend: string, server: string) => number;
  /** `proc.*` variables shared with the data path, seen by set-proxy-v2-tlv-fmt formats. */
  procVars?: Map<string, Sample>;
  /**
   * The status a checked server starts with instead of UP: a reload carries DOWN over for a
   * server that keeps its name, so the new workers do not send it traffic until it passes rise
   * checks. undefined: start UP as usual.
   */
  initialStatus?: (backend: string, server: string) => ServerStatus | undefined;
  /** Called after every completed check (observability, tests); must not throw. */
  onCheck?: (backend: string, server: string, result: CheckResult) => void;
}

export interface LastCheck extends CheckResult {
  /** HAProxy's words for `status` (`Layer4 connection problem`). */
  description: string;
  /** The full `reason:` text of the logs. */
  reason: string;
  /** Wall-clock time the verdict was reached. */
  atMs: number;
}

export interface ServerHealthSnapshot {
  backend: string;
  server: string;
  backup: boolean;
  status: ServerStatus;
  /** False for servers without `check` (always UP) and disabled ones (MAINT). */
  checked: boolean;
  /** HAProxy's check_health: 0…rise-1 = DOWN, rise…rise+fall-1 = UP. */
  health: number;
  rise: number;
  fall: number;
  lastCheck: LastCheck | null;
  /** Checks completed. */
  checks: number;
  /** Failed checks that counted towards DOWN (HAProxy `chkfail`). */
  failedChecks: number;
  /** UP → DOWN transitions (HAProxy `chkdown`). */
  downTransitions: number;
  /** Wall-clock time of the last status change (monitor creation when none). */
  lastChangeAtMs: number;
  /** Put in maintenance at run time (`set server … state maint`): out of service, no checks. */
  maintenance: boolean;
  /** Checks stopped at run time (`disable health`): the server counts as UP. */
  checksDisabled: boolean;
  /** Total time spent DOWN, including the current DOWN period. */
  downtimeMs: number;
}

export interface HealthMonitor {
  readonly source: ServerStatusSource;
  /** Schedules the first checks, spread over the shortest interval as HAProxy does. */
  start(): void;
  /** Cancels every timer, destroys every open check socket, waits for running checks. */
  stop(): Promise<void>;
  snapshot(): ServerHealthSnapshot[];
  /**
   * Runtime API: maintenance on (MAINT, checks stop) or off (the state the checks last
   * reached, checks resume). False when the server is unknown.
   */
  setMaintenance(backend: string, server: string, on: boolean): boolean;
  /**
   * Runtime API: `disable health` stops the checks and the server counts as UP (HAProxy: the
   * last result is ignored); `enable health` resumes them from the last state. False when the
   * server is unknown or has no check configured.
   */
  setChecksEnabled(backend: string, server: string, enabled: boolean): boolean;
}

interface Entry {
  readonly backend: BackendModel;
  readonly server: ServerModel;
  /** null when the server is not checked. */
  counter: HealthCounter | null;
  status: ServerStatus;
  lastCheck: LastCheck | null;
  checks: number;
  failedChecks: number;
  downTransitions: number;
  lastChangeAtMs: number;
  downSinceMs: number | null;
  downtimeMs: number;
  timer: NodeJS.Timeout | null;
  running: Promise<void> | null;
  maintenance: boolean;
  checksDisabled: boolean;
}

function key(backend: string, server: string): string {
  return `${backend}\u0000${server}`;
}

function statusName(status: CheckStatusName): string {
  return CHECK_STATUS[status];
}

export function createHealthMonitor(model: TruehopModel, options: HealthMonitorOptions): HealthMonitor {
  const wallNow = options.now ?? Date.now;
  const procVars = options.procVars ?? new Map<string, Sample>();
  const sockets = new CheckSockets();
  const listeners = new Set<(backend: string, server: string, status: ServerStatus) => void>();
  const entries = new Map<string, Entry>();
  const byBackend = new Map<string, Entry[]>();
  const createdAt = wallNow();
  let state: 'idle' | 'running' | 'stopped' = 'idle';

  for (const backend of model.backends.values()) {
    const list: Entry[] = [];
    for (const server of backend.servers) {
      const checked = server.check.enabled && !server.disabled;
      const startsDown = checked && options.initialStatus?.(backend.name, server.name) === 'DOWN';
      const entry: Entry = {
        backend,
        server,
        // health 0: DOWN, and `rise` passed checks away from UP (health-state.ts).
        counter: checked ? (startsDown ? { ...initialHealth(server.check.rise, server.check.fall), health: 0 } : initialHealth(server.check.rise, server.check.fall)) : null,
        status: server.disabled ? 'MAINT' : startsDown ? 'DOWN' : 'UP',
        lastCheck: null,
        checks: 0,
        failedChecks: 0,
        downTransitions: 0,
        lastChangeAtMs: createdAt,
        downSinceMs: startsDown ? createdAt : null,
        downtimeMs: 0,
        timer: null,
        running: null,
        maintenance: false,
        checksDisabled: false,
      };
      entries.set(key(backend.name, server.name), entry);
      list.push(entry);
    }
    byBackend.set(backend.name, list);
  }

  const log = (line: string, level: HealthLogLevel): void => {
    try {
      options.log(line, level);
    } catch {
      // A failing log sink must not stop health checking.
    }
  };

  const notify = (entry: Entry): void => {
    for (const listener of [...listeners]) {
      try {
        listener(entry.backend.name, entry.server.name, entry.status);
      } catch {
        // One subscriber's bug must not hide the transition from the others.
      }
    }
  };

  const usable = (backend: string): { activeUp: number; backupUp: number } => {
    let activeUp = 0;
    let backupUp = 0;
    for (const other of byBackend.get(backend) ?? []) {
      if (other.status !== 'UP') continue;
      if (other.server.backup) backupUp += 1;
      else activeUp += 1;
    }
    return { activeUp, backupUp };
  };

  /** Moves a server to `to` (time accounting, listeners), without a log line. */
  const applyStatus = (entry: Entry, to: ServerStatus, at: number): void => {
    entry.status = to;
    entry.lastChangeAtMs = at;
    if (to === 'DOWN') {
      entry.downTransitions += 1;
      entry.downSinceMs = at;
    } else if (entry.downSinceMs !== null) {
      entry.downtimeMs += at - entry.downSinceMs;
      entry.downSinceMs = null;
    }
  };

  const transition = (entry: Entry, to: ServerStatus): void => {
    if (to === entry.status) return;
    applyStatus(entry, to, wallNow());
    notify(entry);
  };

  /** The status a server has outside maintenance: what its checks say, UP when unchecked or checks are off. */
  const checkedStatus = (entry: Entry): ServerStatus => {
    if (entry.server.disabled) return 'MAINT';
    if (entry.counter === null || entry.checksDisabled) return 'UP';
    return stateOf(entry.counter);
  };

  const record = (entry: Entry, result: CheckResult): void => {
    const counter = entry.counter;
    if (counter === null || entry.maintenance || entry.checksDisabled) return;
    const at = wallNow();
    entry.checks += 1;
    if (!result.passed && counter.health > 0) entry.failedChecks += 1;
    entry.lastCheck = { ...result, description: statusName(result.status), reason: formatCheckReason(result), atMs: at };
    const next = applyCheck(counter, result.passed);
    entry.counter = next;
    if (healthCheckChannel.hasSubscribers) {
      const event: HealthCheckEvent = { backend: entry.backend.name, server: entry.server.name, result, health: next.health };
      healthCheckChannel.publish(event);
    }
    const to = stateOf(next);
    if (to === entry.status) return;

    applyStatus(entry, to, at);
    const { activeUp, backupUp } = usable(entry.backend.name);
    const line = formatStateChange({
      backend: entry.backend.name,
      server: entry.server.name,
      backup: entry.server.backup,
      to,
      result,
      activeUp,
      backupUp,
      sessionsActive: options.sessionsActive?.(entry.backend.name, entry.server.name) ?? 0,
    });
    log(line, to === 'DOWN' ? 'alert' : 'notice');
    if (healthStateChannel.hasSubscribers) {
      const event: HealthStateEvent = { backend: entry.backend.name, server: entry.server.name, status: to, result, line };
      healthStateChannel.publish(event);
    }
    if (to === 'DOWN' && activeUp === 0 && backupUp === 0) log(formatNoServerAvailable(entry.backend.name), 'emerg');
    notify(entry);
  };

  const schedule = (entry: Entry, delayMs: number): void => {
    if (state !== 'running' || entry.maintenance || entry.checksDisabled || entry.timer !== null) return;
    entry.timer = setTimeout(() => {
      entry.timer = null;
      entry.running = (async () => {
        const result = await runCheck({
          global: model.global,
          backend: entry.backend,
          server: entry.server,
          sockets,
          procVars,
          wallNow,
        });
        if (state !== 'running' || entry.maintenance || entry.checksDisabled) return;
        record(entry, result);
        try {
          options.onCheck?.(entry.backend.name, entry.server.name, result);
        } catch {
          // Observation never disturbs checking.
        }
        // The next check counts from the end of this one (HAProxy reschedules on completion).
        if (entry.counter !== null) schedule(entry, nextIntervalMs(entry.counter, entry.server.check));
      })().finally(() => {
        entry.running = null;
      });
    }, delayMs);
  };

  const source: ServerStatusSource = {
    status(backend, server) {
      // An unknown name is a caller bug; answering DOWN fails closed (no traffic to it).
      return entries.get(key(backend, server))?.status ?? 'DOWN';
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
  };

  return {
    source,
    start() {
      if (state !== 'idle') throw new Error(`health monitor cannot start: it is ${state}`);
      state = 'running';
      const checked = [...entries.values()].filter((entry) => entry.counter !== null);
      if (checked.length === 0) return;
      // HAProxy (start_checks) spreads the first checks over the shortest first interval so
      // that N servers are not all checked in the same millisecond.
      const first = Math.min(...checked.map((entry) => nextIntervalMs(entry.counter as HealthCounter, entry.server.check)));
      checked.forEach((entry, position) => schedule(entry, Math.floor((first * position) / checked.length)));
    },
    async stop() {
      if (state === 'stopped') return;
      state = 'stopped';
      for (const entry of entries.values()) {
        if (entry.timer !== null) clearTimeout(entry.timer);
        entry.timer = null;
      }
      await sockets.closeAll();
      await Promise.all([...entries.values()].map((entry) => entry.running ?? Promise.resolve()));
    },
    setMaintenance(backend, server, on) {
      const entry = entries.get(key(backend, server));
      if (entry === undefined) return false;
      if (entry.maintenance === on) return true;
      entry.maintenance = on;
      if (on) {
        if (entry.timer !== null) clearTimeout(entry.timer);
        entry.timer = null;
        transition(entry, 'MAINT');
      } else {
        transition(entry, checkedStatus(entry));
        // Checks resume at once, as HAProxy re-checks a server leaving maintenance.
        if (entry.counter !== null) schedule(entry, 0);
      }
      return true;
    },
    setChecksEnabled(backend, server, enabled) {
      const entry = entries.get(key(backend, server));
      if (entry === undefined || entry.counter === null) return false;
      if (entry.checksDisabled === !enabled) return true;
      entry.checksDisabled = !enabled;
      if (!enabled && entry.timer !== null) {
        clearTimeout(entry.timer);
        entry.timer = null;
      }
      if (!entry.maintenance) transition(entry, checkedStatus(entry));
      if (enabled) schedule(entry, 0);
      return true;
    },
    snapshot() {
      const at = wallNow();
      return [...entries.values()].map((entry) => ({
        backend: entry.backend.name,
        server: entry.server.name,
        backup: entry.server.backup,
        status: entry.status,
        checked: entry.counter !== null,
        health: entry.counter?.health ?? 0,
        rise: entry.server.check.rise,
        fall: entry.server.check.fall,
        lastCheck: entry.lastCheck === null ? null : { ...entry.lastCheck },
        checks: entry.checks,
        failedChecks: entry.failedChecks,
        downTransitions: entry.downTransitions,
        lastChangeAtMs: entry.lastChangeAtMs,
        maintenance: entry.maintenance,
        checksDisabled: entry.checksDisabled,
        downtimeMs: entry.downtimeMs + (entry.downSinceMs === null ? 0 : at - entry.downSinceMs),
      }));
    },
  };
}
