// A server-side TLS connection on the raw transport: OpenSSL's TLSWrap (tls-binding.ts) straight
// over the accepted libuv TCP handle, without the net.Socket and tls.TLSSocket node:tls would
// build around it (their V8 work is most of what a TLS handshake costs us beyond OpenSSL's,
// docs/tls.md "Speed"). It keeps the contract of conn.ts and has RawConn's shape: ONE owner
// (`handler`, a ConnHandler; TlsConnHandler adds the handshake's end) called by plain methods,
// and a `reader` that gets the cleartext, no EventEmitter (its emit and per-object state were a
// per-handshake cost; on()/once() still work through an emitter made on first use, for tests,
// never on the data path). What node:tls does in JS and this does itself:
//  * TLSWrap takes one write at a time: later ones queue here (net.Socket's queue). Every
//    TLSWrap write completes asynchronously (it simulates an asynchronous completion even when
//    the TCP write was synchronous), so RawConn's reuse of a request that completed at once
//    never applies here: each write has its own WriteWrap;
//  * any renegotiation (a second handshake start) is an error, as disableRenegotiation();
//  * close = close the TCP handle, then destroySSL (as TLSWrap.prototype.close does).
import { Buffer } from 'node:buffer';
import process from 'node:process';
import { EventEmitter } from 'node:events';
import type tls from 'node:tls';
import { X509Certificate } from 'node:crypto';
import type { SocketReader } from '../reused-read-buffers.js';
import type { Conn, TlsConnHandler } from './conn.js';
import type { LibuvBindings, ShutdownReq, TcpHandle, WriteReq } from './libuv.js';
import { emitError, UV_EOF, uvError, WRITE_HIGH_WATER_BYTES } from './raw-conn.js';
import type { TlsWrapBinding, TlsWrapHandle } from './tls-binding.js';
import { markInternal } from '../internal-error.js';

const kConn = Symbol('truehop.rawTlsConn');
type OwnedTlsWrap = TlsWrapHandle & { [kConn]?: RawTlsConn | undefined };
type OwnedTcp = TcpHandle & { [kConn]?: RawTlsConn | undefined };
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- EventEmitter's listener type
type Listener = (...args: any[]) => void;

interface QueuedWrite {
  chunk: Uint8Array;
  cb: ((err?: Error | null) => void) | undefined;
}

interface TlsWriteReq extends WriteReq {
  conn: RawTlsConn;
  bytes: number;
  chunk: Uint8Array | null;
  cb: ((err?: Error | null) => void) | undefined;
}

interface TlsShutdownReq extends ShutdownReq {
  conn: RawTlsConn;
}

/** What raw TLS needs: the libuv bindings (requests, shared state) and the TLSWrap binding. */
export interface RawTlsBindings {
  readonly uv: LibuvBindings;
  readonly tls: TlsWrapBinding;
}

let bindings: RawTlsBindings | null = null;

/** Installs the bindings raw TLS runs on (after the self-test accepted them); null turns it off. */
export function useTlsBindings(b: RawTlsBindings | null): void {
  bindings = b;
}

/** True when ssl binds run on raw TLS in this process. */
export function rawTlsEnabled(): boolean {
  return bindings !== null;
}

function installed(): RawTlsBindings {
  if (bindings === null) throw new Error('raw TLS used before its bindings were installed');
  return bindings;
}

function noop(): void {}

function noopRead(): undefined {
  return undefined;
}

/**
 * uvError without a stack trace. Most TLS connections end with one such error: the client
 * has already closed (often with a reset) when our close_notify and FIN go out, and
 * shutdown(2) answers ENOTCONN, as it does to HAProxy. Capturing the stack was the costliest
 * part of that (several microseconds per connection), and it would only show this module's
 * callback frames; node's own uvException drops it the same way.
 */
function connError(status: number, syscall: string): NodeJS.ErrnoException {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return uvError(status, syscall);
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/** An error with the code node:tls gives a refused renegotiation. */
function renegotiationError(): Error & { code: string } {
  return Object.assign(new Error('TLS session renegotiation disabled for this socket'), { code: 'ERR_TLS_RENEGOTIATION_DISABLED' });
}

// TLSWrap's and libuv's callbacks below are where the event loop enters a raw TLS connection's
// owner: what the owner (or this file) throws goes to the owner's onInternalError
// (RawTlsConn.fault, internal-error.ts), never back into TLSWrap or libuv, which would end the
// process.

function onTlsRead(this: OwnedTlsWrap, arrayBuffer: ArrayBuffer | undefined): void {
  const conn = this[kConn];
  if (conn === undefined) return;
  const b = installed();
  const state = b.uv.streamBaseState;
  try {
    conn.onRead(state[b.uv.kReadBytesOrError] ?? 0, arrayBuffer, state[b.tls.kArrayBufferOffset] ?? 0);
  } catch (err) {
    conn.fault(err);
  }
}

function onHandshakeStart(this: OwnedTlsWrap): void {
  const conn = this[kConn];
  try {
    conn?.onHandshakeStart();
  } catch (err) {
    conn?.fault(err);
  }
}

function onHandshakeDone(this: OwnedTlsWrap): void {
  const conn = this[kConn];
  try {
    conn?.onHandshakeDone();
  } catch (err) {
    conn?.fault(err);
  }
}

function onTlsError(this: OwnedTlsWrap, err: Error): void {
  this[kConn]?.destroyWith(err);
}

function onWriteComplete(this: TlsWriteReq, status: number): void {
  this.chunk = null;
  try {
    this.conn.afterWrite(this.bytes, status, this.cb);
  } catch (err) {
    this.conn.fault(err);
  }
}

function onShutdownComplete(this: TlsShutdownReq, status: number): void {
  try {
    this.conn.afterShutdown(status);
  } catch (err) {
    this.conn.fault(err);
  }
}

/** The server-side options raw TLS applies to one TLSWrap (BindTls makes them once per bind). */
export interface RawTlsOptions {
  readonly secureContext: tls.SecureContext;
  readonly requestCert: boolean;
  readonly rejectUnauthorized: boolean;
  /** ALPN protocols in wire format (length-prefixed), or null. */
  readonly alpnWire: Uint8Array | null;
}

/** Called with the TCP handle as `this` once it closed (one shared function, no closure per connection). */
function onTcpClosed(this: OwnedTcp): void {
  const conn = this[kConn];
  this[kConn] = undefined;
  try {
    conn?.afterClose();
  } catch (err) {
    conn?.fault(err);
  }
}

export class RawTlsConn implements Conn {
  /** Who hears the handshake's end, drain, end, error and close; null: only listeners (if any) do. */
  handler: TlsConnHandler | null;
  /** Where cleartext goes (a fresh buffer per read, never reused: `reusable` is false); null: 'data' listeners. */
  reader: SocketReader | null = null;
  destroyed = false;
  writableEnded = false;
  /** Bytes accepted by write() and not yet written through TLSWrap. */
  writableLength = 0;
  /** True once the handshake completed. */
  secure = false;
  /** Writes waiting for the one in progress (made on first use: most connections never queue). */
  private queue: QueuedWrite[] | null = null;
  private writing = false;
  private needDrain = false;
  private reading = false;
  private readEnded = false;
  private shutdownStarted = false;
  private shutdownDone = false;
  private errored = false;
  private handshakes = 0;
  /** on()/once() listeners; null until someone listens (tests, the self-test; never the data path). */
  private emitter: EventEmitter | null = null;

  private constructor(private readonly tcp: OwnedTcp, private readonly ssl: OwnedTlsWrap, handler: TlsConnHandler | null) {
    this.handler = handler;
  }

  /**
   * Wraps `tcp` (an accepted connection nobody reads any more) in a server TLSWrap owned by
   * `handler` and hands it `hello`, the bytes already read (the ClientHello, or its start;
   * may be empty). Reading starts at once (the handshake needs it); the handler's
   * onConnSecure, or onConnError then onConnClose, follow.
   */
  static accept(tcp: TcpHandle, options: RawTlsOptions, hello: Uint8Array, handler: TlsConnHandler | null = null): RawTlsConn {
    const b = installed();
    // Reads of the TCP handle go to the TLSWrap from now on; a stray one goes nowhere (the
    // binding asserts a function here: null would abort the process).
    tcp.onread = noopRead;
    const ssl: OwnedTlsWrap = b.tls.wrap(tcp, options.secureContext.context as unknown, true, false);
    const conn = new RawTlsConn(tcp, ssl, handler);
    (tcp as OwnedTcp)[kConn] = conn;
    ssl[kConn] = conn;
    ssl.onread = onTlsRead;
    ssl.onhandshakestart = onHandshakeStart;
    ssl.onhandshakedone = onHandshakeDone;
    ssl.onerror = onTlsError;
    ssl.onnewsession = noop;
    ssl.onkeylog = noop;
    ssl.onclienthello = noop;
    ssl.oncertcb = noop;
    ssl.onocspresponse = noop;
    if (options.requestCert || options.rejectUnauthorized) ssl.setVerifyMode(options.requestCert, options.rejectUnauthorized);
    if (options.alpnWire !== null) ssl.setALPNProtocols(options.alpnWire);
    if (hello.length > 0) ssl.receive(hello);
    conn.resume();
    return conn;
  }

  // ---- events: the handler first, then listeners (net.Socket's order: error, then close) ----

  on(event: string, listener: Listener): this {
    (this.emitter ??= new EventEmitter()).on(event, listener);
    return this;
  }

  once(event: string, listener: Listener): this {
    (this.emitter ??= new EventEmitter()).once(event, listener);
    return this;
  }

  removeListener(event: string, listener: Listener): this {
    this.emitter?.removeListener(event, listener);
    return this;
  }

  listenerCount(event: string): number {
    return this.emitter?.listenerCount(event) ?? 0;
  }

  signalError(err: Error): void {
    // A connection nobody listens to for errors must not crash the process: no throw here.
    this.handler?.onConnError(this, err);
    const e = this.emitter;
    if (e !== null && e.listenerCount('error') > 0) e.emit('error', err);
  }

  /** The TCP handle closed and OpenSSL's state is freed: the last call to anyone. */
  afterClose(): void {
    // Frees OpenSSL's state and any write still referencing the TLSWrap (as TLSWrap.close).
    this.ssl.destroySSL();
    this.ssl[kConn] = undefined;
    this.handler?.onConnClose(this, this.errored);
    this.emitter?.emit('close', this.errored);
  }

  // ---- handshake -----------------------------------------------------------------------------

  onHandshakeStart(): void {
    // The first start is the handshake itself; any later one is a renegotiation the client
    // asked for, refused as HAProxy does (CO_ER_SSL_RENEG).
    if (++this.handshakes > 1) this.destroyWith(renegotiationError());
  }

  onHandshakeDone(): void {
    if (this.destroyed || this.secure) return;
    this.secure = true;
    this.handler?.onConnSecure?.(this);
    this.emitter?.emit('secure');
  }

  /** The negotiated values, read off the TLSWrap (the calls TLSSocket's getters make). */
  get alpnProtocol(): string | null {
    const p = this.ssl.getALPNNegotiatedProtocol();
    return typeof p === 'string' && p !== '' ? p : null;
  }

  get servername(): string | null {
    const s = this.ssl.getServername();
    return typeof s === 'string' && s !== '' ? s : null;
  }

  getProtocol(): string {
    return this.ssl.getProtocol() ?? '';
  }

  getCipherName(): string {
    return this.ssl.getCipher()?.name ?? '';
  }

  isSessionReused(): boolean {
    return this.ssl.isSessionReused();
  }

  /** The client's certificate (also on a resumed session), or undefined. */
  peerX509Certificate(): X509Certificate | undefined {
    const legacy = this.ssl.getPeerCertificate(false);
    const der = legacy?.raw;
    return der === undefined || der.length === 0 ? undefined : new X509Certificate(der);
  }

  /** OpenSSL's verification result as node:tls names it, null when the certificate verified. */
  verifyErrorCode(): string | null {
    const err = this.ssl.verifyError();
    return err === null || err === undefined ? null : (err.code ?? 'UNSPECIFIED');
  }

  // ---- reading -------------------------------------------------------------------------------

  resume(): this {
    if (this.destroyed || this.readEnded || this.reading) return this;
    const err = this.ssl.readStart();
    if (err !== 0) return this.destroyWith(connError(err, 'read'));
    this.reading = true;
    return this;
  }

  pause(): this {
    if (!this.reading || this.destroyed) return this;
    this.reading = false;
    this.ssl.readStop();
    return this;
  }

  /** TLSWrap's read callback: cleartext in a fresh ArrayBuffer (kept, not copied), EOF or an error. */
  onRead(nread: number, arrayBuffer: ArrayBuffer | undefined, offset: number): void {
    if (this.destroyed) return;
    if (nread > 0 && arrayBuffer !== undefined) {
      // TLSWrap hands each read a fresh ArrayBuffer: the reader may keep the chunk.
      const chunk = Buffer.from(arrayBuffer, offset, nread);
      const reader = this.reader;
      if (reader === null) this.emitter?.emit('data', chunk);
      else if (!reader.onSocketRead(chunk, false)) this.pause();
      return;
    }
    if (nread >= 0) return;
    if (nread !== UV_EOF) {
      this.destroyWith(connError(nread, 'read'));
      return;
    }
    this.readEnded = true;
    this.reading = false;
    this.handler?.onConnEnd(this);
    this.emitter?.emit('end');
    if (this.shutdownDone) this.destroy();
  }

  // ---- writing -------------------------------------------------------------------------------

  write(chunk: Uint8Array, cb?: (err?: Error | null) => void): boolean {
    if (this.destroyed || this.writableEnded) return false;
    this.writableLength += chunk.length;
    if (this.writing) (this.queue ??= []).push({ chunk, cb });
    else this.dispatch(chunk, cb);
    if (this.writableLength < WRITE_HIGH_WATER_BYTES) return true;
    this.needDrain = true;
    return false;
  }

  private dispatch(chunk: Uint8Array, cb: ((err?: Error | null) => void) | undefined): void {
    const b = installed().uv;
    const req = new b.WriteWrap() as TlsWriteReq;
    req.handle = this.ssl as unknown as TcpHandle;
    req.conn = this;
    req.bytes = chunk.length;
    req.chunk = chunk;
    req.cb = cb;
    req.oncomplete = onWriteComplete;
    this.writing = true;
    const err = this.ssl.writeBuffer(req, chunk);
    if (err !== 0) {
      this.writing = false;
      this.destroyWith(connError(err, 'write'));
      return;
    }
    // A write that completed at once calls no oncomplete (net's afterWriteDispatched).
    if (b.streamBaseState[b.kLastWriteWasAsync] === 0) this.afterWrite(chunk.length, 0, cb);
  }

  afterWrite(bytes: number, status: number, cb: ((err?: Error | null) => void) | undefined): void {
    this.writing = false;
    this.writableLength -= bytes;
    if (this.destroyed) return cb?.(null);
    if (status < 0) {
      const err = connError(status, 'write');
      this.destroyWith(err);
      return cb?.(err);
    }
    cb?.(null);
    if (this.destroyed) return;
    const next = this.queue?.shift();
    if (next !== undefined) return this.dispatch(next.chunk, next.cb);
    if (this.needDrain) {
      this.needDrain = false;
      this.handler?.onConnDrain(this);
      this.emitter?.emit('drain');
    }
    if (this.writableEnded && !this.shutdownStarted && !this.destroyed) this.shutdown();
  }

  /** close_notify and our FIN once the queued bytes are out (half-close). */
  end(): this {
    if (this.writableEnded || this.destroyed) return this;
    this.writableEnded = true;
    if (!this.writing) this.shutdown();
    return this;
  }

  private shutdown(): void {
    this.shutdownStarted = true;
    const req = new (installed().uv.ShutdownWrap)() as TlsShutdownReq;
    req.conn = this;
    req.handle = this.ssl as unknown as TcpHandle;
    req.oncomplete = onShutdownComplete;
    const err = this.ssl.shutdown(req);
    if (err !== 0) this.destroyWith(connError(err, 'shutdown'));
  }

  afterShutdown(status: number): void {
    if (this.destroyed) return;
    if (status < 0) {
      this.destroyWith(connError(status, 'shutdown'));
      return;
    }
    this.shutdownDone = true;
    if (this.readEnded) this.destroy();
  }

  // ---- closing -------------------------------------------------------------------------------

  /**
   * An exception escaped a call into this connection's owner (or this file's own code): the
   * owner ends its session (internal-error.ts). A connection nobody owns (only on() listeners:
   * the self-test, tests) closes with the error marked internal.
   */
  fault(err: unknown): void {
    const owner = this.handler ?? this.reader;
    if (owner !== null) {
      owner.onInternalError(err);
      return;
    }
    this.destroyWith(markInternal(err));
  }

  /**
   * Closes at once with a TCP reset (RST, no close_notify), as net.Socket's resetAndDestroy;
   * after our close_notify and FIN were queued, a plain close.
   */
  resetAndDestroy(): this {
    if (this.destroyed) return this;
    return this.closeTcp(!this.shutdownStarted && this.tcp.reset !== undefined);
  }

  destroy(): this {
    if (this.destroyed) return this;
    return this.closeTcp(false);
  }

  /** Closes the TCP handle (with a reset when asked); afterClose follows from its callback. */
  private closeTcp(reset: boolean): this {
    this.destroyed = true;
    this.reading = false;
    this.queue = null;
    const tcp = this.tcp;
    if (!reset || tcp.reset?.(onTcpClosed) !== 0) tcp.close(onTcpClosed);
    return this;
  }

  /** Closes because of `err`: 'error' (next tick, as net) then 'close' with hadError. */
  destroyWith(err: Error): this {
    if (this.destroyed) return this;
    this.errored = true;
    process.nextTick(emitError, this, err);
    return this.destroy();
  }

  setNoDelay(noDelay = true): this {
    if (!this.destroyed) this.tcp.setNoDelay(noDelay);
    return this;
  }
}
