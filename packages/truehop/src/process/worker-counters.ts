// Counters are per worker (each runs its own data path); the master reads them over IPC
// (worker-requests.ts) and sums them: the master logs them, per worker and summed, when it is
// asked to stop. The runtime API reads the fuller statistics the same way.
import type { Worker } from 'node:cluster';
import { COUNTER_COLUMNS, createCounters, type CounterName, type Counters } from '../observe/counters.js';
import { askWorkers } from './worker-requests.js';

/** The question workers answer with their counters (worker-main.ts). */
export const COUNTERS_QUESTION = 'counters';

export interface WorkerCounters {
  perWorker: Map<number, Counters>;
  total: Counters;
}

/** Every worker's counters (those that answer in time) and their sum. */
export async function readWorkerCounters(workers: Iterable<Worker>): Promise<WorkerCounters> {
  const perWorker = await askWorkers<Counters>(workers, COUNTERS_QUESTION);
  const total = createCounters();
  for (const c of perWorker.values()) {
    for (const name of Object.keys(COUNTER_COLUMNS) as CounterName[]) total[name] += c[name];
  }
  return { perWorker, total };
}

/** `sessionsTotal=3 bytesIn=120 …` (non-zero columns only, in table order). */
export function formatCounters(c: Counters): string {
  const parts = (Object.keys(COUNTER_COLUMNS) as CounterName[]).filter((n) => c[n] !== 0).map((n) => `${n}=${c[n]}`);
  return parts.length === 0 ? 'none' : parts.join(' ');
}
