// JavaScript heap bytes the daemon allocates per connection (issue 11: "per-connection
// allocations counted before and after"). The daemon runs in this process with a young
// generation large enough that no garbage collection happens during the measurement, so
// heapUsed after minus heapUsed before is everything allocated; the clients and the server run
// in a child process, so none of their allocations count. Scenarios: a plain client, and a
// client sending a PROXY v2 header to an accept-proxy bind; the server always receives
// send-proxy-v2; each connection sends a small request and reads a small answer.
//
// Usage: node --expose-gc --max-semi-space-size=256 --min-semi-space-size=256 \
//          packages/truehop/dist/bench/alloc-per-connection.js [--dist <other>/packages/truehop/dist] [--connections 2000]
// --dist measures another build (e.g. the old commit in /tmp/bench-old) with the same harness.
import { spawn } from 'node:child_process';
import { PerformanceObserver } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    dist: { type: 'string', default: fileURLToPath(new URL('..', import.meta.url)) },
    connections: { type: 'string', default: '2000' },
  },
});
const DIST = String(args.dist);
const N = Number(args.connections);
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with --expose-gc (see the usage line)');

interface Loaded { ok: boolean; model: unknown }
const { loadConfigText } = (await import(pathToFileURL(join(DIST, 'src/config/load-config.js')).href)) as {
  loadConfigText: (s: { file: string; text: string }[]) => Loaded;
};
const { startDaemon } = (await import(pathToFileURL(join(DIST, 'src/runtime/run.js')).href)) as {
  startDaemon: (m: unknown, o: unknown) => Promise<{ listening: Map<string, { port: number }[]>; stop(ms: number): Promise<void> }>;
};

// The child: a server that answers each connection once, and a client loop on command.
const CHILD = `
import net from 'node:net';
const server = net.createServer((s) => { s.on('error', () => {}); s.once('data', () => s.end('HTTP/1.0 200 OK\\r\\n\\r\\nok')); });
server.listen(0, '127.0.0.1', () => process.stdout.write(JSON.stringify({ port: server.address().port }) + '\\n'));
const header = Buffer.from('0d0a0d0a000d0a515549540a2111000cc000020ac633640704d201bb', 'hex');
process.stdin.on('data', async (line) => {
  const { port, n, proxy } = JSON.parse(line.toString());
  for (let i = 0; i < n; i++) {
    await new Promise((resolve) => {
      const c = net.connect(port, '127.0.0.1', () => c.end(proxy ? Buffer.concat([header, Buffer.from('GET /\\r\\n\\r\\n')]) : 'GET /\\r\\n\\r\\n'));
      c.on('data', () => {});
      c.on('error', resolve);
      c.on('close', resolve);
    });
  }
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

const loaded = loadConfigText([{
  file: 'alloc.cfg',
  text: `defaults\n  mode tcp\n  timeout connect 5s\n  timeout client 30s\n  timeout server 30s\n` +
    `frontend plain\n  bind 127.0.0.1:0\n  default_backend be\n` +
    `frontend proxied\n  bind 127.0.0.1:0 accept-proxy\n  default_backend be\n` +
    `backend be\n  server s1 127.0.0.1:${serverPort} send-proxy-v2\n`,
}]);
if (!loaded.ok) throw new Error('config did not load');
const daemon = await startDaemon(loaded.model, { stdout: process.stdout, stderr: process.stderr });

let collections = 0;
new PerformanceObserver((list) => (collections += list.getEntries().length)).observe({ entryTypes: ['gc'] });

async function run(frontend: string, proxy: boolean, n: number): Promise<void> {
  const port = daemon.listening.get(frontend)?.[0]?.port as number;
  child.stdin.write(JSON.stringify({ port, n, proxy }) + '\n');
  await nextLine();
  // Let the last sessions end (their close events) before reading the heap.
  await new Promise((r) => setTimeout(r, 200));
}

const results: Record<string, number> = {};
for (const [name, proxy] of [['plain', false], ['proxied', true]] as const) {
  await run(name, proxy, 200); // warm-up: JIT, pools, hidden classes
  gc();
  await new Promise((r) => setTimeout(r, 50));
  collections = 0;
  const before = process.memoryUsage().heapUsed;
  await run(name, proxy, N);
  const after = process.memoryUsage().heapUsed;
  // A collection during the run would hide allocations: the figure is then not given.
  await new Promise((r) => setImmediate(r));
  results[name] = collections === 0 ? Math.round((after - before) / N) : NaN;
}
await daemon.stop(100);
child.kill();
process.stdout.write(`${JSON.stringify({ dist: DIST, connections: N, bytesPerConnection: results })}\n`);
process.exit(0);
