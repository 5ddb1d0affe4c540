// One soak run against one load balancer: a backend farm with faults, the balancer from the
// shared config, a steady mix of clients (clients.ts) kept at a fixed concurrency until a
// time or a connection count is reached, servers killed and restarted one at a time under
// health checks, and the figures an operator asks about afterwards (SoakResult).
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { BackendFarm, type FaultRates } from './backend-farm.js';
import { startBalancer, usageOf, type BalancerName, type Usage } from './balancer-process.js';
import { CLIENT_KINDS, OUTCOME, pickKind, runClient, type ClientKind, type Outcome } from './clients.js';

export interface SoakOptions {
  balancer: BalancerName;
  /** Stop starting clients after this long… */
  durationMs: number;
  /** …or after this many connections, whichever comes first. */
  connections: number;
  concurrency: number;
  /** First port of the 7 the soak uses (LB, accept-proxy listener, 5 servers). */
  basePort: number;
  faults: FaultRates;
  /** Kill one server every this many ms (0: no churn), for `downMs`. */
  churnEveryMs: number;
  downMs: number;
  /** Another truehop build's CLI (dist/src/cli/main.js), for before/after figures. */
  cli?: string;
  /** What the table calls this run (default: the balancer's name). */
  label?: string;
  /** Extra node flags for truehop (e.g. --max-semi-space-size=…). */
  nodeFlags?: readonly string[];
  /** Progress lines on stderr every ~10 s. */
  progress?: boolean;
}

export interface SoakResult {
  label: string;
  connections: number;
  seconds: number;
  outcomes: Record<ClientKind, Record<Outcome, number>>;
  /** Transfers that ended with a clean FIN, short, while the backend injected no fault. */
  lostUnseen: number;
  corrupted: number;
  hung: number;
  /** Sessions a server received while the balancer's health check still had it DOWN. */
  downDeliveries: number;
  restarts: number;
  /** Short transfers that completed: client-side latency, ms. */
  p50: number;
  p99: number;
  before: Usage;
  peak: Usage;
  /** Once every client has ended and the balancer had `settleMs` idle. */
  after: Usage;
  termination: Record<string, number>;
  redispatchedLogLines: number;
  logLines: number;
  /** The balancer's stderr lines that are neither session nor PROXY-error logs (worker exits, alerts). */
  notes: string[];
}

const SERVERS = 5;
const RISE = 2;
/** Idle time before the "after" sample: the session timeouts plus the drain bound, and some. */
const SETTLE_MS = 4000;

function emptyOutcomes(): Record<ClientKind, Record<Outcome, number>> {
  const out = {} as Record<ClientKind, Record<Outcome, number>>;
  for (const k of CLIENT_KINDS) {
    out[k] = {} as Record<Outcome, number>;
    for (const o of Object.values(OUTCOME)) out[k][o] = 0;
  }
  return out;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] as number;
}

export async function runSoak(o: SoakOptions): Promise<SoakResult> {
  const port = o.basePort;
  const proxyPort = o.basePort + 1;
  const serverPorts = Array.from({ length: SERVERS }, (_, i) => o.basePort + 2 + i);
  const farm = await BackendFarm.start(serverPorts, o.faults);
  const lb = await startBalancer(
    o.balancer, { port, proxyPort, serverPorts, rise: RISE, maxconn: Math.max(4000, o.concurrency * 2) }, o.nodeFlags, o.cli,
    (i, up) => farm.servers[i]?.balancerSays(up),
  );
  try {
    // Let the first health checks pass before the load starts.
    await new Promise((r) => setTimeout(r, 600));
    const before = usageOf(lb.pid);
    const peak: Usage = { ...before };
    const sample = setInterval(() => {
      const u = usageOf(lb.pid);
      peak.fds = Math.max(peak.fds, u.fds);
      peak.rssKb = Math.max(peak.rssKb, u.rssKb);
    }, 250);

    // Churn: one server at a time is killed, then restarted `downMs` later.
    let churnTimer: NodeJS.Timeout | null = null;
    let churnIndex = 0;
    const churn = (): void => {
      const victim = farm.servers[churnIndex++ % SERVERS];
      if (victim === undefined || !victim.up) return;
      victim.kill();
      setTimeout(() => void victim.restart(), o.downMs);
    };
    if (o.churnEveryMs > 0) churnTimer = setInterval(churn, o.churnEveryMs);

    const outcomes = emptyOutcomes();
    let lostUnseen = 0;
    const latencies = new Float64Array(Math.min(o.connections, 2_000_000));
    let latencyCount = 0;
    let started = 0;
    const t0 = performance.now();
    const stopAt = t0 + o.durationMs;
    let lastProgress = t0;
    const worker = async (): Promise<void> => {
      while (started < o.connections && performance.now() < stopAt) {
        const id = ++started;
        const r = await runClient(pickKind(), id, port, proxyPort);
        outcomes[r.kind][r.outcome]++;
        if (r.outcome === OUTCOME.TRUNCATED_FIN && !farm.faults.has(id)) lostUnseen++;
        if (r.kind === 'short' && r.outcome === OUTCOME.OK && latencyCount < latencies.length) latencies[latencyCount++] = r.ms;
        farm.faults.delete(id);
        if (o.progress === true && performance.now() - lastProgress > 10_000) {
          lastProgress = performance.now();
          const u = usageOf(lb.pid);
          process.stderr.write(`  ${o.label ?? o.balancer}: ${started} connections, ${((lastProgress - t0) / 1000).toFixed(0)} s, fds ${u.fds}, rss ${(u.rssKb / 1024).toFixed(0)} MB\n`);
        }
      }
    };
    await Promise.all(Array.from({ length: o.concurrency }, worker));
    const seconds = (performance.now() - t0) / 1000;
    if (churnTimer !== null) clearInterval(churnTimer);
    // Every server back up before the idle sample, so the balancer holds no retry for them.
    await new Promise((r) => setTimeout(r, o.downMs + 100));
    for (const s of farm.servers) if (!s.up) await s.restart();
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    clearInterval(sample);
    const after = usageOf(lb.pid);

    const sorted = latencies.subarray(0, latencyCount).sort();
    let corrupted = 0;
    let hung = 0;
    for (const k of CLIENT_KINDS) {
      corrupted += outcomes[k][OUTCOME.CORRUPTED];
      hung += outcomes[k][OUTCOME.HUNG];
    }
    return {
      label: o.label ?? o.balancer,
      connections: started,
      seconds,
      outcomes,
      lostUnseen,
      corrupted,
      hung,
      downDeliveries: farm.downDeliveries(),
      restarts: farm.servers.reduce((n, s) => n + s.restarts, 0),
      p50: percentile(sorted, 0.5),
      p99: percentile(sorted, 0.99),
      before,
      peak,
      after,
      termination: Object.fromEntries([...lb.states].sort((a, b) => b[1] - a[1])),
      redispatchedLogLines: lb.redispatched,
      logLines: lb.logLines,
      notes: lb.otherOutput().split('\n').filter((l) => l !== '' && !/PROXY protocol header|Server be\/s\d+ is |has no server available/.test(l)).slice(0, 20),
    };
  } finally {
    await lb.stop();
    farm.close();
  }
}
