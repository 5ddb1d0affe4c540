// The master's side of the runtime API in master-worker mode: statistics are the sum of every
// worker's answer (worker-requests.ts) with the master's health view laid over them (checks
// run in the master); an admin action is validated once, its health part applied to the
// master's monitor (which pushes the resulting states, shared-health.ts), its data-path part
// sent to every worker. Actions are remembered until the next reload and replayed to a worker
// that starts later (a restarted one), so every worker applies the same weights and limits;
// a reload forgets them, as HAProxy forgets runtime changes without a server-state file.
import type { Worker } from 'node:cluster';
import type { TruehopModel } from '../model/config-model.js';
import { mergeSnapshots, type StatsSnapshot } from '../observe/stats-snapshot.js';
import { MAX_CAPTURED_ERRORS } from '../observe/proxy-stats.js';
import { applyToHealth, validateAction, type AdminAction } from '../runtime/admin-actions.js';
import { overlayHealth } from '../runtime/collect-stats.js';
import type { DaemonControl } from '../runtime/control.js';
import type { MasterHealth } from './shared-health.js';
import { askWorkers, tellWorkers } from './worker-requests.js';

export const STATS_QUESTION = 'stats';
export const ADMIN_COMMAND = 'admin';

export interface MasterState {
  model(): TruehopModel;
  workers(): Iterable<Worker>;
  health(): MasterHealth;
  reload(): void;
}

export interface MasterControl extends DaemonControl {
  /** Sends the actions applied since the last reload to a worker that just started. */
  replayTo(worker: Worker): void;
  /** A reload took effect: runtime changes are forgotten. */
  forget(): void;
}

/** The key under which an action replaces the previous one of the same kind on the same target. */
function replayKey(a: AdminAction): string | null {
  if (a.kind === 'shutdown-sessions') return null;
  if (a.kind === 'frontend-maxconn') return `${a.kind} ${a.frontend}`;
  return `${a.kind} ${a.backend}/${a.server}`;
}

export function masterControl(state: MasterState, startedAtMs: number): MasterControl {
  const applied = new Map<string, AdminAction>();
  return {
    model: () => state.model(),
    async stats(): Promise<StatsSnapshot> {
      const answers = await askWorkers<StatsSnapshot>(state.workers(), STATS_QUESTION);
      const merged = mergeSnapshots([...answers.values()], MAX_CAPTURED_ERRORS);
      overlayHealth(merged, state.health().details());
      return merged;
    },
    apply(action) {
      const error = validateAction(state.model(), action);
      if (error !== null) return error;
      applyToHealth(state.health(), action);
      tellWorkers(state.workers(), ADMIN_COMMAND, action);
      const key = replayKey(action);
      if (key !== null) applied.set(key, action);
      return null;
    },
    reload: () => state.reload(),
    replayTo(worker) {
      for (const action of applied.values()) tellWorkers([worker], ADMIN_COMMAND, action);
    },
    forget: () => applied.clear(),
    startedAtMs,
    mode: 'master',
  };
}
