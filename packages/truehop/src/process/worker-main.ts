// A worker of master-worker mode, started by the master through node:cluster with the `-f`
// files as arguments. It loads the configuration itself (the compiled model holds closures
// and cannot cross the IPC channel; the master checked the same files just before), runs the
// daemon, and listens through the cluster module: with SCHED_NONE every worker accepts
// directly from the listening socket the master holds, so no connection is handed over
// between processes, and the socket outlives any one worker (which is what makes reloads and
// worker restarts invisible to clients).
// Health checks run in the master; the worker reads the states it sends (shared-health.ts).
// Signals: SIGTERM, SIGINT, SIGUSR1 and the master's stop message are a graceful stop (stop
// accepting, finish sessions within hard-stop-after, exit 0); the others are ignored here
// because the master owns reloads (signal-guard.ts logs them).
import process from 'node:process';
import './signal-guard.js';
import './memory-flags.js';
import { loadConfig } from '../config/load-config.js';
import { startDaemon, type RunningDaemon } from '../runtime/run.js';
import { isMasterStop } from './ipc.js';
import type { WorkerMessage } from './ipc.js';
import { sessionActivity, startIdleCollector } from './idle-collect.js';
import { listeningReport } from './listening-lines.js';
import { onOperatorSignal } from './signal-guard.js';
import { statusFromMaster } from './shared-health.js';
import type { AdminAction } from '../runtime/admin-actions.js';
import { COUNTERS_QUESTION } from './worker-counters.js';
import { ADMIN_COMMAND, STATS_QUESTION } from './runtime-api-ipc.js';
import { serveMaster } from './worker-requests.js';
import { masterServiceControl } from './service-ipc.js';

/** How long the worker waits for the master's server states before giving up (start fails). */
const STATES_TIMEOUT_MS = 10_000;

function send(message: WorkerMessage): void {
  process.send?.(message);
}

async function runWorker(files: readonly string[]): Promise<void> {
  const result = loadConfig(files);
  if (!result.ok) {
    send({ type: 'truehop:failed', reason: `the configuration has ${result.diagnostics.filter((d) => d.severity === 'alert').length} alert(s) (changed since the master checked it?)` });
    process.exit(1);
  }
  let daemon: RunningDaemon;
  try {
    const statusSource = await statusFromMaster(STATES_TIMEOUT_MS);
    // The stats page and the exporter of this worker show and steer the whole daemon.
    const serviceControl = masterServiceControl();
    daemon = await startDaemon(result.model, statusSource !== undefined ? { handleSignals: false, statusSource, serviceControl } : { handleSignals: false, serviceControl });
  } catch (err) {
    send({ type: 'truehop:failed', reason: err instanceof Error ? err.message : String(err) });
    process.exit(1);
  }
  if (!daemon.listenersPause) process.stderr.write(`truehop: warning: worker ${process.pid}: listeners cannot stop accepting when full (not a handle node:cluster passed): connections past maxconn wait accepted or are closed at once\n`);
  startIdleCollector(() => sessionActivity(daemon.counters));
  // The IPC channel keeps the event loop alive, so the worker exits explicitly once stopped.
  const stop = (): void => {
    void daemon.stop().then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  onOperatorSignal('SIGUSR1', stop);
  process.on('message', (m: unknown) => {
    if (isMasterStop(m)) stop();
  });
  // The master validated the action against the same configuration before sending it.
  serveMaster(
    { [COUNTERS_QUESTION]: () => daemon.counters, [STATS_QUESTION]: () => daemon.stats() },
    { [ADMIN_COMMAND]: (action) => daemon.apply(action as AdminAction) },
  );
  send({ type: 'truehop:listening', listening: listeningReport(daemon.listening) });
}

void runWorker(process.argv.slice(2));
