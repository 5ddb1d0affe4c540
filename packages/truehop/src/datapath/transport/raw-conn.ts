// One TCP connection driven through its libuv handle directly (libuv.ts), without net.Socket:
// no Readable/Writable state machines, no per-socket timers, no stream buffers. It keeps the
// contract of conn.ts (the net.Socket subset the data path uses), with these rules:
//  * reads start paused; resume() starts them. They land in the process-wide shared buffer
//    (copied out at once: an idle connection holds no read memory) until the reader hands
//    out its own buffer after a large read (reused-read-buffers.ts's policy);
//  * the reader's onSocketRead returning false stops reading (backpressure) until resume();
//  * a write goes to the kernel at once when it can (libuv tries a synchronous write first);
//    an incomplete one keeps its chunk referenced until its completion, and write() returns
//    false past WRITE_HIGH_WATER_BYTES of queued bytes ('drain' follows, as net.Socket);
//  * end() shuts the write side once queued writes are out; once both directions are
//    finished the connection closes, as net.Socket with allowHalfOpen does;
//  * errors carry Node's names (util.getSystemErrorName) and net's message shape
//    (`read ECONNRESET`, `connect ECONNREFUSED 127.0.0.1:8080`); 'error' then 'close';
//  * events go to ONE owner (`handler`, conn.ts's ConnHandler) by plain method calls. A
//    RawConn is not an EventEmitter: emit() with its listener lookup was 5 % of a new
//    connection's time in a profile, and EventEmitter's per-object state costs memory on every
//    idle session. on()/once() still work (the Conn contract, the self-test, tests) through a
//    listener table made on first use; the data path never makes one.
import process from 'node:process';
import { Buffer } from 'node:buffer';
import { getSystemErrorName } from 'node:util';
import { PRIVATE_BUFFER_AFTER_READ_BYTES, SHARED_READ_BUFFER, type SocketReader } from '../reused-read-buffers.js';
import type { Endpoint } from '../../model/session.js';
import type { Conn, ConnHandler } from './conn.js';
import type { AddressOut, ConnectReq, LibuvBindings, ShutdownReq, TcpHandle, WriteReq } from './libuv.js';
import { markInternal } from '../internal-error.js';

/** Queued bytes past which write() answers false (net.Socket's default highWaterMark). */
export const WRITE_HIGH_WATER_BYTES = 16 * 1024;
/** libuv's UV_EOF (the same on every platform); the self-test checks a real EOF reads as it. */
export const UV_EOF = -4095;

const kConn = Symbol('truehop.rawConn');
type OwnedHandle = TcpHandle & { [kConn]?: RawConn | undefined };

interface PendingWrite extends WriteReq {
  conn: RawConn | null;
  bytes: number;
  /** Keeps the chunk(s) alive until libuv has sent them. */
  chunks: Uint8Array | readonly Uint8Array[] | null;
  callback: ((err?: Error | null) => void) | undefined;
}

/** An error shaped as net's: code = Node's name for the libuv status. */
export function uvError(status: number, syscall: string, address?: string, port?: number): NodeJS.ErrnoException {
  const name = getSystemErrorName(status);
  const where = address === undefined ? '' : ` ${address}:${String(port)}`;
  const err: NodeJS.ErrnoException = new Error(`${syscall} ${name}${where}`);
  err.code = name;
  err.errno = status;
  err.syscall = syscall;
  return err;
}

let uv: LibuvBindings | null = null;
/**
 * A write request never handed to libuv's queue (the write completed synchronously) was not
 * attached to any C++ request, so it serves the next write: no allocation per synchronous write.
 */
let spareWriteReq: PendingWrite | null = null;

/** Installs the bindings the raw transport runs on (after the self-test accepted them). */
export function useBindings(bindings: LibuvBindings): void {
  uv = bindings;
  spareWriteReq = null;
}

function bindings(): LibuvBindings {
  if (uv === null) throw new Error('raw transport used before its bindings were installed');
  return uv;
}

function takeWriteReq(b: LibuvBindings): PendingWrite {
  const spare = spareWriteReq;
  if (spare !== null) {
    spareWriteReq = null;
    return spare;
  }
  const req = new b.WriteWrap() as PendingWrite;
  req.oncomplete = onWriteComplete;
  req.conn = null;
  req.bytes = 0;
  req.chunks = null;
  req.callback = undefined;
  return req;
}

// libuv's callbacks below are where the event loop enters a raw connection's owner: what the
// owner (or this file) throws goes to the owner's onInternalError (RawConn.fault), never back
// into libuv, which would end the process.

function onRead(this: OwnedHandle): Uint8Array | undefined {
  const conn = this[kConn];
  if (conn === undefined) return undefined;
  const b = bindings();
  try {
    return conn.onRead(b.streamBaseState[b.kReadBytesOrError] ?? 0);
  } catch (err) {
    conn.fault(err);
    return undefined;
  }
}

function onWriteComplete(this: PendingWrite, status: number): void {
  const conn = this.conn;
  const cb = this.callback;
  this.conn = null;
  this.chunks = null;
  this.callback = undefined;
  this.handle = null;
  if (conn === null) return;
  try {
    conn.afterWrite(this.bytes, status, cb);
  } catch (err) {
    conn.fault(err);
  }
}

interface OwnedShutdown extends ShutdownReq {
  conn: RawConn;
}

interface OwnedConnect extends ConnectReq {
  conn: RawConn;
}

function onShutdownComplete(this: OwnedShutdown, status: number): void {
  try {
    this.conn.afterShutdown(status);
  } catch (err) {
    this.conn.fault(err);
  }
}

function onConnectComplete(this: OwnedConnect, status: number): void {
  try {
    this.conn.afterConnect(status, this.address, this.port);
  } catch (err) {
    this.conn.fault(err);
  }
}

/** 'error' on the next tick (destroyWith), for either raw connection: a guarded entry from the event loop. */
export function emitError(conn: { signalError(e: Error): void; fault(err: unknown): void }, e: Error): void {
  try {
    conn.signalError(e);
  } catch (err) {
    conn.fault(err);
  }
}

/**
 * 'close' for a destroyed connection, on the next tick (after an 'error' destroyWith queued
 * first, as net orders them). Not the handle's close callback: libuv closes a TCP handle's
 * descriptor inside uv_close already, and a JS close callback costs one more C++-to-JS call
 * (MakeCallback) per handle — two per proxied session — for nothing the data path needs.
 */
function signalClosed(conn: RawConn): void {
  try {
    conn.signalClose();
  } catch (err) {
    conn.fault(err);
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- EventEmitter's listener type
type Listener = (...args: any[]) => void;
/** A once() listener, found again by removeListener(original). */
type OnceListener = Listener & { listener?: Listener };

/** RawConn state bits. */
const DESTROYED = 1;
const WRITABLE_ENDED = 2;
const READING = 4;
/** The peer's FIN was read. */
const READ_ENDED = 8;
/** A write() returned false: 'drain' is owed once the queue is empty. */
const NEED_DRAIN = 16;
const SHUTDOWN_STARTED = 32;
/** Closed because of an error ('close' says hadError). */
const ERRORED = 128;
/**
 * libuv reads since the connect was issued, before anyone asked (rawConnect): the read interest
 * joins the connect's in one EPOLL_CTL_ADD, where starting it after the connect completed costs
 * an ADD that fails with EEXIST and a MOD — one syscall per server connection. libuv reports the
 * connect before any read (uv__stream_io), and afterConnect stops reading again if the handler
 * did not resume(), so nothing is read that nobody wants.
 */
const EARLY_READ = 256;
/** connect() issued, its completion not yet seen. */
const CONNECTING = 512;

export class RawConn implements Conn {
  /** Where reads go (the session for a client, the stream for a server). */
  reader: SocketReader | null = null;
  /** Who hears connect/drain/end/error/close; null: only listeners (if any) do. */
  handler: ConnHandler | null = null;
  /** State bits (DESTROYED, READING, …): one field instead of eight booleans per connection. */
  private state = 0;
  writableLength = 0;
  /** The buffer libuv reads into next for this handle; null until reading started once. */
  private readBuffer: Uint8Array | null = null;
  private pendingWrites = 0;
  private peer: AddressOut | null = null;
  private local: AddressOut | null = null;
  /** on()/once() listeners by event; null until someone listens (never on the data path). */
  private listeners: Map<string, Listener[]> | null = null;
  private readonly handle: OwnedHandle;

  constructor(handle: OwnedHandle) {
    this.handle = handle;
    handle[kConn] = this;
    handle.onread = onRead;
  }

  // ---- events: the handler first, then listeners (net.Socket's order: error, then close) ----

  private emitToListeners(event: string, arg?: unknown): void {
    const list = this.listeners?.get(event);
    if (list === undefined || list.length === 0) return;
    for (const l of [...list]) l.call(this, arg);
  }

  /**
   * An exception escaped a call into this connection's owner (or this file's own code): the
   * owner ends its session (internal-error.ts). A connection nobody owns (only on() listeners:
   * the self-test, tests) closes with the error marked internal, as a raw TLS one does.
   */
  fault(err: unknown): void {
    const owner = this.handler ?? this.reader;
    if (owner !== null) {
      owner.onInternalError(err);
      return;
    }
    this.destroyWith(markInternal(err));
  }

  signalError(err: Error): void {
    // A connection nobody listens to for errors must not crash the process: no throw here.
    this.handler?.onConnError(this, err);
    if (this.listeners !== null) this.emitToListeners('error', err);
  }

  signalClose(): void {
    const hadError = (this.state & ERRORED) !== 0;
    this.handler?.onConnClose(this, hadError);
    if (this.listeners !== null) this.emitToListeners('close', hadError);
  }

  on(event: string, listener: Listener): this {
    const table = (this.listeners ??= new Map<string, Listener[]>());
    const list = table.get(event);
    if (list === undefined) table.set(event, [listener]);
    else list.push(listener);
    return this;
  }

  once(event: string, listener: Listener): this {
    const wrapper: OnceListener = (...args: unknown[]) => {
      this.removeListener(event, wrapper);
      listener.apply(this, args);
    };
    wrapper.listener = listener;
    return this.on(event, wrapper);
  }

  removeListener(event: string, listener: Listener): this {
    const list = this.listeners?.get(event);
    if (list === undefined) return this;
    const i = list.findIndex((l) => l === listener || (l as OnceListener).listener === listener);
    if (i >= 0) list.splice(i, 1);
    return this;
  }

  listenerCount(event: string): number {
    return this.listeners?.get(event)?.length ?? 0;
  }

  get destroyed(): boolean {
    return (this.state & DESTROYED) !== 0;
  }

  get writableEnded(): boolean {
    return (this.state & WRITABLE_ENDED) !== 0;
  }

  // ---- reading -----------------------------------------------------------------------------

  resume(): this {
    if ((this.state & (DESTROYED | READ_ENDED | READING)) !== 0) return this;
    if ((this.state & EARLY_READ) !== 0) {
      // libuv already reads (rawConnect): take it over as is.
      this.state = (this.state & ~EARLY_READ) | READING;
      return this;
    }
    const err = this.startReads();
    if (err !== 0) return this.destroyWith(uvError(err, 'read'));
    this.state |= READING;
    return this;
  }

  /** libuv's readStart, into the shared buffer on first use; the libuv status. */
  private startReads(): number {
    if (this.readBuffer === null) {
      this.readBuffer = SHARED_READ_BUFFER;
      this.handle.useUserBuffer(SHARED_READ_BUFFER);
    }
    return this.handle.readStart();
  }

  /** rawConnect issued the connect: reads start with it (see EARLY_READ). */
  connecting(): void {
    this.state |= CONNECTING;
    if (this.startReads() === 0) this.state |= EARLY_READ;
  }

  pause(): this {
    if ((this.state & EARLY_READ) !== 0) {
      this.state &= ~EARLY_READ;
      if ((this.state & DESTROYED) === 0) this.handle.readStop();
      return this;
    }
    if ((this.state & (READING | DESTROYED)) !== READING) return this;
    this.state &= ~READING;
    this.handle.readStop();
    return this;
  }

  /** libuv's read callback: `nread` bytes in readBuffer, or EOF / an error. */
  onRead(nread: number): Uint8Array | undefined {
    if ((this.state & DESTROYED) !== 0) return undefined;
    if ((this.state & (CONNECTING | EARLY_READ)) !== 0) {
      // A read before the connect completed, or one nobody resumed: a libuv that does not
      // behave as this module relies on. Fail loudly rather than lose or misplace bytes.
      this.destroyWith(new Error(`read before the connection was resumed (libuv ${process.versions.uv})`));
      return undefined;
    }
    if (nread > 0) return this.deliver(nread);
    if (nread === 0) return undefined;
    if (nread !== UV_EOF) {
      this.destroyWith(uvError(nread, 'read'));
      return undefined;
    }
    this.state |= READ_ENDED;
    this.pause();
    this.handler?.onConnEnd(this);
    if (this.listeners !== null) this.emitToListeners('end');
    if (this.bothDone()) this.destroy();
    return undefined;
  }

  private deliver(nread: number): Uint8Array | undefined {
    const reader = this.reader;
    const buf = this.readBuffer;
    if (reader === null || buf === null) return undefined;
    let more: boolean;
    let next: Uint8Array | null = null;
    if (buf === SHARED_READ_BUFFER) {
      // Shared memory: take a private copy before any other connection reads into it.
      const copy = Buffer.allocUnsafe(nread);
      SHARED_READ_BUFFER.copy(copy, 0, 0, nread);
      more = reader.onSocketRead(copy, false);
      if (nread >= PRIVATE_BUFFER_AFTER_READ_BYTES && (this.state & DESTROYED) === 0) next = reader.ownReadBuffer();
    } else {
      more = reader.onSocketRead(Buffer.from(buf.buffer, buf.byteOffset, nread), true);
    }
    if (!more) this.pause();
    if (next === null || next === buf) return undefined;
    this.readBuffer = next;
    return next;
  }

  // ---- writing -----------------------------------------------------------------------------

  write(chunk: Uint8Array, cb?: (err?: Error | null) => void): boolean {
    if ((this.state & (DESTROYED | WRITABLE_ENDED)) !== 0) return false;
    const b = bindings();
    const req = takeWriteReq(b);
    req.handle = this.handle;
    const err = this.handle.writeBuffer(req, chunk);
    return this.afterDispatch(b, req, err, chunk, chunk.length, cb);
  }

  /** Writes several chunks in one writev (the PROXY header and the client's first bytes). */
  writev(chunks: readonly Uint8Array[]): boolean {
    if ((this.state & (DESTROYED | WRITABLE_ENDED)) !== 0) return false;
    if (chunks.length === 1) return this.write(chunks[0] as Uint8Array);
    const b = bindings();
    const req = takeWriteReq(b);
    req.handle = this.handle;
    const err = this.handle.writev(req, chunks, true);
    let bytes = 0;
    for (const c of chunks) bytes += c.length;
    return this.afterDispatch(b, req, err, chunks, bytes, undefined);
  }

  private afterDispatch(
    b: LibuvBindings, req: PendingWrite, err: number, chunks: Uint8Array | readonly Uint8Array[], bytes: number,
    cb: ((err?: Error | null) => void) | undefined,
  ): boolean {
    if (err !== 0) {
      req.handle = null;
      spareWriteReq = req;
      this.destroyWith(uvError(err, 'write'));
      return false;
    }
    if (b.streamBaseState[b.kLastWriteWasAsync] === 0) {
      req.handle = null;
      spareWriteReq = req;
      cb?.(null);
      return this.writableLength < WRITE_HIGH_WATER_BYTES;
    }
    req.conn = this;
    req.bytes = bytes;
    req.chunks = chunks;
    req.callback = cb;
    this.pendingWrites++;
    this.writableLength += bytes;
    if (this.writableLength < WRITE_HIGH_WATER_BYTES) return true;
    this.state |= NEED_DRAIN;
    return false;
  }

  afterWrite(bytes: number, status: number, cb: ((err?: Error | null) => void) | undefined): void {
    this.pendingWrites--;
    this.writableLength -= bytes;
    if ((this.state & DESTROYED) !== 0) {
      cb?.(null);
      return;
    }
    if (status < 0) {
      const err = uvError(status, 'write');
      this.destroyWith(err);
      cb?.(err);
      return;
    }
    cb?.(null);
    if (this.pendingWrites !== 0 || (this.state & DESTROYED) !== 0) return;
    if ((this.state & NEED_DRAIN) !== 0) {
      this.state &= ~NEED_DRAIN;
      this.handler?.onConnDrain(this);
      if (this.listeners !== null) this.emitToListeners('drain');
    }
    if ((this.state & (WRITABLE_ENDED | SHUTDOWN_STARTED | DESTROYED)) === WRITABLE_ENDED) this.shutdown();
  }

  end(): this {
    if ((this.state & (WRITABLE_ENDED | DESTROYED)) !== 0) return this;
    this.state |= WRITABLE_ENDED;
    if (this.pendingWrites === 0) this.shutdown();
    return this;
  }

  /**
   * Both directions are finished once our side is ended with nothing queued and the peer's FIN
   * was read. Then close() alone sends our FIN (nothing unread is left, so no reset): the
   * shutdown() syscall, its request object and its callback would only delay the close by one
   * loop turn. A shutdown already handed to libuv is cancelled by the close (ECANCELED, ignored).
   */
  private bothDone(): boolean {
    return (this.state & (WRITABLE_ENDED | READ_ENDED)) === (WRITABLE_ENDED | READ_ENDED) && this.pendingWrites === 0;
  }

  private shutdown(): void {
    if (this.bothDone()) {
      this.destroy();
      return;
    }
    this.state |= SHUTDOWN_STARTED;
    const req = new (bindings().ShutdownWrap)() as OwnedShutdown;
    req.conn = this;
    req.handle = this.handle;
    req.oncomplete = onShutdownComplete;
    const err = this.handle.shutdown(req);
    if (err !== 0) this.destroyWith(uvError(err, 'shutdown'));
  }

  afterShutdown(status: number): void {
    if ((this.state & DESTROYED) !== 0) return;
    if (status < 0) {
      this.destroyWith(uvError(status, 'shutdown'));
      return;
    }
    // Nothing more to do: had the peer's FIN been read, bothDone() would already have closed
    // the connection (a shutdown starts only with nothing queued), and when it comes, onRead
    // closes it.
  }

  afterConnect(status: number, address: string, port: number): void {
    this.state &= ~CONNECTING;
    if ((this.state & DESTROYED) !== 0) return;
    if (status < 0) {
      this.destroyWith(uvError(status, 'connect', address, port));
      return;
    }
    this.setNoDelay(true);
    this.handler?.onConnConnect(this);
    if (this.listeners !== null) this.emitToListeners('connect');
    // Nobody resumed: stop the reads rawConnect started (pause() knows EARLY_READ).
    if ((this.state & EARLY_READ) !== 0) this.pause();
  }

  /** The local end, known without getsockname() (adoptAcceptedHandle). */
  knowLocalEnd(local: AddressOut): void {
    this.local = local;
  }

  /**
   * Hands the open handle over (raw-tls.ts wraps it in OpenSSL's TLSWrap after the ClientHello
   * was read here): reading stops and this RawConn never calls anyone again; the new owner
   * closes the handle.
   */
  releaseHandle(): TcpHandle {
    this.pause();
    this.state |= DESTROYED;
    this.readBuffer = null;
    this.handler = null;
    this.handle[kConn] = undefined;
    return this.handle;
  }

  // ---- closing -----------------------------------------------------------------------------

  destroy(): this {
    if ((this.state & DESTROYED) !== 0) return this;
    return this.closeHandle(false);
  }

  /**
   * Closes at once with a TCP reset (RST instead of FIN): net.Socket's resetAndDestroy. After
   * our FIN was queued libuv cannot reset any more: a plain close then.
   */
  resetAndDestroy(): this {
    if ((this.state & DESTROYED) !== 0) return this;
    return this.closeHandle((this.state & (WRITABLE_ENDED | SHUTDOWN_STARTED)) === 0 && this.handle.reset !== undefined);
  }

  /** Closes the handle (with a reset when asked and possible); 'close' follows on the next tick. */
  private closeHandle(reset: boolean): this {
    this.state = (this.state | DESTROYED) & ~READING;
    this.readBuffer = null;
    const handle = this.handle;
    handle[kConn] = undefined;
    if (!reset || handle.reset?.() !== 0) handle.close();
    process.nextTick(signalClosed, this);
    return this;
  }

  /** Closes because of `err`: 'error' (next tick, as net) then 'close' with hadError. */
  destroyWith(err: Error): this {
    if ((this.state & DESTROYED) !== 0) return this;
    this.state |= ERRORED;
    process.nextTick(emitError, this, err);
    return this.destroy();
  }

  setNoDelay(noDelay = true): this {
    if ((this.state & DESTROYED) === 0) this.handle.setNoDelay(noDelay);
    return this;
  }

  // ---- addresses (one syscall each, on first use) -------------------------------------------

  private peerInfo(): AddressOut {
    if (this.peer === null) {
      const out: AddressOut = { address: undefined, port: undefined, family: undefined };
      if ((this.state & DESTROYED) === 0 && this.handle.getpeername(out) === 0) this.peer = out;
      else return out;
    }
    return this.peer;
  }

  private localInfo(): AddressOut {
    if (this.local === null) {
      const out: AddressOut = { address: undefined, port: undefined, family: undefined };
      if ((this.state & DESTROYED) === 0 && this.handle.getsockname(out) === 0) this.local = out;
      else return out;
    }
    return this.local;
  }

  /**
   * The peer's (or our) end as an Endpoint, or null when the connection has lost it (reset).
   * The object getpeername/getsockname filled is returned itself, not copied: it already has
   * Endpoint's shape and is never changed afterwards, so the session context and this
   * connection share it (two objects less per session).
   */
  endpoint(peer: boolean): Endpoint | null {
    const a = peer ? this.peerInfo() : this.localInfo();
    if (a.address === undefined || a.port === undefined) return null;
    if (a.family !== 'IPv4' && a.family !== 'IPv6') a.family = 'IPv4';
    return a as Endpoint;
  }

  get remoteAddress(): string | undefined {
    return this.peerInfo().address;
  }

  get remotePort(): number | undefined {
    return this.peerInfo().port;
  }

  get remoteFamily(): string | undefined {
    return this.peerInfo().family;
  }

  get localAddress(): string | undefined {
    return this.localInfo().address;
  }

  get localPort(): number | undefined {
    return this.localInfo().port;
  }

  get localFamily(): string | undefined {
    return this.localInfo().family;
  }
}

/**
 * Wraps an accepted connection's handle (from a listening socket's onconnection). `local`: the
 * listener's own address when it is bound to one (raw-accept.ts), shared by its connections
 * and never changed (Endpoint objects are read-only once made); null: getsockname() on first use.
 */
export function adoptAcceptedHandle(handle: TcpHandle, local: AddressOut | null = null): RawConn {
  const conn = new RawConn(handle);
  handle.setNoDelay(true);
  if (local !== null) conn.knowLocalEnd(local);
  return conn;
}

/**
 * Opens a connection to an IP address; 'connect' or 'error' then 'close' follow, as with
 * net.connect. `family` is net.isIP's answer for `address` (4 or 6).
 */
export function rawConnect(address: string, port: number, family: 4 | 6): RawConn {
  const b = bindings();
  const handle = new b.TCP(b.SOCKET);
  const conn = new RawConn(handle);
  const req = new b.TCPConnectWrap() as OwnedConnect;
  req.conn = conn;
  req.address = address;
  req.port = port;
  req.oncomplete = onConnectComplete;
  const err = family === 6 ? handle.connect6(req, address, port) : handle.connect(req, address, port);
  if (err !== 0) {
    conn.destroyWith(uvError(err, 'connect', address, port));
    return conn;
  }
  conn.connecting();
  return conn;
}
