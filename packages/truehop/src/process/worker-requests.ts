// The master's questions to its workers and their answers over the cluster IPC channel: each
// question carries an id, so several runtime-API clients asking at once each get their own
// answer. Workers answer from their live data path (counters, statistics); admin actions go
// the same way as one-way messages, applied by every worker.
import process from 'node:process';
import type { Worker } from 'node:cluster';

/** How long the master waits for a worker's answer; a worker that does not answer in time is left out. */
export const WORKER_ANSWER_TIMEOUT_MS = 2000;

interface Question {
  type: 'truehop:ask';
  id: number;
  what: string;
}
interface Answer {
  type: 'truehop:answer';
  id: number;
  value: unknown;
}
interface Command {
  type: 'truehop:do';
  what: string;
  payload: unknown;
}

const typeOf = (m: unknown): unknown => (typeof m === 'object' && m !== null ? (m as { type?: unknown }).type : undefined);

/**
 * In a worker: answers the master's questions with `answers[what]()` and runs its commands with
 * `commands[what](payload)`. A question without a handler gets `null`.
 */
export function serveMaster(answers: Record<string, () => unknown>, commands: Record<string, (payload: unknown) => void> = {}): void {
  process.on('message', (m: unknown) => {
    const type = typeOf(m);
    if (type === 'truehop:ask') {
      const q = m as Question;
      process.send?.({ type: 'truehop:answer', id: q.id, value: answers[q.what]?.() ?? null } satisfies Answer);
    } else if (type === 'truehop:do') {
      const c = m as Command;
      commands[c.what]?.(c.payload);
    }
  });
}

let nextId = 1;

/** Asks one worker; null when it is gone or does not answer in time. */
export function askWorker<T>(worker: Worker, what: string): Promise<T | null> {
  if (!worker.isConnected()) return Promise.resolve(null);
  const id = nextId++;
  return new Promise((resolve) => {
    const onMessage = (m: unknown): void => {
      if (typeOf(m) === 'truehop:answer' && (m as Answer).id === id) finish((m as Answer).value as T);
    };
    const finish = (v: T | null): void => {
      clearTimeout(timer);
      worker.removeListener('message', onMessage);
      resolve(v);
    };
    const timer = setTimeout(() => finish(null), WORKER_ANSWER_TIMEOUT_MS);
    worker.on('message', onMessage);
    worker.send({ type: 'truehop:ask', id, what } satisfies Question);
  });
}

/** Asks every worker at once; the answers by worker pid (those that answered). */
export async function askWorkers<T>(workers: Iterable<Worker>, what: string): Promise<Map<number, T>> {
  const list = [...workers];
  const answers = await Promise.all(list.map((w) => askWorker<T>(w, what)));
  const out = new Map<number, T>();
  answers.forEach((a, i) => {
    if (a !== null) out.set(list[i]?.process.pid ?? 0, a);
  });
  return out;
}

/** Sends a command to every connected worker (ordered after anything sent to it before). */
export function tellWorkers(workers: Iterable<Worker>, what: string, payload: unknown): void {
  for (const w of workers) if (w.isConnected()) w.send({ type: 'truehop:do', what, payload } satisfies Command);
}
