// A snapshot of the statistics of one process, as plain JSON (it crosses the master-worker IPC
// channel), and the sum of several. Taken only when someone asks (the runtime API, the stats
// page, the exporter); the data path never builds one. runtime/collect-stats.ts takes it from
// a running daemon; show-stat.ts and the other outputs read it.

/** Plain numeric counters, summed over workers. */
export type CounterFields = Record<string, number>;

export interface RateSnapshot {
  rate: number;
  max: number;
}

/** What the health checks know of a server (from whoever runs them: the process, or the master). */
export interface CheckSnapshot {
  /** HAProxy's check status name (L4OK, L4CON, L7STS …; INI before the first check). */
  status: string;
  description: string;
  code: number | null;
  durationMs: number | null;
  /** The `info` of the last check (`Connection refused`). */
  info: string;
  health: number;
  rise: number;
  fall: number;
  failedChecks: number;
  downTransitions: number;
  downtimeMs: number;
  /** `disable health` is in effect. */
  disabled: boolean;
}

export interface ServerSnapshot {
  name: string;
  /** HAProxy's server id: declaration order from 1. */
  id: number;
  backup: boolean;
  address: string;
  port: number;
  /** UP, DOWN or MAINT, as the data path sees it. */
  status: string;
  draining: boolean;
  /** Configured weight (iweight), operator weight (uweight). */
  initialWeight: number;
  userWeight: number;
  maxconn: number | null;
  scur: number;
  lastChangeMs: number;
  /** null when the server is not checked (or its checks are not known here). */
  check: CheckSnapshot | null;
  counters: CounterFields;
  rate: RateSnapshot;
}

export interface BackendSnapshot {
  name: string;
  id: number;
  mode: string;
  balance: string;
  maxconn: number | null;
  scur: number;
  qcur: number;
  counters: CounterFields;
  rate: RateSnapshot;
  servers: ServerSnapshot[];
}

export interface CapturedErrorSnapshot {
  reason: string;
  code: string;
  peer: string;
  bind: string;
  atMs: number;
  pid: number;
  /** Hex of the first bytes received. */
  hex: string;
  total: number;
}

export interface ProxyProtocolSnapshot {
  v1: number;
  v2: number;
  cmdProxy: number;
  cmdLocal: number;
  rejections: CounterFields;
  /** Headers per TLV type, non-zero types only (keys are the type in decimal). */
  tlvTypes: CounterFields;
  /** Headers per upstream source address (bounded), and those beyond the bound. */
  hops: CounterFields;
  otherHops: number;
  capturedTotal: number;
  captured: CapturedErrorSnapshot[];
}

export interface FrontendSnapshot {
  name: string;
  id: number;
  mode: string;
  scur: number;
  maxconn: number | null;
  counters: CounterFields;
  rate: RateSnapshot;
  connRate: RateSnapshot;
  proxyProtocol: ProxyProtocolSnapshot;
}

export interface ProcessSnapshot {
  pid: number;
  startedAtMs: number;
  maxconn: number | null;
  /** observe/counters.ts of this process. */
  counters: CounterFields;
  /** Session handles (show sess), at most a bounded number per process. */
  sessions: SessionSnapshot[];
}

export interface SessionSnapshot {
  pid: number;
  frontend: string;
  backend: string | null;
  server: string | null;
  src: string;
  ageMs: number;
}

export interface StatsSnapshot {
  processes: ProcessSnapshot[];
  frontends: FrontendSnapshot[];
  backends: BackendSnapshot[];
}

/** Counter fields whose merge keeps the largest value rather than the sum. */
const KEEP_LARGEST: ReadonlySet<string> = new Set(['lastSessMs']);

function addCounters(into: CounterFields, from: CounterFields): void {
  for (const [k, v] of Object.entries(from)) {
    const had = into[k] ?? 0;
    into[k] = KEEP_LARGEST.has(k) ? Math.max(had, v) : had + v;
  }
}

function addRate(into: RateSnapshot, from: RateSnapshot): void {
  into.rate += from.rate;
  into.max += from.max;
}

/**
 * The sum of several processes' snapshots (workers of one generation: same configuration).
 * Counters and current values add up; maxima (smax, qmax, rate_max) add up too, an upper bound
 * of the true maximum since each worker reached its own at a different moment. States,
 * weights and limits are the first snapshot's (every worker applies the same actions).
 */
export function mergeSnapshots(list: readonly StatsSnapshot[], maxCaptured: number): StatsSnapshot {
  const [first, ...rest] = list;
  if (first === undefined) return { processes: [], frontends: [], backends: [] };
  const out = structuredClone(first);
  for (const s of rest) {
    out.processes.push(...s.processes);
    for (const fe of s.frontends) {
      const into = out.frontends.find((f) => f.name === fe.name);
      if (into === undefined) continue;
      into.scur += fe.scur;
      addCounters(into.counters, fe.counters);
      addRate(into.rate, fe.rate);
      addRate(into.connRate, fe.connRate);
      const pp = into.proxyProtocol;
      const other = fe.proxyProtocol;
      pp.v1 += other.v1;
      pp.v2 += other.v2;
      pp.cmdProxy += other.cmdProxy;
      pp.cmdLocal += other.cmdLocal;
      addCounters(pp.rejections, other.rejections);
      addCounters(pp.tlvTypes, other.tlvTypes);
      addCounters(pp.hops, other.hops);
      pp.otherHops += other.otherHops;
      pp.capturedTotal += other.capturedTotal;
      pp.captured = [...pp.captured, ...other.captured].sort((a, b) => a.atMs - b.atMs).slice(-maxCaptured);
    }
    for (const be of s.backends) {
      const into = out.backends.find((b) => b.name === be.name);
      if (into === undefined) continue;
      into.scur += be.scur;
      into.qcur += be.qcur;
      addCounters(into.counters, be.counters);
      addRate(into.rate, be.rate);
      for (const sv of be.servers) {
        const sInto = into.servers.find((x) => x.name === sv.name);
        if (sInto === undefined) continue;
        sInto.scur += sv.scur;
        addCounters(sInto.counters, sv.counters);
        addRate(sInto.rate, sv.rate);
      }
    }
  }
  return out;
}
