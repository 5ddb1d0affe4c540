// Where the latency tail at a moderate fixed rate comes from (issue 11: "p99 at 2,000 req/s —
// find where the tail comes from: GC, timers, logging"). The daemon runs in this process
// under the same shape as `npm run bench` (keep-alive HTTP through a frontend, send-proxy-v2 to
// the server), a child process runs the server and the fixed-rate load (the bench's autocannon
// probe), and this process records, during the load: every garbage collection (kind,
// duration), the event loop's delay histogram (what any timer or I/O callback waits), and the
// share of wall time spent in GC. With `--log` each session also writes a log line (stdout to
// /dev/null through the daemon's own sink) to see what logging adds.
//
// Usage: node packages/truehop/dist/bench/tail-sources.js [--rate 2000] [--seconds 10] [--log]
import process from 'node:process';
import { spawn } from 'node:child_process';
import { monitorEventLoopDelay, performance, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { createWriteStream } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadConfigText } from '../src/config/load-config.js';
import { startDaemon } from '../src/runtime/run.js';

const { values: args } = parseArgs({
  options: {
    rate: { type: 'string', default: '2000' },
    seconds: { type: 'string', default: '10' },
    log: { type: 'boolean', default: false },
  },
});
const PROBE = fileURLToPath(new URL('./latency-probe.js', import.meta.url));

// A keep-alive HTTP server that skips the PROXY v2 header truehop sends first.
const SERVER = `
import net from 'node:net';
const ANSWER = Buffer.from('HTTP/1.1 200 OK\\r\\nContent-Length: 3\\r\\n\\r\\nok\\n');
const server = net.createServer((s) => {
  s.on('error', () => {});
  let skip = -1;
  let tail = '';
  s.on('data', (chunk) => {
    if (skip < 0) { skip = 16 + chunk.readUInt16BE(14); }
    if (skip > 0) { const n = Math.min(skip, chunk.length); skip -= n; chunk = chunk.subarray(n); }
    const text = tail + chunk.toString('latin1');
    const parts = text.split('\\r\\n\\r\\n');
    tail = parts.pop();
    for (let i = 0; i < parts.length; i++) s.write(ANSWER);
  });
});
server.listen(0, '127.0.0.1', () => process.stdout.write(String(server.address().port)));
`;
const server = spawn(process.execPath, ['--input-type=module', '-e', SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
const serverPort = await new Promise<number>((resolve) => server.stdout.once('data', (d: Buffer) => resolve(Number(d.toString()))));

const loaded = loadConfigText([{
  file: 'tail.cfg',
  text: `global\n  maxconn 9000\n${args.log ? '  log stdout format raw local0\n' : ''}defaults\n  mode tcp\n${args.log ? '  log global\n  option tcplog\n' : ''}` +
    `  timeout connect 5s\n  timeout client 300s\n  timeout server 300s\n` +
    `frontend fe\n  bind 127.0.0.1:0\n  default_backend be\nbackend be\n  server s1 127.0.0.1:${serverPort} send-proxy-v2\n`,
}]);
if (!loaded.ok) throw new Error('config did not load');
const sink = createWriteStream('/dev/null');
const daemon = await startDaemon(loaded.model, { stdout: sink, stderr: process.stderr });
const port = daemon.listening.get('fe')?.[0]?.port as number;

const gcs: { kind: number; ms: number }[] = [];
const observer = new PerformanceObserver((list) => {
  for (const e of list.getEntries() as (PerformanceEntry & { detail?: { kind?: number } })[]) gcs.push({ kind: e.detail?.kind ?? 0, ms: e.duration });
});
observer.observe({ entryTypes: ['gc'] });
const loop = monitorEventLoopDelay({ resolution: 1 });
loop.enable();
const started = performance.now();
const probe = spawn(process.execPath, [PROBE, String(port), String(args.rate), String(args.seconds)], { stdio: ['ignore', 'pipe', 'inherit'] });
let out = '';
probe.stdout.on('data', (d: Buffer) => (out += d.toString()));
await new Promise((r) => probe.once('exit', r));
const wallMs = performance.now() - started;
loop.disable();
observer.disconnect();
await daemon.stop(100);
server.kill();

// PerformanceEntry gc kinds: 1 minor (scavenge), 2 major, 4 incremental, 8 weak callbacks.
const minor = gcs.filter((g) => g.kind === 1);
const other = gcs.filter((g) => g.kind !== 1);
const sum = (xs: { ms: number }[]): number => xs.reduce((a, g) => a + g.ms, 0);
const max = (xs: { ms: number }[]): number => xs.reduce((a, g) => Math.max(a, g.ms), 0);
const ns = (v: number): number => Math.round(v / 1e3) / 1e3; // ns → ms, 3 decimals
process.stdout.write(`${JSON.stringify({
  rate: Number(args.rate), log: args.log, latencyMs: JSON.parse(out) as unknown,
  gc: {
    minor: { count: minor.length, totalMs: Math.round(sum(minor)), maxMs: Math.round(max(minor) * 100) / 100, meanMs: Math.round((sum(minor) / Math.max(1, minor.length)) * 100) / 100 },
    other: { count: other.length, totalMs: Math.round(sum(other)), maxMs: Math.round(max(other) * 100) / 100 },
    shareOfWallPct: Math.round((sum(gcs) / wallMs) * 1000) / 10,
  },
  eventLoopDelayMs: { p50: ns(loop.percentile(50)), p99: ns(loop.percentile(99)), max: ns(loop.max) },
})}\n`);
process.exit(0);
