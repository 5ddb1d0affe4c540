// Which transport carries plain TCP connections, decided once per process at start-up, and
// the few operations whose code differs between the two (everything else is the Conn
// contract, conn.ts):
//  * raw: libuv handles driven directly (raw-conn.ts), when the self-test passed;
//  * socket: net.Socket, Node's public API. It stays for everything the raw transport does
//    not cover (TLS to servers, server names that need a DNS lookup) and is the fallback.
// TRUEHOP_TRANSPORT=socket forces net.Socket; TRUEHOP_TRANSPORT=raw insists on the raw one (a
// failing self-test is then a start-up error, not a fallback); unset, raw when its self-test
// passes, else socket (and the caller logs why, once).
// ssl binds follow the transport: on raw, OpenSSL's TLSWrap over the raw handle (raw-tls.ts)
// when its own self-test passes (tls-self-test.ts), else tls.TLSSocket (logged once);
// TRUEHOP_TLS=socket keeps tls.TLSSocket on the raw transport.
import process from 'node:process';
import net from 'node:net';
import tls from 'node:tls';
import { socketEndpoint } from '../../model/session-context.js';
import type { Endpoint } from '../../model/session.js';
import { attachReader, UPSTREAM_ONREAD, type SocketReader } from '../reused-read-buffers.js';
import type { Conn, ConnHandler, TransportName } from './conn.js';
import { takeOverAccepts } from './raw-accept.js';
import { RawConn, rawConnect } from './raw-conn.js';
import { loadLibuvBindings } from './libuv.js';
import { RawTlsConn, rawTlsEnabled } from './raw-tls.js';
import { selfTestRawTransport } from './self-test.js';
import { selfTestRawTls } from './tls-self-test.js';

export const TRANSPORT_ENV = 'TRUEHOP_TRANSPORT';
export const TLS_TRANSPORT_ENV = 'TRUEHOP_TLS';

export interface TransportChoice {
  readonly name: TransportName;
  /** Why the socket transport is used although nobody asked for it (the self-test failed); else null. */
  readonly fallbackReason: string | null;
  /** What carries ssl binds: raw TLS (TLSWrap on the raw handle) or tls.TLSSocket. */
  readonly tls: TransportName;
  /** Why ssl binds use tls.TLSSocket on the raw transport although nobody asked (its self-test failed); else null. */
  readonly tlsFallbackReason: string | null;
}

let choice: Promise<TransportChoice> | null = null;
let current: TransportName = 'socket';

/**
 * Decides the transport for this process (once; later calls get the same answer).
 * `selfTest` is replaceable so a test can make it fail.
 */
export function chooseTransport(
  env: NodeJS.ProcessEnv = process.env,
  selfTest: () => Promise<string | null> = selfTestRawTransport,
  tlsSelfTest: () => Promise<string | null> = defaultTlsSelfTest,
): Promise<TransportChoice> {
  choice ??= decide(env, selfTest, tlsSelfTest);
  return choice;
}

function defaultTlsSelfTest(): Promise<string | null> {
  const uv = loadLibuvBindings();
  return typeof uv === 'string' ? Promise.resolve(uv) : selfTestRawTls(uv);
}

async function decide(
  env: NodeJS.ProcessEnv, selfTest: () => Promise<string | null>, tlsSelfTest: () => Promise<string | null>,
): Promise<TransportChoice> {
  const asked = env[TRANSPORT_ENV];
  const onSocket = { name: 'socket', tls: 'socket', tlsFallbackReason: null } as const;
  if (asked === 'socket') return { ...onSocket, fallbackReason: null };
  if (asked !== undefined && asked !== '' && asked !== 'raw') {
    return { ...onSocket, fallbackReason: `${TRANSPORT_ENV}=${asked} is neither raw nor socket` };
  }
  const failure = await selfTest();
  if (failure !== null && asked === 'raw') throw new Error(`${TRANSPORT_ENV}=raw, but the raw transport self-test failed: ${failure}`);
  if (failure !== null) return { ...onSocket, fallbackReason: `raw transport self-test failed: ${failure}` };
  current = 'raw';
  const tlsAsked = env[TLS_TRANSPORT_ENV];
  if (tlsAsked === 'socket') return { name: 'raw', fallbackReason: null, tls: 'socket', tlsFallbackReason: null };
  const tlsFailure = tlsAsked !== undefined && tlsAsked !== '' && tlsAsked !== 'raw'
    ? `${TLS_TRANSPORT_ENV}=${tlsAsked} is neither raw nor socket`
    : await tlsSelfTest();
  if (tlsFailure !== null || !rawTlsEnabled()) {
    return { name: 'raw', fallbackReason: null, tls: 'socket', tlsFallbackReason: `raw TLS self-test failed: ${tlsFailure ?? 'bindings not installed'}` };
  }
  return { name: 'raw', fallbackReason: null, tls: 'raw', tlsFallbackReason: null };
}

/** True when the listener of an ssl bind hands raw connections to the session (raw TLS runs). */
export function rawTlsRuns(): boolean {
  return current === 'raw' && rawTlsEnabled();
}

/** The transport chosen for this process ('socket' until chooseTransport decided). */
export function transportName(): TransportName {
  return current;
}

/**
 * Opens a plain TCP connection to a server on this process's transport, for the data path:
 * raw for an IP address (`family`: net.isIP of `host`, which the caller knows from load), net.Socket
 * otherwise (a host name needs net's DNS lookup). Half-open
 * (each direction's FIN is forwarded on its own); server sockets of the socket transport read
 * into reused memory through net's public `onread` option.
 */
export function connectTcp(host: string, port: number, family: number): Conn {
  if (current === 'raw') {
    if (family === 4 || family === 6) return rawConnect(host, port, family);
  }
  return connectSocket(host, port, true);
}

/**
 * The net.Socket connect both users share: the data path's socket transport (half-open, reads
 * into reused memory) and the health checks (which read a capped answer through 'data'
 * events and close after it, so neither half-open nor `onread` applies). No Nagle delay:
 * a PROXY header or a check request goes out at once.
 */
export function connectSocket(host: string, port: number, forwarding: boolean): net.Socket {
  return forwarding
    ? net.connect({ host, port, allowHalfOpen: true, noDelay: true, onread: UPSTREAM_ONREAD })
    : net.connect({ host, port, noDelay: true });
}

/** A connected connection's two ends (getsockname, getpeername: one syscall each), null if gone. */
export function connEndpoints(conn: Conn): { local: Endpoint | null; peer: Endpoint | null } {
  return { local: localEndpoint(conn), peer: peerEndpoint(conn) };
}

/** The connection's peer (getpeername), null if it is gone; raw: the transport's own object. */
export function peerEndpoint(conn: Conn): Endpoint | null {
  if (conn instanceof RawConn) return conn.endpoint(true);
  return socketEndpoint(conn.remoteAddress, conn.remotePort, conn.remoteFamily);
}

/** Our end of the connection (getsockname), null if it is gone; raw: the transport's own object. */
export function localEndpoint(conn: Conn): Endpoint | null {
  if (conn instanceof RawConn) return conn.endpoint(false);
  return socketEndpoint(conn.localAddress, conn.localPort, conn.localFamily);
}

const kHandler = Symbol('truehop.connHandler');
type HandledSocket = net.Socket & { [kHandler]?: ConnHandler | undefined };

// One set of listener functions for every net.Socket with a handler: the socket (`this`) leads
// to its handler, so attaching one costs no closure. What a handler throws is an internal
// error of its session (internal-error.ts): it goes back to that handler instead of out of
// emit() to the event loop, which would end the process.
function routed<A>(deliver: (h: ConnHandler, socket: HandledSocket, arg: A) => void): (this: HandledSocket, arg: A) => void {
  return function (this: HandledSocket, arg: A): void {
    const h = this[kHandler];
    if (h === undefined) return;
    try {
      deliver(h, this, arg);
    } catch (err) {
      h.onInternalError(err);
    }
  };
}
const onSocketConnect = routed<void>((h, s) => h.onConnConnect(s));
const onSocketDrain = routed<void>((h, s) => h.onConnDrain(s));
const onSocketEnd = routed<void>((h, s) => h.onConnEnd(s));
const onSocketError = routed<Error>((h, s, e) => h.onConnError(s, e));
const onSocketClose = routed<boolean>((h, s, hadError) => h.onConnClose(s, hadError));

/**
 * Makes `handler` the one owner of `conn`'s events (conn.ts), replacing the previous one. A
 * RawConn or RawTlsConn calls it directly; a net.Socket gets the shared listeners once, which route to
 * whichever handler is current. While attached, a socket's errors never go unhandled.
 */
export function attachHandler(conn: Conn, handler: ConnHandler): void {
  if (conn instanceof RawConn || conn instanceof RawTlsConn) {
    conn.handler = handler;
    return;
  }
  const socket = conn as HandledSocket;
  const listening = socket[kHandler] !== undefined;
  socket[kHandler] = handler;
  if (listening) return;
  socket.on('connect', onSocketConnect);
  socket.on('drain', onSocketDrain);
  socket.on('end', onSocketEnd);
  socket.on('error', onSocketError);
  socket.on('close', onSocketClose);
}

/** `conn` has no handler any more; a socket loses the listeners (catch its errors otherwise). */
export function detachHandler(conn: Conn): void {
  if (conn instanceof RawConn || conn instanceof RawTlsConn) {
    conn.handler = null;
    return;
  }
  const socket = conn as HandledSocket;
  if (socket[kHandler] === undefined) return;
  socket[kHandler] = undefined;
  socket.removeListener('connect', onSocketConnect);
  socket.removeListener('drain', onSocketDrain);
  socket.removeListener('end', onSocketEnd);
  socket.removeListener('error', onSocketError);
  socket.removeListener('close', onSocketClose);
}

/** The handler attached to `conn`, if any. */
export function handlerOf(conn: Conn): ConnHandler | null {
  if (conn instanceof RawConn || conn instanceof RawTlsConn) return conn.handler;
  return (conn as HandledSocket)[kHandler] ?? null;
}

/**
 * Where a connection's reads go: reused memory either way (raw: always; socket: `onread`); a
 * RawTlsConn's cleartext, each read a fresh buffer of TLSWrap's.
 */
export function setReader(conn: Conn, reader: SocketReader): void {
  if (conn instanceof RawConn || conn instanceof RawTlsConn) conn.reader = reader;
  else attachReader(conn as net.Socket, reader);
}

/** The net.Socket behind `conn` (socket transport), or null for a raw connection. */
export function socketOf(conn: Conn): net.Socket | null {
  return conn instanceof net.Socket ? conn : null;
}

/** True when `conn` delivers its reads to a reader rather than as 'data' events. */
export function readsIntoReader(conn: Conn): boolean {
  return conn instanceof RawConn || conn instanceof RawTlsConn;
}

/**
 * Closes `conn` at once with a TCP reset (SO_LINGER 0: RST instead of FIN, unsent bytes
 * dropped), as HAProxy kills a connection; 'close' follows as after destroy(). A connection
 * whose FIN is already queued, or a TLS stream over node:tls (no TCP handle of its own), is
 * destroyed instead.
 */
export function resetConn(conn: Conn): void {
  if (conn.destroyed) return;
  if (conn instanceof RawConn || conn instanceof RawTlsConn) {
    conn.resetAndDestroy();
    return;
  }
  if (conn instanceof net.Socket && !(conn instanceof tls.TLSSocket) && !conn.writableEnded && !conn.connecting) {
    conn.resetAndDestroy();
    return;
  }
  conn.destroy();
}

/** Sends `chunks` as one write (one writev: header and first bytes in one segment). */
export function writeTogether(conn: Conn, chunks: readonly Uint8Array[]): void {
  if (chunks.length === 0) return;
  if (conn instanceof RawConn) {
    conn.writev(chunks);
    return;
  }
  const socket = conn as net.Socket;
  socket.cork();
  for (const chunk of chunks) socket.write(chunk);
  socket.uncork();
}

/**
 * After `server` listens: on the raw transport its accepted connections go to `onConn` as
 * RawConns; on the socket transport, when `rawAllowed` is false (a listener whose connections
 * go to Node's HTTP parser), or if the take-over is impossible, as net.Sockets through its
 * 'connection' event.
 */
export function acceptInto(server: net.Server, onConn: (conn: Conn) => void, rawAllowed = true): TransportName {
  if (current === 'raw' && rawAllowed && takeOverAccepts(server, onConn)) return 'raw';
  server.on('connection', onConn);
  return 'socket';
}
