// Health checks run once per server, in the master, and every worker sees the same states.
// The master runs the health monitor of the serving configuration; each worker it forks gets the
// monitor's current states in its environment (so it never serves a moment with its own guess)
// and every transition afterwards over the IPC channel. A reload creates the new monitor with
// the old states for servers that keep their name (a DOWN server stays DOWN until it passes
// `rise` checks), then stops the old one.
import process from 'node:process';
import type { Worker } from 'node:cluster';
import type { TruehopModel } from '../model/config-model.js';
import type { ServerStatus, ServerStatusSource } from '../model/server-status.js';
import { createHealthMonitor, type HealthMonitor, type ServerHealthSnapshot } from '../health/monitor.js';
import type { HealthControl } from '../runtime/admin-actions.js';

/** Set to 1 in the environment of workers whose master runs the checks. */
export const SHARED_HEALTH_ENV = 'TRUEHOP_SHARED_HEALTH';

/** Status per backend, then server. */
export type StatesSnapshot = Record<string, Record<string, ServerStatus>>;

export interface StatusMessage {
  type: 'truehop:status';
  backend: string;
  server: string;
  status: ServerStatus;
}

/** Worker → master: "send me every state now". */
export interface StatesRequest {
  type: 'truehop:states?';
}

/** Master → worker: every server's state. */
export interface StatesMessage {
  type: 'truehop:states';
  states: StatesSnapshot;
}

export function isStatesRequest(m: unknown): m is StatesRequest {
  return typeof m === 'object' && m !== null && (m as { type?: unknown }).type === 'truehop:states?';
}

function isStatesMessage(m: unknown): m is StatesMessage {
  return typeof m === 'object' && m !== null && (m as { type?: unknown }).type === 'truehop:states';
}

export function isStatusMessage(m: unknown): m is StatusMessage {
  return typeof m === 'object' && m !== null && (m as { type?: unknown }).type === 'truehop:status';
}

export interface MasterHealth extends HealthControl {
  /** Every server's check details (the runtime API's statistics). */
  details(): ServerHealthSnapshot[];
  /** Serves `worker` this monitor's states: a snapshot on request, then every transition. */
  attach(worker: Worker): void;
  snapshot(): StatesSnapshot;
  status(backend: string, server: string): ServerStatus;
  stop(): Promise<void>;
}

export function startMasterHealth(model: TruehopModel, log: (line: string) => void, previous?: MasterHealth): MasterHealth {
  const carried = previous?.snapshot();
  const monitor: HealthMonitor = createHealthMonitor(model, carried === undefined ? { log } : { log, initialStatus: (b, s) => carried[b]?.[s] });
  const workers = new Set<Worker>();
  const snapshot = (): StatesSnapshot => {
    const out: StatesSnapshot = {};
    for (const backend of model.backends.values()) {
      const servers: Record<string, ServerStatus> = {};
      for (const s of backend.servers) servers[s.name] = monitor.source.status(backend.name, s.name);
      out[backend.name] = servers;
    }
    return out;
  };
  const unsubscribe = monitor.source.subscribe((backend, server, status) => {
    const message: StatusMessage = { type: 'truehop:status', backend, server, status };
    for (const w of workers) if (w.isConnected()) w.send(message);
  });
  monitor.start();
  return {
    snapshot,
    attach(worker) {
      workers.add(worker);
      worker.on('message', (m: unknown) => {
        if (isStatesRequest(m) && worker.isConnected()) worker.send({ type: 'truehop:states', states: snapshot() } satisfies StatesMessage);
      });
    },
    status: (b, s) => monitor.source.status(b, s),
    details: () => monitor.snapshot(),
    setMaintenance: (b, s, on) => monitor.setMaintenance(b, s, on),
    setChecksEnabled: (b, s, enabled) => monitor.setChecksEnabled(b, s, enabled),
    async stop() {
      unsubscribe();
      workers.clear();
      await monitor.stop();
    },
  };
}

/**
 * In a worker: the master's states as the status source the data path reads, or undefined when
 * the worker runs its own checks. The worker asks for a snapshot once its listener is in place
 * (a message sent while the ES modules were still loading would have had no listener and been
 * lost) and serves only after it arrived; transitions follow on the same ordered channel.
 */
export async function statusFromMaster(timeoutMs: number): Promise<ServerStatusSource | undefined> {
  if (process.env[SHARED_HEALTH_ENV] !== '1' || process.send === undefined) return undefined;
  let states: StatesSnapshot = {};
  const listeners = new Set<(backend: string, server: string, status: ServerStatus) => void>();
  let gotSnapshot!: () => void;
  const snapshot = new Promise<void>((resolve) => (gotSnapshot = resolve));
  process.on('message', (m: unknown) => {
    if (isStatesMessage(m)) {
      states = m.states;
      gotSnapshot();
    } else if (isStatusMessage(m)) {
      (states[m.backend] ??= {})[m.server] = m.status;
      for (const l of listeners) l(m.backend, m.server, m.status);
    }
  });
  process.send({ type: 'truehop:states?' } satisfies StatesRequest);
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([snapshot, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('no server states from the master')), timeoutMs)))]);
  clearTimeout(timer);
  return {
    status: (backend, server) => states[backend]?.[server] ?? 'UP',
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
