// Reading from servers and clients into reused memory instead of a fresh allocation per read (Node's
// `onread` option). Measured on a bulk download through the daemon (64 MB file, 4
// connections): with the default 'data' path every 64 KiB read lands in newly allocated
// memory, and `strace -c` showed 142 µs per read() — page faults on fresh pages plus
// brk/madvise churn — against 9 µs per recvfrom for HAProxy reusing its buffers.
//
// Memory is handed out lazily so idle connections cost nothing: until a server sends its
// first bytes, every upstream socket reads into one process-wide buffer, and what lands
// there is copied out before the next read can reuse it (one small copy per connection).
// From then on the connection reads into its own buffer, and a chunk still being written to
// the client pins that buffer: reading pauses until the write completes, so bytes are never
// overwritten while the kernel still has to send them.
//
// The raw transport (transport/raw-conn.ts) follows the same policy for both directions; on
// the socket transport it applies to server sockets (net's public `onread` option) while
// client sockets, which net.Server builds without that option, use 'data' events.
import { Buffer } from 'node:buffer';
import type net from 'node:net';
import type { InternalErrorSink } from './internal-error.js';

/** Size of one read; also Node's default read size. */
export const UPSTREAM_READ_BYTES = 64 * 1024;
/**
 * A connection gets its own buffer only after a read this large: small answers (the usual
 * request/response exchange) keep using the shared buffer plus a copy, so short connections
 * never allocate 64 KiB (allocating one per connection made new connections/s GC-bound).
 */
export const PRIVATE_BUFFER_AFTER_READ_BYTES = 16 * 1024;
/** Private buffers kept for reuse after their session ended (at most 16 MiB held idle). */
export const MAX_POOLED_READ_BUFFERS = 256;

const pool: Buffer[] = [];

/** A private read buffer, from the pool when one is free. */
export function takeReadBuffer(): Buffer {
  return pool.pop() ?? Buffer.allocUnsafeSlow(UPSTREAM_READ_BYTES);
}

/** Gives a private buffer back once nothing (no pending write) can reference it any more. */
export function returnReadBuffer(buf: Buffer): void {
  if (pool.length < MAX_POOLED_READ_BUFFERS) pool.push(buf);
}

/**
 * The one process-wide buffer every connection reads into until it has its own (both
 * transports); what lands here is copied out before the next read can reuse it.
 */
export const SHARED_READ_BUFFER = Buffer.allocUnsafeSlow(UPSTREAM_READ_BYTES);
const FIRST_READ_BUFFER = SHARED_READ_BUFFER;

/**
 * Whoever a socket's reads are delivered to (the session for a client, the stream for a server);
 * what onSocketRead throws goes to its onInternalError.
 */
export interface SocketReader extends InternalErrorSink {
  /**
   * A chunk read: `buf[0, nread)`. `reusable`: the memory is this connection's own buffer and
   * will be read into again, so the chunk must be written out (not kept) before returning
   * true; else it is a private copy. Returns false to stop reading until the reader resumes
   * the socket.
   */
  onSocketRead(chunk: Buffer, reusable: boolean): boolean;
  /**
   * This connection's own buffer for its next reads (taken on first use), or null to keep
   * reading into the shared buffer (every such read is copied out).
   */
  ownReadBuffer(): Buffer | null;
}

const kReader = Symbol('truehop.socketReader');

type ReaderSocket = net.Socket & { [kReader]?: SocketReader };

// Node calls the buffer function without the socket (`bufGen()`), right after the read
// callback of the same socket (and once when the handle is created, before any read). The
// callback therefore leaves the socket's next buffer here for the function to hand back.
let nextForThisSocket: Buffer | null = null;

function nextBuffer(): Buffer {
  const next = nextForThisSocket ?? FIRST_READ_BUFFER;
  nextForThisSocket = null;
  return next;
}

/** Node's read callback for server sockets of the socket transport (`onread`). */
function onRead(this: ReaderSocket, nread: number, buf: Buffer): boolean {
  const reader = this[kReader];
  if (reader === undefined) return true;
  try {
    return deliver(reader, nread, buf);
  } catch (err) {
    // The next read (if any) lands in the shared buffer again; the session is being reset.
    nextForThisSocket = null;
    reader.onInternalError(err);
    return false;
  }
}

function deliver(reader: SocketReader, nread: number, buf: Buffer): boolean {
  if (buf === FIRST_READ_BUFFER) {
    // Shared memory: take a private copy before any other socket reads into it.
    const copy = Buffer.allocUnsafe(nread);
    buf.copy(copy, 0, 0, nread);
    const more = reader.onSocketRead(copy, false);
    // null: the next read lands in the shared buffer again (nextBuffer's default).
    if (nread >= PRIVATE_BUFFER_AFTER_READ_BYTES) nextForThisSocket = reader.ownReadBuffer();
    return more;
  }
  const more = reader.onSocketRead(buf.subarray(0, nread), true);
  nextForThisSocket = buf;
  return more;
}

/** The `onread` option for net.connect. */
export const UPSTREAM_ONREAD = { buffer: nextBuffer, callback: onRead } as const;

export function attachReader(socket: net.Socket, reader: SocketReader): void {
  (socket as ReaderSocket)[kReader] = reader;
}
