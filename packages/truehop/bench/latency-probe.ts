// Fixed-rate latency probe for the LB benchmark: autocannon with keep-alive connections at a
// constant overall request rate (not a closed loop, so the LB's latency is measured under a
// moderate load rather than at saturation). Prints {"p50": ms, "p99": ms}.
import process from 'node:process';
import { createRequire } from 'node:module';

interface AutocannonResult {
  latency: { p50: number; p99: number };
}
type Autocannon = (opts: { url: string; connections: number; overallRate: number; duration: number }) => Promise<AutocannonResult>;

// autocannon ships no type declarations; this is the slice of its API used here.
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

const [port, rate, seconds] = process.argv.slice(2).map(Number);
const result = await autocannon({
  url: `http://127.0.0.1:${port}/`,
  connections: 16,
  overallRate: rate as number,
  duration: seconds as number,
});
process.stdout.write(JSON.stringify({ p50: result.latency.p50, p99: result.latency.p99 }));
