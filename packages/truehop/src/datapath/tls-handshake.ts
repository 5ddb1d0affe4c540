// The TLS handshake phase of a session on an `ssl` bind: the client's TCP connection (after the
// PROXY header when accept-proxy is set) is wrapped in a server-side TLS stream; the session
// waits here, under `timeout client-hs`, until the handshake completes and the client
// certificate passed `verify`, then carries on with the TLS stream as its client stream.
// Which TLS stream depends on the connection: a raw transport connection (RawConn) becomes a
// RawTlsConn (OpenSSL's TLSWrap on its libuv handle, transport/raw-tls.ts), a net.Socket a
// tls.TLSSocket (the socket transport, and the fallback when raw TLS failed its self-test).
// Plain binds never reach this module: their per-connection cost is unchanged.
//
// A failed handshake is closed, counted and logged under HAProxy's CO_ER_SSL_* name
// ('SSL handshake failure', …); thousands of half-done handshakes each cost one timer and
// one TLSSocket, bounded by the maxconn gates the connection already went through.
import { Buffer } from 'node:buffer';
import type { X509Certificate } from 'node:crypto';
import type net from 'node:net';
import tls from 'node:tls';
import type { TlsCertificate } from '../model/tls.js';
import type { SslErrorName } from '../model/connection-errors.js';
import type { SessionContext, TlsSession } from '../model/session.js';
import { countRejection } from '../observe/counters.js';
import { TRAFFIC_LOG_LEVEL } from '../observe/syslog-format.js';
import { formatConnectionErrorLog } from '../observe/tcplog.js';
import type { BindRuntime, RuntimeFrontend } from './frontend.js';
import type { BindTls } from './bind-tls.js';
import { peekClientHello } from './client-hello.js';
import { peerVerifyError } from './tls-peer-verify.js';
import type { SocketReader } from './reused-read-buffers.js';
import type { Conn, ConnHandler, TlsConnHandler } from './transport/conn.js';
import { attachHandler } from './transport/transport.js';
import { RawConn } from './transport/raw-conn.js';
import { RawTlsConn } from './transport/raw-tls.js';
import { guardedTimer, isInternal, type InternalErrorSink } from './internal-error.js';

/** The TLS stream a handshake runs on: node:tls's, or raw TLS's. */
type TlsStream = tls.TLSSocket | RawTlsConn;

/**
 * What the session is told as the handshake goes. It owns the client connection's events
 * (ConnHandler) except while the phase holds a raw one: the phase then passes each event on
 * after its own reaction.
 */
export interface TlsHandshakeOwner extends ConnHandler, InternalErrorSink {
  /** The ClientHello arrived: from now on `stream` is the client stream. */
  onTlsWrapped(stream: Conn): void;
  onTlsReady(info: TlsSession): void;
  onTlsFailed(reason: SslErrorName, detail: string | null): void;
}

/** Errors about the chain above the client's certificate: HAProxy's CA_FAIL (depth > 0), else CRT_FAIL. */
const CHAIN_ERRORS = new Set(['SELF_SIGNED_CERT_IN_CHAIN', 'INVALID_CA', 'PATH_LENGTH_EXCEEDED', 'CERT_CHAIN_TOO_LONG', 'UNABLE_TO_GET_ISSUER_CERT']);

const NO_BYTES = Buffer.alloc(0);

/** A handshake error as HAProxy names the connection error. */
function failureReason(err: Error & { code?: string }): SslErrorName {
  const code = err.code ?? '';
  if (code === 'ERR_TLS_RENEGOTIATION_DISABLED' || code === 'ERR_TLS_SESSION_ATTACK') return 'SSL_RENEG';
  if (code === 'ECONNRESET' || code === 'EPIPE') return 'SSL_ABORT';
  return 'SSL_HANDSHAKE';
}

/** The phase's listeners on a net.Socket / TLSSocket (socket transport), bound once per phase. */
interface SocketListeners {
  readonly data: (chunk: Buffer) => void;
  readonly secure: () => void;
  readonly error: (err: Error) => void;
  readonly end: () => void;
}

/**
 * The handshake in progress: first, when the SNI can choose the certificate, the ClientHello
 * is read from the TCP connection (client-hello.ts), then TLS (TLSWrap or a TLSSocket) runs
 * the handshake; one time limit covers both. On the raw transport the phase is the connection's
 * one owner (TlsConnHandler) until the handshake ends; on the socket transport it listens.
 */
export class TlsHandshakePhase implements SocketReader, TlsConnHandler {
  readonly kind = 'tls-handshake';
  private timer: NodeJS.Timeout | null;
  private done = false;
  private hello: Buffer | null = null;
  private socket: TlsStream | null = null;
  /** Listeners for the socket transport's streams; null on the raw transport. */
  private listeners: SocketListeners | null = null;
  /** The certificate the handshake presents (set when the ClientHello is read). */
  private certificate: TlsCertificate;

  private constructor(
    private readonly raw: net.Socket | RawConn,
    private readonly bind: BindTls,
    private readonly owner: TlsHandshakeOwner,
    timeoutMs: number,
  ) {
    this.timer = timeoutMs > 0 ? setTimeout(TlsHandshakePhase.onTimeout, timeoutMs, this) : null;
    this.certificate = bind.model.defaultCertificate;
  }

  /**
   * Starts on `raw` (its session no longer reads it); `rest` = bytes already read past a
   * PROXY header, the start of the ClientHello.
   */
  static start(raw: net.Socket | RawConn, rest: Buffer | null, bind: BindTls, owner: TlsHandshakeOwner, timeoutMs: number): TlsHandshakePhase {
    const phase = new TlsHandshakePhase(raw, bind, owner, timeoutMs);
    if (!bind.choosesBySni) {
      // One certificate whatever the SNI: TLS starts at once and reads the ClientHello itself.
      phase.wrap(rest ?? NO_BYTES, null);
      return phase;
    }
    if (raw instanceof RawConn) {
      // A raw connection's reads come to onSocketRead, its events to the phase (ConnHandler).
      raw.reader = phase;
      raw.handler = phase;
    } else {
      const l = phase.listen();
      raw.on('data', l.data);
      raw.on('error', l.error);
      raw.on('end', l.end);
      raw.on('close', l.end);
    }
    if (rest !== null && rest.length > 0) phase.onHelloData(rest);
    if (!phase.done && phase.socket === null) raw.resume();
    return phase;
  }

  private static readonly onTimeout = guardedTimer((phase: TlsHandshakePhase): void => {
    phase.timer = null;
    phase.fail('SSL_TIMEOUT', null);
  });

  /** What the phase's code throws ends the session (internal-error.ts). */
  onInternalError(err: unknown): void {
    this.owner.onInternalError(err);
  }

  /**
   * Stands the phase down without a verdict (its session is being reset after an internal
   * error): no timer, the session owns the stream's events, so the reset is not reported as a
   * failed handshake.
   */
  cancel(): void {
    if (this.done) return;
    this.done = true;
    this.stopTimer();
    this.release(this.socket ?? this.raw, true);
  }

  stopTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  /**
   * The listeners for socket-transport streams (made once, on that transport only); what they
   * throw goes to the session (internal-error.ts) instead of out of emit().
   */
  private listen(): SocketListeners {
    const guarded = <A extends unknown[]>(fn: (...args: A) => void) => (...args: A): void => {
      try {
        fn(...args);
      } catch (err) {
        this.owner.onInternalError(err);
      }
    };
    return (this.listeners ??= {
      data: guarded((chunk: Buffer) => this.onHelloData(chunk)),
      secure: guarded(() => this.onSecure()),
      error: guarded((err: Error) => this.onError(err)),
      end: guarded(() => this.fail('SSL_EMPTY', null)),
    });
  }

  /** A RawConn's read (SocketReader): the ClientHello is kept until complete, so a shared chunk is copied. */
  onSocketRead(chunk: Buffer, reusable: boolean): boolean {
    if (this.done) return true;
    this.onHelloData(reusable ? Buffer.from(chunk) : chunk);
    return this.socket === null && !this.done;
  }

  /** The ClientHello is small: reads stay in the shared buffer (copied out). */
  ownReadBuffer(): null {
    return null;
  }

  // ---- the raw connection's events while the phase owns it (ConnHandler), then the session's ----

  onConnConnect(): void {}

  onConnDrain(conn: Conn): void {
    this.owner.onConnDrain(conn);
  }

  onConnEnd(conn: Conn): void {
    this.fail('SSL_EMPTY', null);
    this.owner.onConnEnd(conn);
  }

  onConnError(conn: Conn, err: Error): void {
    this.onError(err);
    // The session ends itself with `I` on an error marked internal (its onConnError).
    this.owner.onConnError(conn, err);
  }

  onConnClose(conn: Conn, hadError: boolean): void {
    this.fail('SSL_EMPTY', null);
    this.owner.onConnClose(conn, hadError);
  }

  onConnSecure(): void {
    this.onSecure();
  }

  private onHelloData(chunk: Buffer): void {
    const buf = this.hello === null ? chunk : Buffer.concat([this.hello, chunk]);
    this.hello = buf;
    const peek = peekClientHello(buf);
    if (peek.status === 'incomplete') return;
    this.wrap(buf, peek.status === 'hello' ? peek.servername : null);
  }

  /** Hands the ClientHello bytes to TLS (TLSWrap or TLSSocket) and starts it with the chosen certificate. */
  private wrap(hello: Buffer, servername: string | null): void {
    const raw = this.raw;
    this.hello = null;
    const cert = this.bind.certificateFor(servername);
    if (cert !== undefined) this.certificate = cert;
    if (raw instanceof RawConn) {
      raw.reader = null;
      // The phase owns the TLS stream's events until the handshake ends (onConnSecure / fail).
      const stream = RawTlsConn.accept(raw.releaseHandle(), this.bind.rawOptionsFor(cert), hello, this);
      this.socket = stream;
      this.owner.onTlsWrapped(stream);
      return;
    }
    this.detach(raw);
    raw.pause();
    if (hello.length > 0) raw.unshift(hello);
    raw.on('error', ignoreError);
    const socket = new tls.TLSSocket(raw, this.bind.optionsFor(cert));
    // Any renegotiation closes the connection, as HAProxy (CO_ER_SSL_RENEG): each one costs
    // us a full handshake the client can ask for at will (CVE-2011-1473). Raw TLS refuses
    // them itself (RawTlsConn.onHandshakeStart).
    socket.disableRenegotiation();
    this.socket = socket;
    const l = this.listen();
    socket.once('secure', l.secure);
    socket.on('error', l.error);
    socket.on('end', l.end);
    socket.on('close', l.end);
    this.owner.onTlsWrapped(socket);
  }

  private onError(err: Error): void {
    // A transport that closed the connection because its own code failed: an internal error,
    // not the client's; the session hears the same error and ends itself with `I`.
    if (isInternal(err)) return;
    this.fail(failureReason(err), (err as { code?: string }).code ?? null);
  }

  /** Our handshake listeners off a socket-transport stream (Node's own stay). */
  private detach(s: Conn): void {
    const l = this.listeners;
    if (l === null) return;
    s.removeListener('data', l.data);
    s.removeListener('secure', l.secure);
    s.removeListener('error', l.error);
    s.removeListener('end', l.end);
    s.removeListener('close', l.end);
  }

  /** The phase is over: the session owns the stream's events from now on. */
  private release(s: Conn, failed: boolean): void {
    if (s instanceof RawConn || s instanceof RawTlsConn) {
      attachHandler(s, this.owner);
      return;
    }
    this.detach(s);
    // A late error of the closing socket must not become an unhandled 'error' event.
    if (failed) s.on('error', ignoreError);
  }

  private fail(reason: SslErrorName, detail: string | null): void {
    if (this.done) return;
    this.cancel();
    this.owner.onTlsFailed(reason, detail);
  }

  private onSecure(): void {
    const s = this.socket;
    if (this.done || s === null) return;
    const peer = this.bind.model.verify === 'none' ? undefined : peerCertificateOf(s);
    if (peer !== undefined) {
      // verify optional|required: a certificate that does not verify ends the connection
      // before any byte is forwarded (HAProxy without ca-ignore-err/crt-ignore-err), so an
      // established session always has verify result 0 (X509_V_OK), as HAProxy's.
      const code = s instanceof RawTlsConn ? s.verifyErrorCode() : peerVerifyError(s);
      if (code !== null) return this.fail(CHAIN_ERRORS.has(code) ? 'SSL_CA_FAIL' : 'SSL_CRT_FAIL', code);
    }
    this.done = true;
    this.stopTimer();
    this.release(s, false);
    const alpn = s.alpnProtocol;
    const sni = (s as { servername?: string | false | null }).servername;
    this.owner.onTlsReady({
      protocol: s.getProtocol() ?? '',
      cipher: s instanceof RawTlsConn ? s.getCipherName() : s.getCipher().name,
      sni: typeof sni === 'string' && sni !== '' ? sni : null,
      alpn: typeof alpn === 'string' && alpn !== '' ? alpn : null,
      certificate: this.certificate,
      peerCertificate: peer ?? null,
      // Only a client certificate makes the question worth a call into OpenSSL.
      peerCertificateThisConnection: peer !== undefined && !s.isSessionReused(),
      verifyResult: 0,
    });
  }
}

function ignoreError(): void {}

/** The client's certificate on either TLS stream (also on a resumed session), or undefined. */
function peerCertificateOf(s: TlsStream): X509Certificate | undefined {
  return s instanceof RawTlsConn ? s.peerX509Certificate() : s.getPeerX509Certificate();
}

/** Counts and logs a failed handshake under HAProxy's name; our detail (OpenSSL's reason) in brackets. */
export function reportTlsFailure(frontend: RuntimeFrontend, bind: BindRuntime, ctx: SessionContext, reason: SslErrorName, detail: string | null): void {
  ctx.errorCode = reason;
  const shared = frontend.shared;
  shared.counters.sslHandshakeFailures++;
  countRejection(shared.rejections, reason);
  if (frontend.logs.enabled) frontend.logs.send(formatConnectionErrorLog(ctx, bind.label, reason, detail), TRAFFIC_LOG_LEVEL, Date.now());
}
