// The floor's whole data path, shared by node-floor.ts (plain TCP) and tls-floor.ts (TLS
// termination): connect upstream, one corked write of PROXY v2 header + first bytes, forward
// both ways with backpressure — no rules, no balancer, no timeouts, no logs, no counters.
import net from 'node:net';
import { floorHeader } from './floor-header.js';

/** Forwards `client` (a net.Socket or a TLSSocket, already accepted) to 127.0.0.1:`upstreamPort`. */
export function forwardWithProxyHeader(client: net.Socket, upstreamPort: number): void {
  // Reset before we got here (a client that quit right after its handshake): no addresses.
  const header = floorHeader(client);
  if (header === null) {
    client.destroy();
    return;
  }
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
}
