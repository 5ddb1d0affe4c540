// acceptProxyProtocol(): put a PROXY-header reader in front of any net.Server — http, https,
// tls, http2 (plain and secure) — without patching a method of the server or the socket.
//
// How it works (see README "How it works"):
// 1. Every net.Server hands a new socket to its 'connection' listeners; that is where http
//    installs its parser, tls.Server wraps the socket in a TLSSocket, and http2 starts a
//    session. acceptProxyProtocol() takes those listeners off the event and keeps them in its
//    own list; its single 'connection' listener (the gate) reads the header first and then
//    calls them, in order, with the same socket. Listeners added later are moved behind the
//    gate too (in a microtask, which always runs before the next connection can be emitted).
//    So nothing touches a socket before its header is read: for TLS, not even the handshake.
// 2. The header comes off with the codec's incremental decoder (read-header.ts); the bytes
//    after it are unshifted, so the server reads exactly what followed the header.
// 3. The socket then reports the header's addresses (socket-info.ts). A TLSSocket asks the
//    TCP handle, not the JS socket, for its addresses, so the TLSSocket the application sees
//    gets the same accessors when tls.Server announces it ('secureConnection' or
//    'tlsClientError'): it is matched to its raw socket by the real TCP 4-tuple, which is
//    unique among open connections, instead of reaching into TLSSocket internals.
import { Server } from 'node:net';
import type { Socket } from 'node:net';
import { Server as TlsServer } from 'node:tls';
import type { TLSSocket } from 'node:tls';
import type { ProxyProtocolError } from '@truehop/proxy-protocol';
import { ProxyServerError, rejection } from './errors.js';
import { headerChannel, publishHeader, publishReject, rejectChannel } from './diagnostics.js';
import { admit, compilePolicy } from './policy.js';
import type { AcceptProxyOptions, Policy, RejectEvent } from './policy.js';
import { readHeader } from './read-header.js';
import type { ReadHeaderResult } from './read-header.js';
import { advertisedEndpoints, applyEndpoints, getProxyInfo as infoOf, recordProxyInfo } from './socket-info.js';
import type { Endpoints, ProxyInfo } from './socket-info.js';
import { createStats, snapshotStats } from './stats.js';
import type { ProxyStats } from './stats.js';

type ConnectionListener = (this: Server, socket: Socket) => unknown;

interface GatedListener {
  readonly fn: ConnectionListener;
  readonly once: boolean;
}

/** What a TLSSocket inherits from its raw socket once tls.Server announces it. */
interface Inherited {
  readonly info: ProxyInfo;
  readonly endpoints: Endpoints | null;
}

interface ServerState {
  readonly server: Server;
  readonly policy: Policy;
  readonly stats: ProxyStats;
  /** The server's own 'connection' listeners, now called by the gate after the header. */
  readonly listeners: GatedListener[];
  readonly gate: (socket: Socket) => void;
  /** tls.Server only: raw connections handed over, by real 4-tuple, until their TLSSocket shows up. */
  readonly pendingTls: Map<string, Inherited> | null;
  /** The connection being handed over right now: links an http2 'session' event to its header. */
  handing: Inherited | undefined;
  adoptScheduled: boolean;
  requestHooked: boolean;
}

const states = new WeakMap<Server, ServerState>();

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
  if (states.has(server)) {
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

  const state: ServerState = {
    server,
    policy,
    stats: createStats(),
    listeners: [],
    gate: (socket) => onConnection(state, socket),
    pendingTls: server instanceof TlsServer ? new Map() : null,
    handing: undefined,
    adoptScheduled: false,
    requestHooked: false,
  };
  states.set(server, state);

  adoptConnectionListeners(state);
  server.on('connection', state.gate);
  server.on('newListener', (event: string | symbol) => {
    if (event !== 'connection' || state.adoptScheduled) return;
    state.adoptScheduled = true;
    queueMicrotask(() => {
      state.adoptScheduled = false;
      adoptConnectionListeners(state);
    });
  });

  if (state.pendingTls !== null) {
    // Prepended: the TLSSocket reports the client before any application listener sees it.
    server.prependListener('secureConnection', (tlsSocket: TLSSocket) => {
      state.handing = inheritTls(state, tlsSocket);
    });
    server.prependListener('tlsClientError', (_error: Error, tlsSocket: TLSSocket) => {
      inheritTls(state, tlsSocket);
    });
    // Appended: runs after http2's own 'secureConnection' listener has created the session.
    server.on('secureConnection', () => {
      state.handing = undefined;
    });
  }
  // http2 (plain and secure) emits 'session' synchronously while its connection listener runs;
  // other servers never emit it. The session and its `socket` proxy get the same info so that
  // getProxyInfo(session) and getProxyInfo(session.socket) work.
  server.on('session', (session: object) => onSession(state, session));
  return server;
}

/** Counters for a server given to acceptProxyProtocol() (a frozen snapshot), else undefined. */
export function getStats(server: Server): Readonly<ProxyStats> | undefined {
  const state = states.get(server);
  return state === undefined ? undefined : snapshotStats(state.stats);
}

function adoptConnectionListeners(state: ServerState): void {
  const { server } = state;
  for (const raw of server.rawListeners('connection')) {
    if (raw === state.gate) continue;
    // `once` listeners are stored wrapped; the wrapper exposes the original as `.listener`.
    const original = (raw as { listener?: ConnectionListener }).listener;
    server.removeListener('connection', raw as ConnectionListener);
    state.listeners.push(
      original === undefined ? { fn: raw as ConnectionListener, once: false } : { fn: original, once: true },
    );
  }
}

function onConnection(state: ServerState, socket: Socket): void {
  const { policy, stats } = state;
  stats.connections++;
  if (socket.destroyed) {
    // Torn down before we saw it (e.g. by another 'connection' listener prepended ahead of us):
    // no 'close' will come to end a header wait, so account for it now.
    refuse(state, socket, { address: undefined, port: undefined, family: undefined }, rejection('ABORT', 'the connection was closed before its header could be read'));
    return;
  }
  // The real TCP peer, read before any accessor can shadow it: trust is decided on it, and it
  // is what getProxyInfo() reports as the proxy.
  const peer = { address: socket.remoteAddress, port: socket.remotePort, family: socket.remoteFamily };
  if (peer.address === undefined && policy.isTrusted !== null && typeof state.server.address() !== 'string') {
    // A TCP socket whose peer address cannot be read was reset before we got to it (HAProxy
    // closes its health-check connections with a RST right after the header). Nothing can be
    // trusted or served; calling it UNTRUSTED_SOURCE would cry "spoofing" in the logs.
    refuse(state, socket, peer, rejection('ABORT', 'the connection was reset before its peer address could be read'));
    return;
  }
  const admission = admit(policy, peer.address);
  if (admission === 'reject') {
    // Require mode and not a trusted sender: such a peer can never be served, so nothing is
    // read from it at all (spoofing attempt or misrouted client; §4.1 fails closed).
    refuse(state, socket, peer, rejection('UNTRUSTED_SOURCE', 'the peer is not a trusted sender of PROXY headers'));
    return;
  }
  stats.waiting++;
  readHeader(
    socket,
    { maxHeaderBytes: policy.maxHeaderBytes, timeoutMs: policy.headerTimeoutMs, allowPlain: admission !== 'header' },
    (result: ReadHeaderResult) => {
      stats.waiting--;
      if (result.kind === 'reject') {
        refuse(state, socket, peer, result.error);
        return;
      }
      if (result.kind === 'plain') {
        stats.direct++;
        // Give back what was read, in order, in front of anything still buffered.
        for (let i = result.replay.length - 1; i >= 0; i--) socket.unshift(result.replay[i] as Buffer);
        handOver(state, socket, undefined);
        return;
      }
      if (admission === 'plain-only') {
        // A valid header from a peer outside `trusted`: never believed, never passed on as
        // data either (the application would parse "PROXY …" as a request).
        refuse(state, socket, peer, rejection('UNTRUSTED_SOURCE', 'a PROXY header came from a peer that is not a trusted sender'));
        return;
      }
      const info: ProxyInfo = Object.freeze({ header: result.header, proxy: Object.freeze(peer) });
      const endpoints = advertisedEndpoints(result.header);
      let pendingKey: string | undefined;
      if (state.pendingTls !== null) pendingKey = tupleKey(socket); // the real 4-tuple, before shadowing
      recordProxyInfo(socket, info);
      if (endpoints === null) {
        stats.local++;
      } else {
        stats.proxied++;
        applyEndpoints(socket, endpoints);
      }
      if (headerChannel.hasSubscribers) publishHeader({ server: state.server, socket, info });
      if (result.rest.length > 0) socket.unshift(result.rest);
      const inherited: Inherited = { info, endpoints };
      if (pendingKey !== undefined) {
        const pending = state.pendingTls as Map<string, Inherited>;
        pending.set(pendingKey, inherited);
        socket.once('close', () => pending.delete(pendingKey));
      }
      handOver(state, socket, inherited);
    },
  );
}

function handOver(state: ServerState, socket: Socket, inherited: Inherited | undefined): void {
  const { listeners, server } = state;
  state.handing = inherited;
  try {
    if (listeners.length === 1 && !(listeners[0] as GatedListener).once) {
      (listeners[0] as GatedListener).fn.call(server, socket);
    } else {
      // A copy: a listener may add or remove listeners while we iterate (EventEmitter does the same).
      for (const listener of listeners.slice()) {
        if (listener.once) listeners.splice(listeners.indexOf(listener), 1);
        listener.fn.call(server, socket);
      }
    }
  } finally {
    // On a TLS server the http2 session appears later, at 'secureConnection' (inheritTls).
    state.handing = undefined;
  }
}

/** Gives a TLSSocket what its raw socket learnt from the header; returns it (undefined: none). */
function inheritTls(state: ServerState, tlsSocket: TLSSocket | undefined): Inherited | undefined {
  const pending = state.pendingTls as Map<string, Inherited>;
  if (tlsSocket === undefined || pending.size === 0) return undefined;
  const key = tupleKey(tlsSocket);
  if (key === undefined) return undefined;
  const inherited = pending.get(key);
  if (inherited === undefined) return undefined; // sent no header (optional mode)
  pending.delete(key);
  recordProxyInfo(tlsSocket, inherited.info);
  if (inherited.endpoints !== null) applyEndpoints(tlsSocket, inherited.endpoints);
  return inherited;
}

function onSession(state: ServerState, session: object): void {
  const inherited = state.handing;
  if (inherited === undefined) return;
  recordProxyInfo(session, inherited.info);
  const socket = (session as { socket?: object }).socket;
  if (typeof socket === 'object' && socket !== null) recordProxyInfo(socket, inherited.info);
  // The compatibility API's `req.socket` is a per-stream proxy object; record it as each
  // request starts — only when the server has a 'request' listener, because adding the first
  // one is what switches an http2 server into compatibility mode.
  const { server } = state;
  if (!state.requestHooked && server.listenerCount('request') > 0) {
    state.requestHooked = true;
    server.prependListener('request', (req: { stream?: { session?: object }; socket?: object }) => {
      const owner = req.stream?.session;
      if (owner === undefined) return; // HTTP/1.1 fallback (allowHTTP1): req.socket is the real socket
      const info = infoOf(owner);
      if (info !== undefined && req.socket !== undefined) recordProxyInfo(req.socket, info);
    });
  }
}

/** The real TCP 4-tuple, or undefined for a socket without IP endpoints (UNIX listener). */
function tupleKey(socket: Socket): string | undefined {
  const remoteAddress = socket.remoteAddress;
  const localAddress = socket.localAddress;
  if (remoteAddress === undefined || localAddress === undefined) return undefined;
  return `${remoteAddress}|${socket.remotePort}|${localAddress}|${socket.localPort}`;
}

function refuse(state: ServerState, socket: Socket, peer: RejectEvent['peer'], error: ProxyProtocolError): void {
  // Only this connection: never the listener, never the process (§4.1 closes the connection).
  socket.destroy();
  const { stats, policy } = state;
  stats.rejected++;
  stats.rejectedBy[error.code]++;
  const hook = policy.onReject;
  if (hook === null && !rejectChannel.hasSubscribers) return;
  const event: RejectEvent = { server: state.server, code: error.code, error, peer };
  if (rejectChannel.hasSubscribers) publishReject(event);
  if (hook !== null) {
    try {
      hook(event);
    } catch (hookError) {
      // An observer's bug must not take the listener down with it; make it loud instead.
      process.emitWarning(
        `acceptProxyProtocol: onReject threw: ${hookError instanceof Error ? hookError.message : String(hookError)}`,
        { code: 'TRUEHOP_ON_REJECT_THREW' },
      );
    }
  }
}
