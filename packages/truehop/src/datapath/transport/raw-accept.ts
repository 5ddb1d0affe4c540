// Takes over a listening net.Server's accepted connections for the raw transport. The
// listening socket still comes from net.Server (and, in workers, through node:cluster, which
// hands each worker the shared listening handle under SCHED_NONE, or a proxy handle under
// SCHED_RR); only what happens at accept changes: net.Server's handle calls `onconnection(err,
// clientHandle)` for every accepted connection, and net would wrap the handle in a net.Socket
// there. Replacing that one callback hands the bare handle to the data path instead — the
// cheapest sound take-over (no net.Socket is ever built, nothing has been read yet).
import type net from 'node:net';
import { getSystemErrorName } from 'node:util';
import type { AddressOut, TcpHandle } from './libuv.js';
import { adoptAcceptedHandle, type RawConn } from './raw-conn.js';

interface ListeningHandle {
  onconnection?: ((err: number, clientHandle: TcpHandle | undefined) => void) | null;
}

/**
 * Routes a listening server's accepted connections to `onConn` as RawConns. Returns false,
 * changing nothing, when the server has no handle with an `onconnection` callback (not
 * listening, or a Node whose net.Server works differently).
 */
export function takeOverAccepts(server: net.Server, onConn: (conn: RawConn) => void): boolean {
  const handle = (server as unknown as { _handle?: ListeningHandle | null })._handle;
  if (handle === undefined || handle === null || typeof handle.onconnection !== 'function') return false;
  const local = boundLocalEnd(server);
  handle.onconnection = (err, clientHandle) => {
    // An accept error (EMFILE, …): emitted as net.Server emits it ('error' with the errno's
    // name, syscall 'accept'), so the listener counts and logs it on both transports; the
    // server keeps listening.
    if (err !== 0) {
      server.emit('error', acceptError(err));
      return;
    }
    if (clientHandle === undefined) return;
    onConn(adoptAcceptedHandle(clientHandle, local));
  };
  return true;
}

/**
 * The local end of every connection a listener bound to one address accepts: that address and
 * the listening port, known once — no getsockname() per connection (a syscall, and three
 * property writes from C++). Null for a wildcard bind (0.0.0.0, ::), where each connection's
 * local address is the one its client reached, so getsockname() must ask.
 */
function boundLocalEnd(server: net.Server): AddressOut | null {
  const a = server.address();
  if (a === null || typeof a === 'string') return null;
  if (a.address === '0.0.0.0' || a.address === '::' || (a.family !== 'IPv4' && a.family !== 'IPv6')) return null;
  return { address: a.address, port: a.port, family: a.family };
}

/** The error net.Server emits for a failed accept(): `accept EMFILE` with code/errno/syscall. */
function acceptError(errno: number): NodeJS.ErrnoException {
  const code = getSystemErrorName(errno);
  return Object.assign(new Error(`accept ${code}`), { code, errno, syscall: 'accept' });
}
