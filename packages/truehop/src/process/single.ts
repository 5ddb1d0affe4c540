// One process, no master (`nbthread 1` without master-worker): today's daemon plus the meaning
// of the operator signals (HAProxy's where they matter):
// - SIGTERM, SIGINT (runtime/signals.ts) and SIGUSR1 (HAProxy's soft stop): stop accepting,
//   let sessions finish within `hard-stop-after`, exit 0. HAProxy makes SIGTERM a hard stop;
//   truehop keeps it graceful because that is what systemd and Kubernetes send before SIGKILL.
// - SIGUSR2, SIGHUP (reload): one process cannot replace its own code and configuration
//   without a moment where nobody accepts, so the signal is logged and ignored; reloads need
//   master-worker mode (-W).
// - SIGQUIT, SIGTTIN, SIGTTOU: logged and ignored (signal-guard.ts).
import process from 'node:process';
import type { TruehopModel } from '../model/config-model.js';
import { startDaemon } from '../runtime/run.js';
import { localControl } from '../runtime/control.js';
import { startRuntimeApi } from '../runtime-api/listen.js';
import { sessionActivity, startIdleCollector } from './idle-collect.js';
import { listeningCopies } from './listening-copy.js';
import { listeningReport, writeListeningLines, type ListeningReport } from './listening-lines.js';
import { onOperatorSignal } from './signal-guard.js';

export interface Started {
  /** Resolves when the daemon has stopped. */
  stopped: Promise<void>;
  listening: ListeningReport;
}

export async function runSingleProcess(model: TruehopModel, stderr: NodeJS.WritableStream = process.stderr): Promise<Started> {
  const startedAtMs = Date.now();
  // Listeners that stop accepting when full need a second descriptor of each socket (libuv pauses
  // only those); the helper that provides it is gone once every listener has its copy.
  const copies = listeningCopies();
  let daemon;
  try {
    daemon = await startDaemon(model, { handleSignals: true, listeningCopier: copies.copier });
  } finally {
    copies.close();
  }
  if (!daemon.listenersPause) {
    stderr.write(`truehop: warning: listeners cannot stop accepting when full${copies.failure() !== null ? ` (${copies.failure()})` : ''}: connections past maxconn wait accepted or are closed at once; master-worker mode (-W) pauses them\n`);
  }
  const listeners = [...daemon.listening.values()].reduce((n, l) => n + l.length, 0);
  let api;
  try {
    api = await startRuntimeApi(model.global, { control: localControl(daemon, model, startedAtMs), processes: () => 1, listeners: () => listeners });
  } catch (err) {
    await daemon.stop(0);
    throw err;
  }
  const runtimeApi = api;
  const collector = startIdleCollector(() => sessionActivity(daemon.counters));
  void daemon.stopped.then(() => {
    collector?.stop();
    return runtimeApi.close();
  });
  onOperatorSignal('SIGUSR1', () => {
    stderr.write('truehop: SIGUSR1 received: soft stop (finishing running sessions)\n');
    void daemon.stop().then(() => {
      process.exitCode = 0;
    });
  });
  const noReload = (signal: string): void => {
    stderr.write(`truehop: ${signal} received: reload needs master-worker mode (-W or 'master-worker' in global); ignored\n`);
  };
  onOperatorSignal('SIGUSR2', noReload);
  onOperatorSignal('SIGHUP', noReload);
  const listening = listeningReport(daemon.listening);
  writeListeningLines(listening, stderr);
  return { stopped: daemon.stopped, listening };
}
