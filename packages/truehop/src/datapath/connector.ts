// Reaching one server (STYLE.md example 9): built once per server with everything that does
// not change per connection (address, timeout connect, the compiled PROXY header builder).
// `connect` opens the upstream connection on the process's transport (transport/transport.ts)
// and, once it is established, writes the PROXY header and the client's first bytes in one go
// (one writev → usually one segment), so a server that reads header + request in one recv sees
// them together, as from HAProxy.
import type { BackendModel, ServerModel } from '../model/config-model.js';
import { recordServerConnection } from '../model/session-context.js';
import type { SessionContext } from '../model/session.js';
import type { ConnectFailure } from './connect-policy.js';
import { compileOutgoingHeader, type HeaderBuilder } from './outgoing-header.js';
import net from 'node:net';
import type { Conn, ConnHandler } from './transport/conn.js';
import { attachHandler, connEndpoints, connectTcp, writeTogether } from './transport/transport.js';
import { LastServerSession, sessionServerName, startServerTls } from './server-tls.js';
import { guardedTimer, type InternalErrorSink } from './internal-error.js';
import { FAULT_AT_CONNECT, injectFault } from './fault-inject.js';

/** The session's side of a connection attempt; what the attempt's code throws goes to its onInternalError. */
export interface ConnectHandler extends InternalErrorSink {
  /** Returns the bytes already received from the client, to send right after the header. */
  takePendingPayload(): readonly Buffer[];
  onConnected(socket: Conn): void;
  onConnectFailed(kind: ConnectFailure, error: Error | null): void;
}

export interface Connector {
  readonly server: ServerModel;
  /**
   * Starts connecting; the returned socket lets the caller abort (destroy) early. With
   * `recordEndpoints` the connection's two ends go into the context (%bi %bp %si %sp).
   */
  connect(ctx: SessionContext, handler: ConnectHandler, recordEndpoints: boolean): Conn;
}

class TcpConnector implements Connector {
  readonly header: HeaderBuilder | undefined;
  private readonly connectTimeoutMs: number;
  /** net.isIP of the server's host, once at load (4, 6; 0 for a name, which net resolves). */
  private readonly hostFamily: number;
  /** The server's own TLV formats may name the connection's ends (%bi … %sp). */
  private readonly headerNeedsEndpoints: boolean;
  /** `ssl-reuse`: the last TLS session to this server, for the next connection. */
  readonly tlsSessions: LastServerSession | undefined;

  constructor(
    readonly server: ServerModel,
    backend: BackendModel,
  ) {
    this.header = compileOutgoingHeader(server);
    this.headerNeedsEndpoints = server.sendProxy === 'v2' && server.tlvFormats.length > 0;
    // Unset `timeout connect` is infinite in HAProxy (with a warning at load time); the OS
    // connect timeout then applies.
    this.connectTimeoutMs = backend.timeouts.connect ?? 0;
    this.hostFamily = net.isIP(server.host);
    this.tlsSessions = server.tls?.reuse === true ? new LastServerSession() : undefined;
  }

  connect(ctx: SessionContext, handler: ConnectHandler, recordEndpoints: boolean): Conn {
    // A TLS server is reached through a net.Socket (tls.connect({socket}) wraps it; its reads
    // come through the TLS layer as 'data' events); a plain one on the process's transport.
    const socket: Conn = this.server.tls === undefined
      ? connectTcp(this.server.host, this.server.port, this.hostFamily)
      : net.connect({ host: this.server.host, port: this.server.port, allowHalfOpen: true, noDelay: true });
    const attempt = new ConnectAttempt(this, socket, ctx, handler, recordEndpoints || this.headerNeedsEndpoints);
    attachHandler(socket, attempt);
    // Nothing is sent or received before the connection is up, so a plain timer is the
    // connect deadline on either transport.
    if (this.connectTimeoutMs > 0) attempt.timer = setTimeout(ConnectAttempt.onTimeout, this.connectTimeoutMs, attempt);
    return socket;
  }
}

/**
 * One connection attempt: the socket's handler until it is connected (then the stream's) or
 * failed. One object with shared methods instead of a handful of closures per connection.
 */
class ConnectAttempt implements ConnHandler {
  private settled = false;
  timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly connector: TcpConnector,
    private readonly socket: Conn,
    private readonly ctx: SessionContext,
    private readonly handler: ConnectHandler,
    private readonly recordEndpoints: boolean,
  ) {}

  static readonly onTimeout = guardedTimer((attempt: ConnectAttempt): void => {
    attempt.fail('timeout', null);
  });

  /** The attempt is over (its session is being reset): nothing of it may act any more. */
  onInternalError(err: unknown): void {
    this.settled = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.handler.onInternalError(err);
  }

  private fail(kind: ConnectFailure, error: Error | null): void {
    if (this.settled) return;
    this.settled = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.socket.destroy();
    this.handler.onConnectFailed(kind, error);
  }

  onConnError(_conn: Conn, err: Error): void {
    this.fail('refused', err);
  }

  onConnDrain(): void {}
  onConnEnd(): void {}
  onConnClose(): void {}

  onConnConnect(): void {
    if (this.settled) return;
    if (FAULT_AT_CONNECT !== null) injectFault(FAULT_AT_CONNECT, 'connect', this.ctx.frontendName);
    const socket = this.socket;
    if (this.recordEndpoints) {
      // Two syscalls (getsockname, getpeername), so only when something will read them.
      const ends = connEndpoints(socket);
      recordServerConnection(this.ctx, ends.local, ends.peer);
    }
    let header: Buffer | undefined;
    try {
      header = this.connector.header?.(this.ctx);
    } catch (err) {
      // A header we cannot encode (should not happen: addresses come from sockets or from a
      // validated header) must not crash the daemon: the session fails like a refused connect.
      this.fail('header', err instanceof Error ? err : new Error(String(err)));
      return;
    }
    const tlsModel = this.connector.server.tls;
    if (tlsModel === undefined) return this.ready(socket, header);
    // The PROXY header goes in clear, then the handshake (HAProxy: send-proxy before TLS);
    // the connect timeout keeps running until the handshake is done. The plain socket keeps
    // this attempt as its handler: once settled, its events change nothing.
    const plain = socket as net.Socket; // TLS servers are always reached through net (above)
    if (header !== undefined) plain.write(header);
    const sessions = this.connector.tlsSessions;
    const secure = startServerTls(plain, tlsModel, sessionServerName(tlsModel, this.ctx), sessions);
    const onError = (err: Error): void => {
      // A failed handshake forgets the session it may have offered (HAProxy does the same).
      try {
        sessions?.forget();
        this.fail('refused', err);
      } catch (bug) {
        this.onInternalError(bug);
      }
    };
    secure.on('error', onError);
    secure.once('secureConnect', () => {
      if (this.settled) return;
      secure.removeListener('error', onError);
      try {
        this.ready(secure, undefined);
      } catch (bug) {
        this.onInternalError(bug);
      }
    });
  }

  /**
   * Connected (and through the handshake): the header (when in clear) and the client's first
   * bytes in one write — one writev → usually one segment — then the stream takes over.
   */
  private ready(stream: Conn, header: Buffer | undefined): void {
    this.settled = true;
    if (this.timer !== null) clearTimeout(this.timer);
    const payload = this.handler.takePendingPayload();
    writeTogether(stream, header === undefined ? payload : [header, ...payload]);
    this.handler.onConnected(stream);
  }
}

export function buildConnector(server: ServerModel, backend: BackendModel): Connector {
  return new TcpConnector(server, backend);
}
