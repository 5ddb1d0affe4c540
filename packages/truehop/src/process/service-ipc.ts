// The stats page and the exporter of a worker show and steer the whole daemon, as HAProxy's
// do: in master-worker mode a worker's services ask the master (over the cluster IPC channel)
// for the statistics summed over every worker with the master's health view, and hand it the
// page's admin actions, which the master validates and applies everywhere (runtime-api-ipc.ts).
import process from 'node:process';
import cluster, { type Worker } from 'node:cluster';
import type { AdminAction } from '../runtime/admin-actions.js';
import type { DaemonControl } from '../runtime/control.js';
import type { ServiceControl } from '../runtime/http-services.js';
import type { StatsSnapshot } from '../observe/stats-snapshot.js';
import { WORKER_ANSWER_TIMEOUT_MS } from './worker-requests.js';

/** The master waits up to this for the workers' statistics, so a worker waits a little longer. */
export const MASTER_ANSWER_TIMEOUT_MS = WORKER_ANSWER_TIMEOUT_MS + 1000;

type ServiceRequest = { what: 'stats' } | { what: 'apply'; action: AdminAction };
type ServiceQuestion = ServiceRequest & { type: 'truehop:service?'; id: number };
interface ServiceAnswer {
  type: 'truehop:service';
  id: number;
  value: StatsSnapshot | string | null;
  /** The master could not answer (no worker answered, an action threw). */
  failed?: string;
}

const typeOf = (m: unknown): unknown => (typeof m === 'object' && m !== null ? (m as { type?: unknown }).type : undefined);

/** In a worker: the services' control, answered by the master. */
export function masterServiceControl(): ServiceControl {
  let nextId = 1;
  const pending = new Map<number, (a: ServiceAnswer) => void>();
  process.on('message', (m: unknown) => {
    if (typeOf(m) !== 'truehop:service') return;
    const a = m as ServiceAnswer;
    pending.get(a.id)?.(a);
  });
  const ask = (q: ServiceRequest): Promise<ServiceAnswer> => {
    const id = nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error('the master did not answer in time'));
      }, MASTER_ANSWER_TIMEOUT_MS);
      pending.set(id, (a) => {
        clearTimeout(timer);
        pending.delete(id);
        if (a.failed !== undefined) reject(new Error(a.failed));
        else resolve(a);
      });
      process.send?.({ ...q, type: 'truehop:service?', id } satisfies ServiceQuestion);
    });
  };
  return {
    stats: async () => (await ask({ what: 'stats' })).value as StatsSnapshot,
    apply: async (action) => (await ask({ what: 'apply', action })).value as string | null,
  };
}

/** In the master: answers every worker's service questions from the daemon's control. */
export function serveServiceRequests(control: DaemonControl): void {
  cluster.on('message', (worker: Worker, m: unknown) => {
    if (typeOf(m) !== 'truehop:service?') return;
    const q = m as ServiceQuestion;
    const reply = (value: ServiceAnswer['value'], failed?: string): void => {
      if (worker.isConnected()) worker.send({ type: 'truehop:service', id: q.id, value, ...(failed !== undefined ? { failed } : {}) } satisfies ServiceAnswer);
    };
    if (q.what === 'stats') {
      control.stats().then((s) => reply(s), (err: Error) => reply(null, err.message));
    } else {
      try {
        reply(control.apply(q.action));
      } catch (err) {
        reply(null, (err as Error).message);
      }
    }
  });
}
