// Counters are per worker (each runs its own data path); the master reads them over IPC and
// sums them. The runtime API (a later issue) serves `readWorkerCounters`; today the master logs
// them, per worker and summed, when it is asked to stop.
import type { Worker } from 'node:cluster';
import { COUNTER_COLUMNS, createCounters, type CounterName, type Counters } from '../observe/counters.js';

/** How long the master waits for a worker's counters. */
export const COUNTERS_TIMEOUT_MS = 2000;

interface CountersRequest {
  type: 'truehop:counters?';
}
interface CountersReply {
  type: 'truehop:counters';
  counters: Counters;
}

const hasType = (m: unknown, type: string): boolean => typeof m === 'object' && m !== null && (m as { type?: unknown }).type === type;

/** In a worker: answers the master's counter requests from the live counters. */
export function serveCounters(counters: Counters): void {
  process.on('message', (m: unknown) => {
    if (hasType(m, 'truehop:counters?')) process.send?.({ type: 'truehop:counters', counters } satisfies CountersReply);
  });
}

function askCounters(worker: Worker): Promise<Counters | null> {
  if (!worker.isConnected()) return Promise.resolve(null);
  return new Promise((resolve) => {
    const onMessage = (m: unknown): void => {
      if (!hasType(m, 'truehop:counters')) return;
      finish((m as CountersReply).counters);
    };
    const finish = (c: Counters | null): void => {
      clearTimeout(timer);
      worker.removeListener('message', onMessage);
      resolve(c);
    };
    const timer = setTimeout(() => finish(null), COUNTERS_TIMEOUT_MS);
    worker.on('message', onMessage);
    worker.send({ type: 'truehop:counters?' } satisfies CountersRequest);
  });
}

export interface WorkerCounters {
  perWorker: Map<number, Counters>;
  total: Counters;
}

/** Every worker's counters (those that answer in time) and their sum. */
export async function readWorkerCounters(workers: Iterable<Worker>): Promise<WorkerCounters> {
  const list = [...workers];
  const answers = await Promise.all(list.map(askCounters));
  const perWorker = new Map<number, Counters>();
  const total = createCounters();
  answers.forEach((c, i) => {
    if (c === null) return;
    perWorker.set(list[i]?.process.pid ?? 0, c);
    for (const name of Object.keys(COUNTER_COLUMNS) as CounterName[]) total[name] += c[name];
  });
  return { perWorker, total };
}

/** `sessionsTotal=3 bytesIn=120 …` (non-zero columns only, in table order). */
export function formatCounters(c: Counters): string {
  const parts = (Object.keys(COUNTER_COLUMNS) as CounterName[]).filter((n) => c[n] !== 0).map((n) => `${n}=${c[n]}`);
  return parts.length === 0 ? 'none' : parts.join(' ');
}
