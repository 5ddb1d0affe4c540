// Per-server counters, each described once here (STYLE.md §11): the README table and any
// exporter read this same list.
import type { RejectCode } from './errors.js';
import { REJECT_CODES } from './errors.js';

export const STATS_FIELDS = {
  connections: 'connections accepted by the server (before the header is read)',
  waiting: 'connections currently waiting for their header (a gauge)',
  proxied: 'connections whose header carried the client addresses (they now report them)',
  local: 'connections with a LOCAL, v1 UNKNOWN, v2 UNSPEC or UNIX header (real addresses kept)',
  direct: "connections served without a header (mode 'optional' only)",
  rejected: 'connections refused, all reasons together (each closed, the listener keeps going)',
  rejectedBy: 'connections refused, per reject code (every code present, 0 when unseen)',
  vanished:
    "connections reset before their peer address could be read (HAProxy's health checks do this): closed, not refusals, never passed to onReject",
} as const;

export interface ProxyStats {
  connections: number;
  waiting: number;
  proxied: number;
  local: number;
  direct: number;
  rejected: number;
  rejectedBy: Record<RejectCode, number>;
  vanished: number;
}

export function createStats(): ProxyStats {
  const rejectedBy = {} as Record<RejectCode, number>;
  for (const code of REJECT_CODES) rejectedBy[code] = 0;
  return { connections: 0, waiting: 0, proxied: 0, local: 0, direct: 0, rejected: 0, rejectedBy, vanished: 0 };
}

/** A frozen copy: callers can keep it as a snapshot and compare later. */
export function snapshotStats(stats: ProxyStats): Readonly<ProxyStats> {
  return Object.freeze({ ...stats, rejectedBy: Object.freeze({ ...stats.rejectedBy }) });
}
