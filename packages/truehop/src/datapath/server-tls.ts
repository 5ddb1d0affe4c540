// TLS on top of an established TCP connection to a server (`server … ssl`, `check-ssl`): the
// one seam between reaching a server and encrypting to it. The connector (or a check) opens
// the TCP connection and writes any PROXY header in clear first, as HAProxy does; then this
// wraps the socket with tls.connect({ socket }). Any transport that yields a net.Socket-like
// duplex (a future raw libuv one included) gets TLS the same way.
import type net from 'node:net';
import tls from 'node:tls';
import type { ServerTlsModel } from '../model/config-model.js';
import type { SessionContext } from '../model/session.js';
import { castSample } from '../sample/casts.js';

/** Without a name to check (no verifyhost, no SNI), HAProxy verifies the chain only. */
const CHAIN_ONLY = (): undefined => undefined;

/** The SNI a session sends: `sni <expr>` evaluated on it; none when empty or missing. */
export function sessionServerName(model: ServerTlsModel, ctx: SessionContext): string | undefined {
  if (model.sni === undefined) return undefined;
  const sample = model.sni.evaluate(ctx);
  const text = sample === undefined ? undefined : castSample(sample, 'str');
  return text?.type === 'str' && text.value !== '' ? text.value : undefined;
}

/**
 * `ssl-reuse`: the TLS session of the last connection to one server, offered to the next one
 * so it resumes (HAProxy keeps one per server and thread, srv->ssl_ctx.reused_sess). As
 * HAProxy, it is only offered for the same SNI, and forgotten when a handshake fails.
 */
export class LastServerSession {
  private session: Buffer | null = null;
  private servername: string | undefined;

  /** The session to offer a connection sending `servername` as SNI, if any. */
  offer(servername: string | undefined): Buffer | undefined {
    return this.session !== null && this.servername === servername ? this.session : undefined;
  }

  /** Keeps each session `socket` receives (TLS 1.3: the server's tickets, after the handshake). */
  watch(socket: tls.TLSSocket, servername: string | undefined): void {
    socket.on('session', (session: Buffer) => {
      this.session = session;
      this.servername = servername;
    });
  }

  forget(): void {
    this.session = null;
  }
}

/**
 * Starts the handshake on `socket` (connected; the PROXY header, if any, already written).
 * The certificate must verify against the server's ca-file when `verify required`, and carry
 * `verifyhost` or else the SNI sent (HAProxy's ssl_sock_srv_verifycbk). With `sessions`
 * (ssl-reuse), the last session is offered and the new ones kept.
 */
export function startServerTls(socket: net.Socket, model: ServerTlsModel, servername: string | undefined, sessions?: LastServerSession): tls.TLSSocket {
  const name = model.verifyHost ?? servername;
  const options: tls.ConnectionOptions = {
    socket,
    secureContext: model.secureContext,
    rejectUnauthorized: model.verify,
    checkServerIdentity: name === undefined || !model.verify ? CHAIN_ONLY : (_host, cert) => tls.checkServerIdentity(name, cert),
  };
  if (servername !== undefined) options.servername = servername;
  if (model.alpn !== undefined) options.ALPNProtocols = [...model.alpn];
  const offered = sessions?.offer(servername);
  if (offered !== undefined) options.session = offered;
  const secure = tls.connect(options);
  sessions?.watch(secure, servername);
  return secure;
}
