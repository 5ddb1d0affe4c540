// What one connection costs the daemon, measured in-process (issue 11: "per-connection
// allocations counted before and after"): JavaScript heap bytes allocated and CPU time, for a
// plain client and for a client sending a PROXY v2 header to an accept-proxy bind (the server
// always receives send-proxy-v2; each connection sends a small request and reads a small
// answer). The clients and the server run in a child process, so none of their work counts.
//
// With --baseline <other>/packages/truehop/dist (e.g. the old commit built in /tmp/bench-old),
// both builds run side by side in this one process and every figure is taken for both in
// alternating batches, so a loaded, shared machine slows both alike; the table gives medians
// and the median of the paired ratios.
//  * heap bytes: the young generation is made large enough that no garbage collection happens
//    during a batch, so heapUsed after minus before is everything allocated (a batch during
//    which a collection ran is discarded);
//  * CPU: process.cpuUsage() over the batch (8 connections in flight).
//
// Usage: node --expose-gc --max-semi-space-size=256 --min-semi-space-size=256 \
//          packages/truehop/dist/bench/per-connection.js [--baseline <dist>] [--rounds 10] [--batch 1000]
import process from 'node:process';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    baseline: { type: 'string' },
    rounds: { type: 'string', default: '10' },
    batch: { type: 'string', default: '1000' },
  },
});
const ROUNDS = Number(args.rounds);
const BATCH = Number(args.batch);
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with --expose-gc and a large young generation (see the usage line)');

interface Daemon { listening: Map<string, { port: number }[]>; stop(ms: number): Promise<void> }
async function startFrom(dist: string, text: string): Promise<Daemon> {
  const { loadConfigText } = (await import(pathToFileURL(join(dist, 'src/config/load-config.js')).href)) as {
    loadConfigText: (s: { file: string; text: string }[]) => { ok: boolean; model: unknown };
  };
  const { startDaemon } = (await import(pathToFileURL(join(dist, 'src/runtime/run.js')).href)) as {
    startDaemon: (m: unknown, o: unknown) => Promise<Daemon>;
  };
  const loaded = loadConfigText([{ file: 'per-connection.cfg', text }]);
  if (!loaded.ok) throw new Error(`config did not load with ${dist}`);
  return startDaemon(loaded.model, { stdout: process.stdout, stderr: process.stderr });
}

// The child: a server answering each connection once, and a client that runs `n` connections
// (8 in flight) on command.
const CHILD = `
import net from 'node:net';
const server = net.createServer((s) => { s.on('error', () => {}); s.once('data', () => s.end('HTTP/1.0 200 OK\\r\\n\\r\\nok')); });
server.listen(0, '127.0.0.1', () => process.stdout.write(JSON.stringify({ port: server.address().port }) + '\\n'));
// PROXY v2 TCP4 192.0.2.10:1234 -> 198.51.100.7:443
const header = Buffer.from('0d0a0d0a000d0a515549540a2111000cc000020ac633640704d201bb', 'hex');
process.stdin.on('data', async (line) => {
  const { port, n, proxy } = JSON.parse(line.toString());
  let started = 0, done = 0;
  await new Promise((finish) => {
    const one = () => {
      started++;
      const c = net.connect(port, '127.0.0.1', () => c.end(proxy ? Buffer.concat([header, Buffer.from('GET /\\r\\n\\r\\n')]) : 'GET /\\r\\n\\r\\n'));
      c.on('data', () => {});
      c.on('error', () => {});
      c.on('close', () => { done++; if (done === n) finish(); else if (started < n) one(); });
    };
    for (let i = 0; i < 8 && started < n; i++) one();
  });
  process.stdout.write(JSON.stringify({ done: n }) + '\\n');
});
`;
const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD], { stdio: ['pipe', 'pipe', 'inherit'] });
const lines: string[] = [];
let wake: (() => void) | null = null;
child.stdout.setEncoding('utf8').on('data', (d: string) => {
  lines.push(...d.split('\n').filter((l) => l !== ''));
  wake?.();
});
async function nextLine(): Promise<Record<string, number>> {
  while (lines.length === 0) await new Promise<void>((r) => (wake = r));
  return JSON.parse(lines.shift() as string) as Record<string, number>;
}
const serverPort = (await nextLine())['port'] as number;
const config = `defaults\n  mode tcp\n  timeout connect 5s\n  timeout client 30s\n  timeout server 30s\n` +
  `frontend plain\n  bind 127.0.0.1:0\n  default_backend be\n` +
  `frontend proxied\n  bind 127.0.0.1:0 accept-proxy\n  default_backend be\n` +
  `backend be\n  server s1 127.0.0.1:${serverPort} send-proxy-v2\n`;

const builds: Record<string, Daemon> = { current: await startFrom(fileURLToPath(new URL('..', import.meta.url)), config) };
if (args.baseline !== undefined) builds['baseline'] = await startFrom(args.baseline, config);

let collections = 0;
new PerformanceObserver((list) => (collections += list.getEntries().length)).observe({ entryTypes: ['gc'] });

const SCENARIOS = [['plain', false], ['proxied', true]] as const;
type Figures = Record<string, { bytes: number[]; cpuMicros: number[] }>;
const results: Record<string, Figures> = {};

async function batch(build: string, frontend: string, proxy: boolean, n: number, record: boolean): Promise<void> {
  const port = builds[build]?.listening.get(frontend)?.[0]?.port as number;
  gc?.();
  await new Promise((r) => setTimeout(r, 20));
  collections = 0;
  const heapBefore = process.memoryUsage().heapUsed;
  const cpuBefore = process.cpuUsage();
  child.stdin.write(JSON.stringify({ port, n, proxy }) + '\n');
  await nextLine();
  // The last sessions' close events, then the figures.
  await new Promise((r) => setTimeout(r, 50));
  const cpu = process.cpuUsage(cpuBefore);
  const heapAfter = process.memoryUsage().heapUsed;
  await new Promise((r) => setImmediate(r));
  if (!record) return;
  const figures = ((results[build] ??= {})[frontend] ??= { bytes: [], cpuMicros: [] });
  if (collections === 0) figures.bytes.push((heapAfter - heapBefore) / n);
  figures.cpuMicros.push((cpu.user + cpu.system) / n);
}

const names = Object.keys(builds);
for (const name of names) for (const [fe, proxy] of SCENARIOS) await batch(name, fe, proxy, 300, false); // warm-up
for (let round = 0; round < ROUNDS; round++) {
  const order = round % 2 === 0 ? names : [...names].reverse();
  for (const name of order) for (const [fe, proxy] of SCENARIOS) await batch(name, fe, proxy, BATCH, true);
}
for (const d of Object.values(builds)) await d.stop(100);
child.kill();

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : (s[s.length >> 1] as number);
};
const out = [`| per connection (median of ${ROUNDS} batches of ${BATCH}) | current |${args.baseline !== undefined ? ' baseline | paired ratio current / baseline |' : ''}`,
  `|---|---:|${args.baseline !== undefined ? '---:|---:|' : ''}`];
for (const [fe] of SCENARIOS) {
  for (const key of ['bytes', 'cpuMicros'] as const) {
    const cur = results['current']?.[fe]?.[key] ?? [];
    const base = results['baseline']?.[fe]?.[key] ?? [];
    const paired = cur.slice(0, base.length).map((v, i) => v / (base[i] as number));
    const label = `${fe}: ${key === 'bytes' ? 'JS heap bytes' : 'CPU µs'}`;
    out.push(`| ${label} | ${median(cur).toFixed(0)} |${args.baseline !== undefined ? ` ${median(base).toFixed(0)} | ${median(paired).toFixed(3)} |` : ''}`);
  }
}
process.stdout.write(out.join('\n') + '\n');
process.exit(0);
