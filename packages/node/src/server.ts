// acceptProxyProtocol(): put a PROXY-header reader in front of any net.Server — http, https,
// tls, http2 (plain and secure) — without patching a method of the server or the socket.
// One job per module (see README "How it works"):
// - connection-listeners.ts: the server's 'connection' listeners go behind one gate;
// - gate.ts: per connection, admission (trusted peer?) and header reading (read-header.ts);
//   the socket then reports the header's addresses (socket-info.ts);
// - tls-handoff.ts: a TLS server's TLSSocket inherits from the raw socket it wraps;
// - http2-handoff.ts: an http2 session and its socket answer getProxyInfo().
import process from 'node:process';
import { Server } from 'node:net';
import { Server as TlsServer } from 'node:tls';
import { ProxyServerError } from './errors.js';
import { HeldConnectionListeners } from './connection-listeners.js';
import { createGate } from './gate.js';
import { linkHttp2Sessions } from './http2-handoff.js';
import { compilePolicy } from './policy.js';
import type { AcceptProxyOptions } from './policy.js';
import { createStats, snapshotStats } from './stats.js';
import type { ProxyStats } from './stats.js';
import { passHeadersToTlsSockets } from './tls-handoff.js';

const statsByServer = new WeakMap<Server, ProxyStats>();

/**
 * Makes `server` read a PROXY header (v1 or v2, auto-detected) at the start of every
 * connection, before anything else touches the socket, and returns the same server.
 * Call it before or after `listen()`. See AcceptProxyOptions for `trusted`, `mode`,
 * `headerTimeoutMs`, `maxHeaderBytes` and `onReject`.
 */
export function acceptProxyProtocol<S extends Server>(server: S, options?: AcceptProxyOptions): S {
  if (!(server instanceof Server)) {
    throw new ProxyServerError('NOT_A_SERVER', 'acceptProxyProtocol(server): server must be a net.Server (http, https, tls and http2 servers are)');
  }
  if (statsByServer.has(server)) {
    throw new ProxyServerError('ALREADY_ACCEPTING', 'acceptProxyProtocol() was already called on this server');
  }
  const policy = compilePolicy(options);
  if (policy.mode === 'optional' && policy.isTrusted === null) {
    // Optional mode without a trusted list believes a header from any client that can reach
    // the port: anyone may choose the address the application sees (spoofing).
    process.emitWarning(
      "acceptProxyProtocol: mode 'optional' without 'trusted' lets any client choose the address the application sees; set options.trusted",
      { code: 'TRUEHOP_OPTIONAL_WITHOUT_TRUSTED' },
    );
  }
  // Everything that can refuse the call runs before the server is touched.
  if (server instanceof TlsServer) passHeadersToTlsSockets(server);
  const stats = createStats();
  statsByServer.set(server, stats);
  const listeners = new HeldConnectionListeners(server);
  listeners.putBehind(createGate({ server, policy, stats, listeners }));
  linkHttp2Sessions(server);
  return server;
}

/** Counters for a server given to acceptProxyProtocol() (a frozen snapshot), else undefined. */
export function getStats(server: Server): Readonly<ProxyStats> | undefined {
  const stats = statsByServer.get(server);
  return stats === undefined ? undefined : snapshotStats(stats);
}
