// The floor for a Node TCP proxy with PROXY v2 out: accept (paused), connect, one writev of
// header + first bytes, forward both ways with backpressure — no rules, no balancer, no
// timeouts, no logs, no counters. Profiling truehop against this separates truehop's own work
// from Node's per-socket cost (net.Socket/stream construction, connect, close).
//
// Usage: node packages/truehop/dist/bench/node-floor.js <listen-port> <upstream-port>
// (loopback only), then point wrk at it as lb-vs-haproxy does.
import process from 'node:process';
import net from 'node:net';
import { forwardWithProxyHeader } from './floor-forward.js';

const listenPort = Number(process.argv[2]);
const upstreamPort = Number(process.argv[3]);

const server = net.createServer({ pauseOnConnect: true, allowHalfOpen: true, noDelay: true }, (client) => forwardWithProxyHeader(client, upstreamPort));
server.listen(listenPort, '127.0.0.1', () => process.stderr.write(`node-floor listening on 127.0.0.1:${listenPort}\n`));
process.on('SIGTERM', () => process.exit(0));
