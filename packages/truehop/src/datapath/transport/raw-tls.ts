// A server-side TLS connection on the raw transport: OpenSSL's TLSWrap (tls-binding.ts) straight
// over the accepted libuv TCP handle, without the net.Socket and tls.TLSSocket node:tls would
// build around it (their V8 work is most of what a TLS handshake costs us beyond OpenSSL's,
// docs/tls.md "Speed"). It keeps the contract of conn.ts with net.Socket's events, so the
// session drives it exactly as it drives a TLSSocket: 'secure' (handshake done), 'data',
// 'drain', 'end', 'error', 'close'. No addresses: the session took them from the accepted
// connection (listener.ts) before the handshake. What node:tls does in JS and this does itself:
//  * TLSWrap takes one write at a time: later ones queue here (net.Socket's queue), and a
//    write that completed at once calls no oncomplete (kLastWriteWasAsync says so);
//  * any renegotiation (a second handshake start) is an error, as disableRenegotiation();
//  * close = close the TCP handle, then destroySSL (as TLSWrap.prototype.close does).
import { EventEmitter } from 'node:events';
import type tls from 'node:tls';
import { X509Certificate } from 'node:crypto';
import type { Conn } from './conn.js';
import type { LibuvBindings, ShutdownReq, TcpHandle, WriteReq } from './libuv.js';
import { UV_EOF, uvError, WRITE_HIGH_WATER_BYTES } from './raw-conn.js';
import type { TlsWrapBinding, TlsWrapHandle } from './tls-binding.js';
import { markInternal } from '../internal-error.js';

const kConn = Symbol('truehop.rawTlsConn');
type OwnedTlsWrap = TlsWrapHandle & { [kConn]?: RawTlsConn | undefined };

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

/** An error with the code node:tls gives a refused renegotiation. */
function renegotiationError(): Error & { code: string } {
  return Object.assign(new Error('TLS session renegotiation disabled for this socket'), { code: 'ERR_TLS_RENEGOTIATION_DISABLED' });
}

// TLSWrap's and libuv's callbacks below are where the event loop enters a raw TLS connection.
// Its owners listen through EventEmitter listeners that catch their own exceptions
// (transport.ts, client-session.ts, tls-handshake.ts); what still escapes is this file's own
// bug: the connection closes with the error marked internal (internal-error.ts), so its owner's
// 'error' listener ends the session with `I` instead of the process dying.

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

function emitError(conn: RawTlsConn, err: Error): void {
  try {
    if (conn.listenerCount('error') > 0) conn.emit('error', err);
  } catch {
    // An 'error' listener threw while the connection is already closing: 'close' still follows.
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

export class RawTlsConn extends EventEmitter implements Conn {
  destroyed = false;
  writableEnded = false;
  /** Bytes accepted by write() and not yet written through TLSWrap. */
  writableLength = 0;
  /** True once the handshake completed. */
  secure = false;
  private readonly queue: QueuedWrite[] = [];
  private writing = false;
  private needDrain = false;
  private reading = false;
  private readEnded = false;
  private shutdownStarted = false;
  private shutdownDone = false;
  private errored = false;
  private handshakes = 0;

  private constructor(private readonly tcp: TcpHandle, private readonly ssl: OwnedTlsWrap) {
    super();
  }

  /**
   * Wraps `tcp` (an accepted connection nobody reads any more) in a server TLSWrap and hands
   * it `hello`, the bytes already read (the ClientHello). Reading starts at once (the
   * handshake needs it); 'secure' or 'error' then 'close' follow.
   */
  static accept(tcp: TcpHandle, options: RawTlsOptions, hello: Uint8Array): RawTlsConn {
    const b = installed();
    // Reads of the TCP handle go to the TLSWrap from now on; a stray one goes nowhere (the
    // binding asserts a function here: null would abort the process).
    tcp.onread = noopRead;
    const ssl: OwnedTlsWrap = b.tls.wrap(tcp, options.secureContext.context as unknown, true, false);
    const conn = new RawTlsConn(tcp, ssl);
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

  // ---- handshake -----------------------------------------------------------------------------

  onHandshakeStart(): void {
    // The first start is the handshake itself; any later one is a renegotiation the client
    // asked for, refused as HAProxy does (CO_ER_SSL_RENEG).
    if (++this.handshakes > 1) this.destroyWith(renegotiationError());
  }

  onHandshakeDone(): void {
    if (this.destroyed || this.secure) return;
    this.secure = true;
    this.emit('secure');
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
    if (err !== 0) return this.destroyWith(uvError(err, 'read'));
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
      this.emit('data', Buffer.from(arrayBuffer, offset, nread));
      return;
    }
    if (nread >= 0) return;
    if (nread !== UV_EOF) {
      this.destroyWith(uvError(nread, 'read'));
      return;
    }
    this.readEnded = true;
    this.reading = false;
    this.emit('end');
    if (this.shutdownDone) this.destroy();
  }

  // ---- writing -------------------------------------------------------------------------------

  write(chunk: Uint8Array, cb?: (err?: Error | null) => void): boolean {
    if (this.destroyed || this.writableEnded) return false;
    this.writableLength += chunk.length;
    if (this.writing) this.queue.push({ chunk, cb });
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
      this.destroyWith(uvError(err, 'write'));
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
      const err = uvError(status, 'write');
      this.destroyWith(err);
      return cb?.(err);
    }
    cb?.(null);
    if (this.destroyed) return;
    const next = this.queue.shift();
    if (next !== undefined) return this.dispatch(next.chunk, next.cb);
    if (this.needDrain) {
      this.needDrain = false;
      this.emit('drain');
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
    if (err !== 0) this.destroyWith(uvError(err, 'shutdown'));
  }

  afterShutdown(status: number): void {
    if (this.destroyed) return;
    if (status < 0) {
      this.destroyWith(uvError(status, 'shutdown'));
      return;
    }
    this.shutdownDone = true;
    if (this.readEnded) this.destroy();
  }

  // ---- closing -------------------------------------------------------------------------------

  /** An exception escaped this connection's code or a listener: close it with the error marked internal. */
  fault(err: unknown): void {
    if (this.destroyed) return;
    this.destroyWith(markInternal(err));
  }

  destroy(): this {
    if (this.destroyed) return this;
    this.destroyed = true;
    this.reading = false;
    this.queue.length = 0;
    this.tcp.close(this.afterClose);
    return this;
  }

  /**
   * Closes at once with a TCP reset (RST, no close_notify), as net.Socket's resetAndDestroy;
   * after our close_notify and FIN were queued, a plain close.
   */
  resetAndDestroy(): this {
    if (this.destroyed) return this;
    const tcp = this.tcp;
    if (this.shutdownStarted || tcp.reset === undefined) return this.destroy();
    this.destroyed = true;
    this.reading = false;
    this.queue.length = 0;
    if (tcp.reset(this.afterClose) !== 0) tcp.close(this.afterClose);
    return this;
  }

  private readonly afterClose = (): void => {
    // Frees OpenSSL's state and any write still referencing the TLSWrap (as TLSWrap.close).
    this.ssl.destroySSL();
    this.ssl[kConn] = undefined;
    try {
      this.emit('close', this.errored);
    } catch {
      // A 'close' listener threw: nothing is left to close; its owner's guard reported it.
    }
  };

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
