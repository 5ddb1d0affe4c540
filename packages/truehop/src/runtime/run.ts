// CONTRACT STUB — the daemon helper replaces the body: starts every frontend of the model,
// the health checks and the logs; resolves when the daemon has stopped.
import type { TruehopModel } from '../model/config-model.js';

export interface RunOptions {
  /** Where per-connection and event logs go when the model names no target. */
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
  /** Install SIGTERM/SIGINT handlers (graceful stop). */
  handleSignals?: boolean;
}

export interface RunningDaemon {
  /** The ports actually bound, per frontend then bind, useful when a bind uses port 0. */
  readonly listening: ReadonlyMap<string, readonly { host: string; port: number }[]>;
  /** Stop accepting, let running connections finish within `graceMs`, then close. */
  stop(graceMs?: number): Promise<void>;
  readonly stopped: Promise<void>;
}

export async function startDaemon(model: TruehopModel, options: RunOptions = {}): Promise<RunningDaemon> {
  void model;
  void options;
  throw new Error('the daemon is not implemented yet');
}
