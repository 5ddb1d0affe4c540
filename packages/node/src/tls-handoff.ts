// Job: a TLS server's TLSSocket reports what its raw socket's header said.
//
// The header is read off the raw socket before tls.Server wraps it. A TLSSocket asks the TCP
// handle, not the JavaScript raw socket, for its addresses, so it needs the same accessors of
// its own: given when tls.Server announces it ('secureConnection', or 'tlsClientError' for a
// failed handshake), looked up by the raw socket it wraps (tls-parent.ts). Prepended, so the
// TLSSocket reports the client before any application listener — and before http2's own
// 'secureConnection' listener creates a session on it — sees it.
import process from 'node:process';
import type { Server as TlsServer, TLSSocket } from 'node:tls';
import { ProxyServerError } from './errors.js';
import { inheritProxyInfo } from './socket-info.js';
import { rawSocketUnder, tlsParentAvailable } from './tls-parent.js';

export function passHeadersToTlsSockets(server: TlsServer): void {
  if (!tlsParentAvailable()) {
    // Fail at start-up, loudly, rather than serve TLS clients with the proxy's address.
    throw new ProxyServerError(
      'UNSUPPORTED_RUNTIME',
      `acceptProxyProtocol: this Node (${process.version}) does not keep a TLSSocket's raw socket as _parent; TLS sockets could not report the PROXY header's addresses`,
    );
  }
  server.prependListener('secureConnection', inherit);
  server.prependListener('tlsClientError', (_error: Error, tlsSocket: TLSSocket) => inherit(tlsSocket));
}

function inherit(tlsSocket: TLSSocket | undefined): void {
  if (tlsSocket === undefined) return;
  const raw = rawSocketUnder(tlsSocket);
  if (raw !== undefined) inheritProxyInfo(tlsSocket, raw);
}
