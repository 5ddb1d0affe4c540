// `npm run soak`: what truehop survives, and HAProxy 2.6 beside it with the same config.
//
//   npm run soak -- [--seconds 60] [--connections N] [--concurrency 64] [--haproxy]
//                   [--only truehop|haproxy] [--no-churn] [--json out.json]
//
// Runs truehop, then (with --haproxy) HAProxy, each for the same time or connection count with
// the same client mix (clients.ts) and backend faults (backend-farm.ts), and prints one table
// with the two side by side. Loopback only, ports 61660–61666.
import process from 'node:process';
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { CLIENT_KINDS, OUTCOME } from './clients.js';
import { runSoak, type SoakOptions, type SoakResult } from './soak.js';

export const SOAK_BASE_PORT = 61660;

export const DEFAULT_FAULTS = { closeEarly: 0.01, reset: 0.01, stall: 0.002 };

/**
 * A killed server comes back after this long: longer than `fall 2` × `inter 200` (so its
 * balancer marks it DOWN) and shorter than the 1 s turn-around, so a retry that waits for the
 * same server lands while it is back but not yet UP again (`rise 2`) — the window in which a
 * balancer that retries a DOWN server gets caught.
 */
export const SOAK_DOWN_MS = 800;
/** One server is killed every this many ms. */
export const SOAK_CHURN_EVERY_MS = 3000;

function row(label: string, values: readonly (string | number)[]): string {
  return label.padEnd(34) + values.map((v) => String(v).padStart(16)).join('');
}

export function formatTable(results: readonly SoakResult[]): string {
  const lines: string[] = [];
  const mb = (kb: number): string => (kb < 0 ? '?' : `${(kb / 1024).toFixed(1)} MB`);
  lines.push(row('', results.map((r) => r.label)));
  lines.push(row('connections', results.map((r) => r.connections)));
  lines.push(row('seconds', results.map((r) => r.seconds.toFixed(1))));
  lines.push(row('connections/s', results.map((r) => (r.connections / r.seconds).toFixed(0))));
  lines.push(row('corrupted transfers', results.map((r) => r.corrupted)));
  lines.push(row('lost, unseen by the client', results.map((r) => r.lostUnseen)));
  lines.push(row('hung clients', results.map((r) => r.hung)));
  lines.push(row('delivered to a DOWN server', results.map((r) => r.downDeliveries)));
  lines.push(row('server restarts', results.map((r) => r.restarts)));
  lines.push(row('short transfer p50 (ms)', results.map((r) => r.p50.toFixed(1))));
  lines.push(row('short transfer p99 (ms)', results.map((r) => r.p99.toFixed(1))));
  lines.push(row('descriptors before/peak/after', results.map((r) => `${r.before.fds}/${r.peak.fds}/${r.after.fds}`)));
  lines.push(row('RSS before', results.map((r) => mb(r.before.rssKb))));
  lines.push(row('RSS peak', results.map((r) => mb(r.peak.rssKb))));
  lines.push(row('RSS after', results.map((r) => mb(r.after.rssKb))));
  lines.push(row('log lines (redispatched "+")', results.map((r) => `${r.logLines} (${r.redispatchedLogLines})`)));
  lines.push('client outcomes');
  for (const k of CLIENT_KINDS) {
    for (const o of Object.values(OUTCOME)) {
      if (results.some((r) => r.outcomes[k][o] > 0)) lines.push(row(`  ${k}: ${o}`, results.map((r) => r.outcomes[k][o])));
    }
  }
  const states = [...new Set(results.flatMap((r) => Object.keys(r.termination)))].sort();
  lines.push('termination states (%ts)');
  for (const s of states) lines.push(row(`  ${s}`, results.map((r) => r.termination[s] ?? 0)));
  for (const r of results) {
    if (r.notes.length > 0) lines.push(`${r.label} said:\n  ${r.notes.join('\n  ')}`);
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const { values: a } = parseArgs({
    options: {
      seconds: { type: 'string', default: '60' },
      connections: { type: 'string', default: String(Number.MAX_SAFE_INTEGER) },
      concurrency: { type: 'string', default: '64' },
      haproxy: { type: 'boolean', default: false },
      only: { type: 'string' },
      'no-churn': { type: 'boolean', default: false },
      json: { type: 'string' },
      'node-flags': { type: 'string', default: '' },
      // An older truehop build run first, e.g. <main worktree>/packages/truehop/dist/src/cli/main.js.
      baseline: { type: 'string' },
    },
  });
  const balancers = a.only !== undefined ? [a.only as SoakOptions['balancer']] : a.haproxy ? ['truehop', 'haproxy'] as const : ['truehop'] as const;
  const results: SoakResult[] = [];
  process.stderr.write(`load before: ${loadavg().map((l) => l.toFixed(2)).join(' ')}\n`);
  const runs: { balancer: SoakOptions['balancer']; label: string; cli?: string }[] = balancers.map((b) => ({ balancer: b, label: b }));
  if (a.baseline !== undefined) runs.unshift({ balancer: 'truehop', label: 'baseline', cli: a.baseline });
  for (const { balancer, label, cli } of runs) {
    process.stderr.write(`soak: ${label}…\n`);
    results.push(await runSoak({
      balancer,
      label,
      ...(cli !== undefined ? { cli } : {}),
      durationMs: Number(a.seconds) * 1000,
      connections: Number(a.connections),
      concurrency: Number(a.concurrency),
      basePort: SOAK_BASE_PORT,
      faults: DEFAULT_FAULTS,
      churnEveryMs: a['no-churn'] ? 0 : SOAK_CHURN_EVERY_MS,
      downMs: SOAK_DOWN_MS,
      nodeFlags: a['node-flags'] === '' ? [] : a['node-flags'].split(' '),
      progress: true,
    }));
  }
  process.stdout.write(formatTable(results) + '\n');
  process.stderr.write(`load after: ${loadavg().map((l) => l.toFixed(2)).join(' ')}\n`);
  if (a.json !== undefined) writeFileSync(a.json, JSON.stringify(results, null, 2));
}

if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/^.*\//, '/'))) await main();
