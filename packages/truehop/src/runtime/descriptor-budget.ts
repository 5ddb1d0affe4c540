// How many sessions the process's descriptor limit allows, decided once at start-up, as
// HAProxy derives its global maxconn from `ulimit-n` (src/haproxy.c compute_ideal_maxconn):
// from the limit take what is already open (stdio, the event loop's own descriptors, log
// files) and what the configuration will open (one per listener, one per health-checked
// server, one per log socket); of what remains, a session needs two (client and server) and a
// connection waiting for a slot one. Sizing maxconn so that both fit means the process never
// meets EMFILE — where libuv would accept and close every pending connection at once (its
// "EMFILE trick"), which is the drop the descriptor-exhaustion soak saw.
//
// Node has no getrlimit(); on Linux the limit is in /proc/self/limits ("Max open files", the
// soft limit: Node raises it to the hard limit at start-up, so the two agree). Elsewhere the
// limit is unknown, nothing is derived, and maxconn is what the configuration says.
import { readdirSync, readFileSync } from 'node:fs';
import type { TruehopModel } from '../model/config-model.js';

/**
 * Of the descriptors left for traffic, the share kept for connections waiting for a slot (one
 * each): the same 2 : 0.5 split as HAProxy's formula for unlimited pipes (maxconn = 2·remain/5),
 * so a full process still has room to leave some connections waiting rather than dropping them.
 */
const SESSION_FDS = 2;
const WAITING_SHARE = 0.5;
/** Descriptors Node may open later on its own (DNS, the thread pool, a worker's IPC), kept aside. */
const RUNTIME_SLACK = 16;

export interface DescriptorBudget {
  /** RLIMIT_NOFILE (soft) of this process; undefined when it cannot be read. */
  limit: number | undefined;
  /** Descriptors counted as taken before any traffic. */
  reserved: number;
  /** The global maxconn the limit allows (undefined: unknown limit). */
  maxconn: number | undefined;
  /** Connections that may wait, accepted, for a slot (undefined: unknown limit). */
  waiting: number | undefined;
}

/** The soft "Max open files" of /proc/self/limits, or undefined off Linux. */
export function readOpenFilesLimit(limitsText?: string): number | undefined {
  let text = limitsText;
  if (text === undefined) {
    try {
      text = readFileSync('/proc/self/limits', 'latin1');
    } catch {
      return undefined;
    }
  }
  const m = /^Max open files\s+(\d+|unlimited)\s/m.exec(text);
  if (m === null) return undefined;
  return m[1] === 'unlimited' ? undefined : Number(m[1]);
}

function openDescriptors(): number {
  try {
    return readdirSync('/proc/self/fd').length;
  } catch {
    return 0;
  }
}

/** Descriptors the configuration will hold open whatever the traffic. */
export function configuredDescriptors(model: TruehopModel): number {
  let n = 0;
  for (const fe of model.frontends.values()) n += fe.binds.length + fe.logs.length;
  for (const be of model.backends.values()) for (const s of be.servers) if (s.check.enabled) n++;
  return n + model.global.logs.length + model.global.statsSockets.length;
}

export function descriptorBudget(model: TruehopModel, limit = readOpenFilesLimit(), open = openDescriptors()): DescriptorBudget {
  const reserved = open + configuredDescriptors(model) + RUNTIME_SLACK;
  if (limit === undefined) return { limit, reserved, maxconn: undefined, waiting: undefined };
  const remain = Math.max(0, limit - reserved);
  const maxconn = Math.max(1, Math.floor(remain / (SESSION_FDS + WAITING_SHARE)));
  return { limit, reserved, maxconn, waiting: Math.max(0, remain - maxconn * SESSION_FDS) };
}

/**
 * The global maxconn to run with, and the warning to print when the configured one cannot be
 * met (HAProxy: "FD limit (…) too low for maxconn=…"). Unlike HAProxy, which keeps the
 * configured value and lets accept() fail, truehop lowers it: under Node a failed accept()
 * closes every pending connection, so running out of descriptors must not happen.
 */
export function effectiveMaxconn(configured: number | undefined, budget: DescriptorBudget): { maxconn: number | undefined; warning: string | null } {
  if (budget.maxconn === undefined) return { maxconn: configured, warning: null };
  if (configured === undefined || configured <= 0) return { maxconn: budget.maxconn, warning: null };
  if (configured <= budget.maxconn) return { maxconn: configured, warning: null };
  const needed = budget.reserved + Math.ceil(configured * (SESSION_FDS + WAITING_SHARE));
  return {
    maxconn: budget.maxconn,
    warning: `FD limit (${budget.limit}) too low for maxconn=${configured} (needs about ${needed} descriptors): ` +
      `running with maxconn=${budget.maxconn}; raise 'ulimit-n' (LimitNOFILE=) to ${needed} or more`,
  };
}
