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
import type { Conn } from './transport/conn.js';
import { connEndpoints, connectTcp, writeTogether } from './transport/transport.js';
import { LastServerSession, sessionServerName, startServerTls } from './server-tls.js';

export interface ConnectHandler {
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

function ignoreError(): void {}

class TcpConnector implements Connector {
  private readonly header: HeaderBuilder | undefined;
  private readonly connectTimeoutMs: number;
  /** The server's own TLV formats may name the connection's ends (%bi … %sp). */
  private readonly headerNeedsEndpoints: boolean;
  /** `ssl-reuse`: the last TLS session to this server, for the next connection. */
  private readonly tlsSessions: LastServerSession | undefined;

  constructor(
    readonly server: ServerModel,
    backend: BackendModel,
  ) {
    this.header = compileOutgoingHeader(server);
    this.headerNeedsEndpoints = server.sendProxy === 'v2' && server.tlvFormats.length > 0;
    // Unset `timeout connect` is infinite in HAProxy (with a warning at load time); the OS
    // connect timeout then applies.
    this.connectTimeoutMs = backend.timeouts.connect ?? 0;
    this.tlsSessions = server.tls?.reuse === true ? new LastServerSession() : undefined;
  }

  connect(ctx: SessionContext, handler: ConnectHandler, recordEndpoints: boolean): Conn {
    // A TLS server is reached through a net.Socket (tls.connect({socket}) wraps it; its reads
    // come through the TLS layer as 'data' events); a plain one on the process's transport.
    const socket: Conn = this.server.tls === undefined
      ? connectTcp(this.server.host, this.server.port)
      : net.connect({ host: this.server.host, port: this.server.port, allowHalfOpen: true, noDelay: true });
    let settled = false;
    let timer: NodeJS.Timeout | null = null;
    const fail = (kind: ConnectFailure, error: Error | null): void => {
      if (settled) return;
      settled = true;
      if (timer !== null) clearTimeout(timer);
      socket.removeListener('connect', onConnect);
      socket.destroy();
      handler.onConnectFailed(kind, error);
    };
    const onError = (err: Error): void => fail('refused', err);
    const onTimeout = (): void => fail('timeout', null);
    const onConnect = (): void => {
      if (settled) return;
      if (recordEndpoints || this.headerNeedsEndpoints) {
        // Two syscalls (getsockname, getpeername), so only when something will read them.
        const ends = connEndpoints(socket);
        recordServerConnection(ctx, ends.local, ends.peer);
      }
      let header: Buffer | undefined;
      try {
        header = this.header?.(ctx);
      } catch (err) {
        // A header we cannot encode (should not happen: addresses come from sockets or from a
        // validated header) must not crash the daemon: the session fails like a refused connect.
        fail('header', err instanceof Error ? err : new Error(String(err)));
        return;
      }
      const tlsModel = this.server.tls;
      if (tlsModel === undefined) return ready(socket, header);
      // The PROXY header goes in clear, then the handshake (HAProxy: send-proxy before TLS);
      // the connect timeout keeps running until the handshake is done.
      const plain = socket as net.Socket; // TLS servers are always reached through net (above)
      if (header !== undefined) plain.write(header);
      const sessions = this.tlsSessions;
      const secure = startServerTls(plain, tlsModel, sessionServerName(tlsModel, ctx), sessions);
      // A failed handshake forgets the session it may have offered (HAProxy does the same).
      const onTlsError = sessions === undefined ? onError : (err: Error): void => {
        sessions.forget();
        onError(err);
      };
      secure.on('error', onTlsError);
      secure.once('secureConnect', () => {
        if (settled) return;
        secure.removeListener('error', onTlsError);
        // From now on the TLS socket reports the connection's errors; the stream listens there.
        socket.on('error', ignoreError);
        ready(secure, undefined);
      });
    };
    // Connected (and through the handshake): the header (when in clear) and the client's
    // first bytes in one write — cork → one writev → usually one segment — then the stream.
    const ready = (stream: Conn, header: Buffer | undefined): void => {
      settled = true;
      if (timer !== null) clearTimeout(timer);
      socket.removeListener('error', onError);
      const payload = handler.takePendingPayload();
      writeTogether(stream, header === undefined ? payload : [header, ...payload]);
      handler.onConnected(stream);
    };
    socket.once('connect', onConnect);
    socket.on('error', onError);
    // Nothing is sent or received before the connection is up, so a plain timer is the
    // connect deadline on either transport.
    if (this.connectTimeoutMs > 0) timer = setTimeout(onTimeout, this.connectTimeoutMs);
    return socket;
  }
}

export function buildConnector(server: ServerModel, backend: BackendModel): Connector {
  return new TcpConnector(server, backend);
}
