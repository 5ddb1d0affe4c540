// The floor for a Node TCP proxy with PROXY v2 out: accept (paused), connect, one writev of
// header + first bytes, forward both ways with backpressure — no rules, no balancer, no
// timeouts, no logs, no counters. Profiling truehop against this separates truehop's own work
// from Node's per-socket cost (net.Socket/stream construction, connect, close).
//
// Usage: node packages/truehop/dist/bench/node-floor.js <listen-port> <upstream-port>
// (loopback only), then point wrk at it as lb-vs-haproxy does.
import net from 'node:net';
import { encode } from '@truehop/proxy-protocol';

const listenPort = Number(process.argv[2]);
const upstreamPort = Number(process.argv[3]);

const server = net.createServer({ pauseOnConnect: true, allowHalfOpen: true, noDelay: true }, (client) => {
  const header = encode({
    version: 2,
    src: client.remoteAddress as string,
    srcPort: client.remotePort as number,
    dst: client.localAddress as string,
    dstPort: client.localPort as number,
  });
  const pending: Buffer[] = [];
  const upstream = net.connect({ host: '127.0.0.1', port: upstreamPort, allowHalfOpen: true, noDelay: true });
  let connected = false;
  client.on('data', (chunk: Buffer) => {
    if (!connected) pending.push(chunk);
    else if (!upstream.write(chunk)) client.pause();
  });
  upstream.on('connect', () => {
    connected = true;
    upstream.cork();
    upstream.write(header);
    for (const p of pending) upstream.write(p);
    upstream.uncork();
  });
  upstream.on('data', (chunk: Buffer) => {
    if (!client.write(chunk)) upstream.pause();
  });
  upstream.on('drain', () => client.resume());
  client.on('drain', () => upstream.resume());
  client.on('end', () => upstream.end());
  upstream.on('end', () => client.end());
  client.on('error', () => upstream.destroy());
  upstream.on('error', () => client.destroy());
  client.on('close', () => upstream.destroy());
  upstream.on('close', () => client.destroy());
  client.resume();
});
server.listen(listenPort, '127.0.0.1', () => process.stderr.write(`node-floor listening on 127.0.0.1:${listenPort}\n`));
process.on('SIGTERM', () => process.exit(0));
