// Takes a StatsSnapshot (observe/stats-snapshot.ts) from a running daemon's objects: the
// counters the data path keeps (observe/proxy-stats.ts), the live values it holds (current
// sessions, queue, weights, states) and, where this process runs the checks, the health
// monitor's view. Runs only when asked (runtime API, stats page, exporter).
import process from 'node:process';
import type { RuntimeBackend } from '../datapath/runtime-backend.js';
import type { RuntimeFrontend, SessionHandle } from '../datapath/frontend.js';
import type { RuntimeServer } from '../datapath/runtime-server.js';
import type { ServerHealthSnapshot } from '../health/monitor.js';
import type { Counters } from '../observe/counters.js';
import type { ProxyProtocolStats, RateCounter } from '../observe/proxy-stats.js';
import type {
  BackendSnapshot, CheckSnapshot, CounterFields, FrontendSnapshot, ProxyProtocolSnapshot, RateSnapshot, ServerSnapshot, SessionSnapshot, StatsSnapshot,
} from '../observe/stats-snapshot.js';
import type { TruehopModel } from '../model/config-model.js';

/** Sessions listed by `show sess` per process at most: the answer stays small under a flood. */
export const MAX_LISTED_SESSIONS = 1000;

export interface StatsSources {
  readonly model: TruehopModel;
  readonly frontends: readonly RuntimeFrontend[];
  readonly backends: ReadonlyMap<string, RuntimeBackend>;
  readonly counters: Counters;
  readonly sessions: ReadonlySet<SessionHandle>;
  readonly startedAtMs: number;
  /** The health monitor's view when this process runs the checks. */
  readonly health: (() => ServerHealthSnapshot[]) | null;
}

/** The numeric own fields of a counters object (nested objects such as rate counters are left out). */
function numericFields(o: object): CounterFields {
  const out: CounterFields = {};
  for (const [k, v] of Object.entries(o)) if (typeof v === 'number') out[k] = v;
  return out;
}

const rateOf = (r: RateCounter, now: number): RateSnapshot => ({ rate: r.read(now), max: r.max });

/**
 * HAProxy numbers every proxy in declaration order (`iid`); a `listen` is one proxy. The first
 * user proxy is 2 in HAProxy 2.6 (1 is taken by an internal one), so the ids match its output.
 */
export function proxyIds(model: TruehopModel): Map<string, number> {
  const all = [...model.frontends.values(), ...model.backends.values()]
    .sort((a, b) => a.pos.file.localeCompare(b.pos.file) || a.pos.line - b.pos.line);
  const ids = new Map<string, number>();
  for (const p of all) if (!ids.has(p.name)) ids.set(p.name, ids.size + 2);
  return ids;
}

export function checkSnapshotOf(h: ServerHealthSnapshot): CheckSnapshot | null {
  if (!h.checked) return null;
  const last = h.lastCheck;
  return {
    status: last?.status ?? 'INI',
    description: last?.description ?? 'Initializing',
    code: last?.code ?? null,
    durationMs: last?.durationMs ?? null,
    info: last?.info ?? '',
    health: h.health,
    rise: h.rise,
    fall: h.fall,
    failedChecks: h.failedChecks,
    downTransitions: h.downTransitions,
    downtimeMs: h.downtimeMs,
    disabled: h.checksDisabled,
  };
}

/** Puts the health monitor's view (checks, last change) into a snapshot's servers. */
export function overlayHealth(snapshot: StatsSnapshot, health: readonly ServerHealthSnapshot[]): void {
  for (const h of health) {
    const server = snapshot.backends.find((b) => b.name === h.backend)?.servers.find((s) => s.name === h.server);
    if (server === undefined) continue;
    server.check = checkSnapshotOf(h);
    server.lastChangeMs = h.lastChangeAtMs;
    server.status = h.status;
  }
}

function proxyProtocolOf(pp: ProxyProtocolStats): ProxyProtocolSnapshot {
  const tlvTypes: CounterFields = {};
  pp.tlvTypes.forEach((n, type) => {
    if (n > 0) tlvTypes[String(type)] = n;
  });
  return {
    v1: pp.v1,
    v2: pp.v2,
    cmdProxy: pp.cmdProxy,
    cmdLocal: pp.cmdLocal,
    rejections: { ...pp.rejections },
    tlvTypes,
    hops: Object.fromEntries(pp.hops),
    otherHops: pp.otherHops,
    capturedTotal: pp.capturedTotal,
    captured: pp.captured().map((e) => ({
      reason: e.reason, code: e.code, peer: e.peer, bind: e.bind, atMs: e.atMs, pid: process.pid, hex: e.bytes.toString('hex'), total: e.total,
    })),
  };
}

function serverOf(s: RuntimeServer, startedAtMs: number, now: number): ServerSnapshot {
  return {
    name: s.name,
    id: s.index + 1,
    backup: s.model.backup,
    address: s.model.host,
    port: s.model.port,
    status: s.status,
    draining: s.draining,
    initialWeight: s.model.weight,
    userWeight: s.userWeight,
    maxconn: s.maxconn ?? null,
    scur: s.active,
    lastChangeMs: startedAtMs,
    check: null,
    counters: numericFields(s.stats),
    rate: rateOf(s.stats.sessRate, now),
  };
}

/**
 * The backend's `slim` as HAProxy shows it: its maxconn, else its default `fullconn` (a tenth of
 * the maxconn of the frontends that can reach it, rounded up). truehop does not throttle with
 * fullconn (no dynamic server maxconn); the value is shown so the column means what it means there.
 */
function backendLimit(model: TruehopModel, backend: RuntimeBackend): number | null {
  if (backend.model.maxconn !== undefined) return backend.model.maxconn;
  let total = 0;
  for (const fe of model.frontends.values()) {
    if (fe.binds.length === 0) continue;
    const reaches = fe.defaultBackend === backend.model || fe.useBackends.some((u) => u.backend === backend.model);
    if (reaches) total += fe.maxconn ?? model.global.maxconn ?? 0;
  }
  return total > 0 ? Math.floor((total + 9) / 10) : null;
}

function backendOf(b: RuntimeBackend, model: TruehopModel, ids: Map<string, number>, startedAtMs: number, now: number): BackendSnapshot {
  return {
    name: b.name,
    id: ids.get(b.name) ?? 0,
    mode: b.model.mode,
    balance: b.model.balance,
    maxconn: backendLimit(model, b),
    scur: b.active,
    qcur: b.queueLength,
    counters: numericFields(b.stats),
    rate: rateOf(b.stats.sessRate, now),
    servers: b.servers.map((s) => serverOf(s, startedAtMs, now)),
  };
}

function frontendOf(fe: RuntimeFrontend, ids: Map<string, number>, now: number): FrontendSnapshot {
  return {
    name: fe.name,
    id: ids.get(fe.name) ?? 0,
    mode: fe.model.mode,
    scur: fe.active,
    maxconn: fe.gate.limit ?? null,
    counters: numericFields(fe.stats),
    rate: rateOf(fe.stats.sessRate, now),
    connRate: rateOf(fe.stats.connRate, now),
    proxyProtocol: proxyProtocolOf(fe.proxyProtocol),
  };
}

export function collectStats(src: StatsSources): StatsSnapshot {
  const now = Date.now();
  const ids = proxyIds(src.model);
  const sessions: SessionSnapshot[] = [];
  for (const h of src.sessions) {
    if (sessions.length >= MAX_LISTED_SESSIONS) break;
    const d = h.describe();
    sessions.push({ pid: process.pid, ...d, ageMs: now - d.acceptedAtMs });
  }
  const snapshot: StatsSnapshot = {
    processes: [{ pid: process.pid, startedAtMs: src.startedAtMs, maxconn: src.model.global.maxconn ?? null, counters: { ...src.counters }, sessions }],
    frontends: src.frontends.map((fe) => frontendOf(fe, ids, now)),
    backends: [...src.backends.values()].map((b) => backendOf(b, src.model, ids, src.startedAtMs, now)),
  };
  if (src.health !== null) overlayHealth(snapshot, src.health());
  return snapshot;
}
