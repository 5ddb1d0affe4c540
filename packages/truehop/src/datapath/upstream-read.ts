// Reading from servers into reused memory instead of a fresh allocation per read (Node's
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
// Client sockets come from net.Server, which has no `onread` option; they are accepted
// paused (pauseOnConnect), so nothing has been read yet and `adoptClientSocket` can switch
// them to the same reused-buffer path before the first read. Measured on keep-alive
// (wrk, 64 connections): the 'data' path cost a 64 KiB native allocation and a trip through
// the Readable machinery per request.
import net from 'node:net';

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

const FIRST_READ_BUFFER = Buffer.allocUnsafeSlow(UPSTREAM_READ_BYTES);

export interface ClientReader {
  /** A chunk read from the client; same contract as onUpstreamRead. */
  onClientRead(chunk: Buffer, reusable: boolean): boolean;
  /** This connection's own buffer for client reads (taken on first use). */
  clientReadBuffer(): Buffer;
}

export interface UpstreamReader {
  /**
   * A chunk read from the server: `buf[0, nread)`. Returns false to stop reading until the
   * reader resumes the socket.
   */
  onUpstreamRead(chunk: Buffer, reusable: boolean): boolean;
  /** This connection's own buffer for its next read (taken on first use). */
  readBuffer(): Buffer;
}

const kReader = Symbol('truehop.upstreamReader');
const kClientReader = Symbol('truehop.clientReader');

type ReaderSocket = net.Socket & { [kReader]?: UpstreamReader; [kClientReader]?: ClientReader };

// Node calls the buffer function without the socket (`bufGen()`), right after the read
// callback of the same socket (and once when the handle is created, before any read). The
// callback therefore leaves the socket's next buffer here for the function to hand back.
let nextForThisSocket: Buffer | null = null;

function nextBuffer(): Buffer {
  const next = nextForThisSocket ?? FIRST_READ_BUFFER;
  nextForThisSocket = null;
  return next;
}

function onRead(this: ReaderSocket, nread: number, buf: Buffer): boolean {
  const reader = this[kReader];
  if (reader === undefined) return true;
  if (buf === FIRST_READ_BUFFER) {
    // Shared memory: take a private copy before any other socket reads into it.
    const copy = Buffer.allocUnsafe(nread);
    buf.copy(copy, 0, 0, nread);
    const more = reader.onUpstreamRead(copy, false);
    if (nread >= PRIVATE_BUFFER_AFTER_READ_BYTES) nextForThisSocket = reader.readBuffer();
    return more;
  }
  const more = reader.onUpstreamRead(buf.subarray(0, nread), true);
  nextForThisSocket = buf;
  return more;
}

function onClientRead(this: ReaderSocket, nread: number, buf: Buffer): boolean {
  const reader = this[kClientReader];
  if (reader === undefined) return true;
  if (buf === FIRST_READ_BUFFER) {
    const copy = Buffer.allocUnsafe(nread);
    buf.copy(copy, 0, 0, nread);
    const more = reader.onClientRead(copy, false);
    if (nread >= PRIVATE_BUFFER_AFTER_READ_BYTES) nextForThisSocket = reader.clientReadBuffer();
    return more;
  }
  const more = reader.onClientRead(buf.subarray(0, nread), true);
  nextForThisSocket = buf;
  return more;
}

/** The `onread` option for net.connect. */
export const UPSTREAM_ONREAD = { buffer: nextBuffer, callback: onRead } as const;

export function attachReader(socket: net.Socket, reader: UpstreamReader): void {
  (socket as ReaderSocket)[kReader] = reader;
}

// Node keeps a socket's `onread` state under private symbols (kBuffer, kBufferGen, kBufferCb,
// lib/net.js). They are found once on a probe socket built with `onread`; if this Node does
// not have them (or its handles lack useUserBuffer), client sockets keep the 'data' path.
interface OnreadSymbols {
  buffer: symbol;
  gen: symbol;
  cb: symbol;
}

function findOnreadSymbols(): OnreadSymbols | null {
  const probe = new net.Socket({ onread: UPSTREAM_ONREAD } as net.SocketConstructorOpts);
  const byName = new Map(Object.getOwnPropertySymbols(probe).map((sym) => [sym.description, sym]));
  probe.destroy();
  const buffer = byName.get('kBuffer');
  const gen = byName.get('kBufferGen');
  const cb = byName.get('kBufferCb');
  if (buffer === undefined || gen === undefined || cb === undefined) return null;
  return { buffer, gen, cb };
}

const ONREAD_SYMBOLS = findOnreadSymbols();

interface UserBufferHandle {
  reading?: boolean;
  useUserBuffer?: (buf: Uint8Array) => void;
}

/**
 * Switches an accepted socket that has not started reading (pauseOnConnect) to reads into
 * reused memory, delivered to `reader.onClientRead` instead of 'data' events. Returns false
 * (nothing changed, 'data' events keep flowing) when that is not possible.
 */
export function adoptClientSocket(socket: net.Socket, reader: ClientReader): boolean {
  const sym = ONREAD_SYMBOLS;
  const handle = (socket as unknown as { _handle?: UserBufferHandle | null })._handle;
  if (sym === null || handle === undefined || handle === null || typeof handle.useUserBuffer !== 'function') return false;
  // Reading already started: a buffer swap now would race with a read in flight.
  if (handle.reading === true || socket.readableLength > 0) return false;
  const s = socket as unknown as Record<symbol, unknown>;
  s[sym.buffer] = FIRST_READ_BUFFER;
  s[sym.gen] = nextBuffer;
  s[sym.cb] = onClientRead;
  (socket as ReaderSocket)[kClientReader] = reader;
  handle.useUserBuffer(FIRST_READ_BUFFER);
  return true;
}
