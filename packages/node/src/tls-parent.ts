// The one Node internal this package relies on, said and checked in one place.
//
// tls.Server's 'connection' listener wraps the raw socket it is given in a TLSSocket
// (`new TLSSocket(rawSocket, …)`, lib/_tls_wrap.js) and keeps that raw socket as
// `tlsSocket._parent` (TLSSocket.prototype._init, present since Node 0.11 and in every
// release this package supports). No public API links the two: 'secureConnection' and
// 'tlsClientError' give the TLSSocket only. The link is what lets the TLSSocket inherit its
// raw socket's header with no timing assumption and no address matching.
import { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';

let checked: boolean | undefined;

/**
 * Whether this Node keeps the raw socket as `_parent` (checked once per process, on a TLSSocket
 * built over an unconnected socket: no handshake, no I/O).
 */
export function tlsParentAvailable(): boolean {
  if (checked === undefined) {
    const raw = new Socket();
    let probe: TLSSocket | undefined;
    try {
      probe = new TLSSocket(raw, { isServer: true });
      checked = rawSocketUnder(probe) === raw;
    } catch {
      checked = false;
    } finally {
      probe?.destroy();
      raw.destroy();
    }
  }
  return checked;
}

/** The raw socket a server-side TLSSocket was built on, or undefined. */
export function rawSocketUnder(tlsSocket: TLSSocket): Socket | undefined {
  const parent = (tlsSocket as { _parent?: unknown })._parent;
  return parent instanceof Socket ? parent : undefined;
}
