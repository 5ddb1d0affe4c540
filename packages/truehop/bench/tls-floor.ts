// The floor for a Node TLS-terminating proxy (issue 14): the cheapest `tls.createServer` with
// the bench's certificate and TLS settings (TLS 1.3 only, Node's defaults otherwise: session
// tickets on, curves 'auto'), forwarding each established session to the upstream with a
// PROXY v2 header exactly as node-floor does. What it costs per handshake is what Node's
// TLSSocket + OpenSSL cost; truehop above it is truehop's own work.
//
// Usage: node packages/truehop/dist/bench/tls-floor.js <tls-port> <upstream-port> <pem> [<plain-port>]
// (loopback only). <pem>: certificate and key in one file (HAProxy's crt layout). <plain-port>
// also serves plain TCP (node-floor's path), so the bench's plain warm-up and cases run too.
import process from 'node:process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { forwardWithProxyHeader } from './floor-forward.js';

const tlsPort = Number(process.argv[2]);
const upstreamPort = Number(process.argv[3]);
const pem = readFileSync(String(process.argv[4]));
const plainPort = process.argv[5] === undefined ? undefined : Number(process.argv[5]);

const server = tls.createServer({ key: pem, cert: pem, minVersion: 'TLSv1.3', allowHalfOpen: true, noDelay: true }, (client) =>
  forwardWithProxyHeader(client, upstreamPort),
);
// A failed handshake only closes that connection (as in truehop).
server.on('tlsClientError', () => {});
server.listen(tlsPort, '127.0.0.1', () => process.stderr.write(`tls-floor listening on 127.0.0.1:${tlsPort}\n`));
if (plainPort !== undefined) {
  net.createServer({ pauseOnConnect: true, allowHalfOpen: true, noDelay: true }, (client) => forwardWithProxyHeader(client, upstreamPort)).listen(plainPort, '127.0.0.1');
}
process.on('SIGTERM', () => process.exit(0));
