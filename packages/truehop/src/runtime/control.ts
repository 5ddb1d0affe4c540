// What the runtime API (and part B's stats page and exporter) drives: one interface over a
// single process and over a master with workers, so the commands are written once.
import type { TruehopModel } from '../model/config-model.js';
import type { StatsSnapshot } from '../observe/stats-snapshot.js';
import { validateAction, type AdminAction } from './admin-actions.js';
import type { RunningDaemon } from './run.js';

export interface DaemonControl {
  /** The configuration being served (it changes on a reload). */
  model(): TruehopModel;
  /** Statistics now, summed over the workers in master-worker mode. */
  stats(): Promise<StatsSnapshot>;
  /** Validates `action` and applies it everywhere it belongs; HAProxy's error text, or null when done. */
  apply(action: AdminAction): string | null;
  /** Master-worker mode only: reloads the configuration (as SIGUSR2). */
  reload?: () => void;
  /** ms since the epoch when the daemon (the master) started. */
  readonly startedAtMs: number;
  readonly mode: 'single' | 'master';
}

/** The control of a daemon running in this very process. */
export function localControl(daemon: RunningDaemon, model: TruehopModel, startedAtMs: number): DaemonControl {
  return {
    model: () => model,
    stats: () => Promise.resolve(daemon.stats()),
    apply(action) {
      const error = validateAction(model, action);
      if (error === null) daemon.apply(action);
      return error;
    },
    startedAtMs,
    mode: 'single',
  };
}
