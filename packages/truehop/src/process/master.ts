// The master of master-worker mode (`-W`, `master-worker` in global, or `nbthread` > 1). It
// owns what must exist once: it checks the configuration, starts `nbthread` workers through
// node:cluster with SCHED_NONE (each worker accepts directly from the shared listening socket;
// the master only holds it), restarts a worker that dies (logged, at most once per second per
// worker slot so a crash loop cannot spin the CPU), and reloads.
// Reload (SIGUSR2 or SIGHUP, as HAProxy's master): re-read the `-f` files; a configuration with
// alerts is refused and the running workers keep serving. Otherwise a new generation of workers
// starts and attaches to the same listening sockets *before* the old generation is told to stop
// accepting: node:cluster closes a listening socket only when its last worker lets go of it, so
// a bind kept across the reload is never closed (no connection refused) while a bind removed
// from the configuration closes with the old workers. Old workers finish their sessions within
// `hard-stop-after`, then the master kills what is left.
// SIGTERM, SIGINT, SIGUSR1: graceful stop of every worker, then the master exits 0.
import process from 'node:process';
import { memoryFlagsForChild } from './memory-flags.js';
import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { TruehopModel } from '../model/config-model.js';
import { loadConfig } from '../config/load-config.js';
import { formatDiagnostic } from '../text/diagnostics.js';
import { ABORT_SETTLE_MS, DEFAULT_STOP_GRACE_MS } from '../runtime/run.js';
import { isWorkerMessage, type MasterMessage } from './ipc.js';
import { writeListeningLines, type ListeningReport } from './listening-lines.js';
import { onOperatorSignal } from './signal-guard.js';
import { formatCounters, readWorkerCounters } from './worker-counters.js';
import { masterControl, type MasterControl } from './runtime-api-ipc.js';
import { serveServiceRequests } from './service-ipc.js';
import { startRuntimeApi, type RuntimeApi } from '../runtime-api/listen.js';
import { SHARED_HEALTH_ENV, startMasterHealth, type MasterHealth } from './shared-health.js';

/** A worker slot is restarted at most this often: a worker that crashes at start cannot spin the CPU. */
export const RESTART_MIN_INTERVAL_MS = 1000;
/** How long a new worker may take to load the configuration and listen. */
export const WORKER_START_TIMEOUT_MS = 15_000;
/** Beyond `hard-stop-after` (plus the abort settle time), how long an old worker gets before SIGKILL. */
const KILL_MARGIN_MS = 2000;

const WORKER_MAIN = fileURLToPath(new URL('./worker-main.js', import.meta.url));

/** Workers for a model: `nbthread`, else every CPU the process may use (taskset is honoured). */
export function workerCount(model: TruehopModel): number {
  return model.global.nbthread ?? availableParallelism();
}

/** True when the model (or the command line) asks for a master and workers rather than one process. */
export function wantsMaster(model: TruehopModel, masterWorkerFlag: boolean): boolean {
  return masterWorkerFlag || model.global.masterWorker === true || workerCount(model) > 1;
}

export interface RunningMaster {
  readonly listening: ListeningReport;
  /** Statistics and admin actions over every worker (the runtime API drives it). */
  readonly control: MasterControl;
  /** Resolves when every worker has exited after a stop. */
  readonly stopped: Promise<void>;
}

interface Started {
  worker: Worker;
  listening: ListeningReport;
}

const pidList = (workers: Iterable<Worker>): string => [...workers].map((w) => w.process.pid).join(',') || '-';

export async function runMaster(model: TruehopModel, files: readonly string[], stderr: NodeJS.WritableStream = process.stderr): Promise<RunningMaster> {
  const log = (line: string): void => {
    stderr.write(`truehop: [master ${process.pid}] ${line}\n`);
  };
  cluster.schedulingPolicy = cluster.SCHED_NONE;
  // Workers get the V8 memory settings on their command line (memory-flags.ts).
  cluster.setupPrimary({ exec: WORKER_MAIN, args: [...files], execArgv: [...memoryFlagsForChild(), ...process.execArgv] });

  /** The serving generation, by slot (0…nbthread-1). */
  let current = new Map<number, Worker>();
  /** Workers told to stop (old generations, or all of them on stop): not restarted when they exit. */
  const retiring = new Set<Worker>();
  /** Workers started but not ready yet: their start promise handles their exit. */
  const starting = new Set<Worker>();
  const lastStart = new Map<number, number>();
  let graceMs = model.global.hardStopAfterMs ?? DEFAULT_STOP_GRACE_MS;
  // Checks run here, once per server; workers receive the states (shared-health.ts).
  let health = startMasterHealth(model, (line) => stderr.write(`${line}\n`));
  let servingModel = model;
  const startedAtMs = Date.now();
  let stopping = false;
  /** True while the stop sequence reads the workers' counters, before it retires them. */
  let readingCounters = false;
  let resolveStopped!: () => void;
  const stopped = new Promise<void>((resolve) => (resolveStopped = resolve));

  const startWorker = (slot: number, states: MasterHealth): Promise<Started> => {
    lastStart.set(slot, Date.now());
    const worker = cluster.fork({ TRUEHOP_WORKER_SLOT: String(slot), [SHARED_HEALTH_ENV]: '1' });
    states.attach(worker);
    starting.add(worker);
    return new Promise<Started>((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer);
        starting.delete(worker);
        worker.removeListener('message', onMessage);
        worker.removeListener('exit', onExit);
      };
      const onMessage = (m: unknown): void => {
        if (!isWorkerMessage(m)) return;
        done();
        if (m.type === 'truehop:listening') resolve({ worker, listening: m.listening });
        else {
          worker.process.kill('SIGKILL');
          reject(new Error(`worker ${worker.process.pid}: ${m.reason}`));
        }
      };
      const onExit = (code: number | null, signal: string | null): void => {
        done();
        reject(new Error(`worker ${worker.process.pid} exited during start (${signal ?? `code ${code}`})`));
      };
      const timer = setTimeout(() => {
        done();
        worker.process.kill('SIGKILL');
        reject(new Error(`worker ${worker.process.pid} did not listen within ${WORKER_START_TIMEOUT_MS} ms`));
      }, WORKER_START_TIMEOUT_MS);
      worker.on('message', onMessage);
      worker.once('exit', onExit);
    });
  };

  const retire = (worker: Worker, graceForIt: number): void => {
    if (worker.isDead()) return;
    retiring.add(worker);
    if (!worker.isConnected()) return;
    worker.send({ type: 'truehop:stop' } satisfies MasterMessage);
    // The worker cuts its sessions at hard-stop-after itself; this only catches a stuck one.
    const kill = setTimeout(() => worker.process.kill('SIGKILL'), graceForIt + ABORT_SETTLE_MS + KILL_MARGIN_MS);
    worker.once('exit', () => clearTimeout(kill));
  };

  /** Starts `count` workers; if any fails, the others are stopped and the reason thrown. */
  const startGeneration = async (count: number, states: MasterHealth): Promise<{ workers: Map<number, Worker>; listening: ListeningReport }> => {
    const results = await Promise.allSettled(Array.from({ length: count }, (_, slot) => startWorker(slot, states)));
    const workers = new Map<number, Worker>();
    const failures: string[] = [];
    results.forEach((r, slot) => {
      if (r.status === 'fulfilled') workers.set(slot, r.value.worker);
      else failures.push((r.reason as Error).message);
    });
    if (failures.length > 0) {
      for (const w of workers.values()) retire(w, graceMs);
      throw new Error(failures.join('; '));
    }
    const first = results[0];
    return { workers, listening: first?.status === 'fulfilled' ? first.value.listening : [] };
  };

  const restart = (slot: number): void => {
    const wait = Math.max(0, (lastStart.get(slot) ?? 0) + RESTART_MIN_INTERVAL_MS - Date.now());
    setTimeout(() => {
      if (stopping || current.has(slot)) return;
      startWorker(slot, health).then(
        ({ worker }) => {
          if (stopping) return retire(worker, graceMs);
          current.set(slot, worker);
          // Runtime changes made since the last reload apply to the new worker too.
          control.replayTo(worker);
          log(`worker ${worker.process.pid} started in slot ${slot}`);
        },
        (err: Error) => {
          log(`restarting slot ${slot} failed: ${err.message}`);
          restart(slot);
        },
      );
    }, wait);
  };

  cluster.on('exit', (worker, code, signal) => {
    const how = signal !== null && signal !== undefined ? `signal ${signal}` : `exit code ${code}`;
    if (retiring.delete(worker)) {
      log(`worker ${worker.process.pid} exited (${how})`);
    } else if (!starting.has(worker)) {
      for (const [slot, w] of current) {
        if (w !== worker) continue;
        current.delete(slot);
        log(`worker ${worker.process.pid} died (${how})${stopping ? '' : `; restarting slot ${slot}`}`);
        if (!stopping) restart(slot);
      }
    }
    if (stopping && !readingCounters && retiring.size === 0 && current.size === 0 && starting.size === 0) resolveStopped();
  });

  const initial = await startGeneration(workerCount(model), health).catch(async (err: Error) => {
    await health.stop();
    throw new Error(`workers failed to start: ${err.message}`);
  });
  current = initial.workers;

  let reloading = false;
  let reloadAgain = false;
  const reloadOnce = async (): Promise<void> => {
    const result = loadConfig(files);
    for (const d of result.diagnostics) stderr.write(`${formatDiagnostic(d)}\n`);
    if (!result.ok) {
      const alerts = result.diagnostics.filter((d) => d.severity === 'alert').length;
      log(`reload refused: the configuration has ${alerts} alert${alerts === 1 ? '' : 's'}; workers ${pidList(current.values())} keep serving`);
      return;
    }
    let next;
    // Server states carry over for servers that keep their name.
    const nextHealth = startMasterHealth(result.model, (line) => stderr.write(`${line}\n`), health);
    try {
      next = await startGeneration(workerCount(result.model), nextHealth);
    } catch (err) {
      await nextHealth.stop();
      log(`reload failed: ${(err as Error).message}; workers ${pidList(current.values())} keep serving`);
      return;
    }
    if (stopping) {
      for (const w of next.workers.values()) retire(w, graceMs);
      await nextHealth.stop();
      return;
    }
    const oldHealth = health;
    health = nextHealth;
    servingModel = result.model;
    control.forget();
    void oldHealth.stop();
    const old = [...current.values()];
    // The new generation listens on every bind before the old one lets go (see the header).
    current = next.workers;
    const oldGrace = graceMs;
    graceMs = result.model.global.hardStopAfterMs ?? DEFAULT_STOP_GRACE_MS;
    for (const w of old) retire(w, oldGrace);
    log(`reloaded: old workers ${pidList(old)} finishing their sessions, new workers ${pidList(current.values())}`);
    writeListeningLines(next.listening, stderr);
  };
  const reload = (signal: string): void => {
    log(`${signal} received: reloading ${files.join(' ')}`);
    if (reloading) {
      reloadAgain = true;
      return;
    }
    reloading = true;
    void (async () => {
      do {
        reloadAgain = false;
        await reloadOnce();
      } while (reloadAgain && !stopping);
      reloading = false;
    })();
  };

  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log(`${signal} received: stopping workers ${pidList(current.values())} (finishing running sessions)`);
    const serving = [...current.values()];
    current.clear();
    void health.stop();
    // Counters as they are when the stop is asked for (the runtime API will serve them live).
    // The requests go out before the stop messages on each ordered channel, so every worker
    // answers before it stops; the listeners close without waiting for the answers.
    readingCounters = true;
    const counters = readWorkerCounters(serving);
    for (const w of serving) retire(w, graceMs);
    void counters.then(({ perWorker, total }) => {
      readingCounters = false;
      for (const [pid, c] of perWorker) log(`counters of worker ${pid}: ${formatCounters(c)}`);
      log(`counters of all workers: ${formatCounters(total)}`);
      if (retiring.size === 0 && starting.size === 0) resolveStopped();
    });
  };

  const control = masterControl(
    { model: () => servingModel, workers: () => current.values(), health: () => health, reload: () => reload('reload command') },
    startedAtMs,
  );

  serveServiceRequests(control);
  // The master owns the runtime API: it answers from every worker's counters and its own checks,
  // and a busy CLI client never competes with a worker's data path for CPU.
  let api: RuntimeApi;
  try {
    api = await startRuntimeApi(model.global, {
      control,
      processes: () => current.size,
      listeners: () => [...servingModel.frontends.values()].reduce((n, fe) => n + fe.binds.length, 0),
    });
  } catch (err) {
    stop('stats socket failure');
    throw err;
  }
  void stopped.then(() => api.close());
  // The handlers go in before the lines below: whoever waits for them may signal at once, and a
  // SIGTERM that finds no handler yet kills the master outright (seen in 1 of 15 quick starts).
  onOperatorSignal('SIGUSR2', reload);
  onOperatorSignal('SIGHUP', reload);
  onOperatorSignal('SIGUSR1', stop);
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  // Reported once the runtime API is up too: whoever waits for these lines can use both.
  log(`started ${current.size} worker${current.size === 1 ? '' : 's'}: ${pidList(current.values())}`);
  writeListeningLines(initial.listening, stderr);

  return { listening: initial.listening, stopped, control };
}
