// The transport seam: what the data path asks of one TCP connection, whichever transport made
// it. It is the subset of net.Socket's interface the data path uses, so a net.Socket is a
// Conn as it is (the socket transport adds nothing per connection) and raw-conn.ts implements
// the same contract directly on a libuv handle. Events: 'connect', 'data' (socket transport
// client reads only), 'drain', 'end' (the peer's FIN), 'error', 'close' (hadError).
import type { InternalErrorSink } from '../internal-error.js';

export interface Conn {
  /** Queues `chunk`; false when the queue passed its high-water mark (wait for 'drain'). */
  write(chunk: Uint8Array, cb?: (err?: Error | null) => void): boolean;
  /** Bytes accepted by write() and not yet handed to the kernel. */
  readonly writableLength: number;
  readonly writableEnded: boolean;
  readonly destroyed: boolean;
  /** Stops / restarts reading (backpressure); a new connection starts paused. */
  pause(): this;
  resume(): this;
  /** Sends our FIN once the queued bytes are out (half-close). */
  end(): this;
  /** Closes at once; 'close' follows. */
  destroy(): this;
  setNoDelay(noDelay?: boolean): this;
  readonly remoteAddress?: string | undefined;
  readonly remotePort?: number | undefined;
  readonly remoteFamily?: string | undefined;
  readonly localAddress?: string | undefined;
  readonly localPort?: number | undefined;
  readonly localFamily?: string | undefined;
  // EventEmitter's own signatures (net.Socket and RawConn are both EventEmitters).
  /* eslint-disable @typescript-eslint/no-explicit-any */
  on(event: string, listener: (...args: any[]) => void): this;
  once(event: string, listener: (...args: any[]) => void): this;
  removeListener(event: string, listener: (...args: any[]) => void): this;
  /* eslint-enable @typescript-eslint/no-explicit-any */
}

/**
 * The one owner of a connection's events on the data path (the session for a client, the
 * connect attempt then the stream for a server). The raw transport calls these methods
 * directly — no EventEmitter dispatch, no listener arrays per connection; on the socket
 * transport transport.ts's attachHandler routes net.Socket's events to them through one shared
 * set of listener functions. Order as net.Socket's events: 'error' comes before 'close', and
 * 'close' is the last call. The transport catches what one of these calls throws and gives it to
 * the same handler's onInternalError (internal-error.ts).
 */
export interface ConnHandler extends InternalErrorSink {
  /** An outgoing connection is established. */
  onConnConnect(conn: Conn): void;
  /** The write queue fell back under the high-water mark after a write() returned false. */
  onConnDrain(conn: Conn): void;
  /** The peer's FIN: nothing more will be read. */
  onConnEnd(conn: Conn): void;
  onConnError(conn: Conn, err: Error): void;
  /** The connection is closed; `hadError` when it closed because of an error. */
  onConnClose(conn: Conn, hadError: boolean): void;
}

/**
 * The owner of a TLS stream's events on raw TLS (transport/raw-tls.ts): a ConnHandler, also
 * told when the handshake completed (net's 'secure'). Any ConnHandler can own one.
 */
export interface TlsConnHandler extends ConnHandler {
  onConnSecure?(conn: Conn): void;
}

/** Which transport carries plain TCP connections in this process. */
export type TransportName = 'raw' | 'socket';
