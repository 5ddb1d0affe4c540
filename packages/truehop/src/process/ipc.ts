// Messages between the master and its workers over the cluster IPC channel (plain JSON).
import type { ListeningReport } from './listening-lines.js';

/** Worker → master. */
export type WorkerMessage =
  | { type: 'truehop:listening'; listening: ListeningReport }
  | { type: 'truehop:failed'; reason: string };

/** Master → worker. */
export type MasterMessage = { type: 'truehop:stop' };

export function isWorkerMessage(m: unknown): m is WorkerMessage {
  const type = typeof m === 'object' && m !== null ? (m as { type?: unknown }).type : undefined;
  return type === 'truehop:listening' || type === 'truehop:failed';
}

export function isMasterStop(m: unknown): m is MasterMessage {
  return typeof m === 'object' && m !== null && (m as { type?: unknown }).type === 'truehop:stop';
}
