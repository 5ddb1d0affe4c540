// Runs a checked configuration as one process or as a master with workers (master.ts), writes
// the pid file, tells a waiting `-D` command that the daemon is up, and returns the exit status
// once everything has stopped.
import type { TruehopModel } from '../model/config-model.js';
import { reportToDaemonParent } from './daemonize.js';
import { runMaster, wantsMaster } from './master.js';
import { writePidFile } from './pidfile.js';
import { runSingleProcess } from './single.js';

export interface ProcessOptions {
  /** `-W` on the command line. */
  masterWorker: boolean;
  /** `-p <pidfile>`. */
  pidfile: string | undefined;
}

export async function runProcesses(model: TruehopModel, files: readonly string[], options: ProcessOptions): Promise<number> {
  let running;
  try {
    running = wantsMaster(model, options.masterWorker) ? await runMaster(model, files) : await runSingleProcess(model);
  } catch (err) {
    reportToDaemonParent({ type: 'truehop:failed', reason: err instanceof Error ? err.message : String(err) });
    throw err;
  }
  if (options.pidfile !== undefined) writePidFile(options.pidfile);
  reportToDaemonParent({ type: 'truehop:ready' });
  await running.stopped;
  return 0;
}
