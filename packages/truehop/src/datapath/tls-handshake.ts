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
import type { Conn } from './transport/conn.js';
import { RawConn } from './transport/raw-conn.js';
import { RawTlsConn } from './transport/raw-tls.js';
import { guardedTimer, isInternal, type InternalErrorSink } from './internal-error.js';

/** The TLS stream a handshake runs on: node:tls's, or raw TLS's. */
type TlsStream = tls.TLSSocket | RawTlsConn;

/** What the session is told as the handshake goes; what the phase's code throws goes to its onInternalError. */
export interface TlsHandshakeOwner extends InternalErrorSink {
  /** The ClientHello arrived: from now on `stream` is the client stream. */
  onTlsWrapped(stream: Conn): void;
  onTlsReady(info: TlsSession): void;
  onTlsFailed(reason: SslErrorName, detail: string | null): void;
}

/** Errors about the chain above the client's certificate: HAProxy's CA_FAIL (depth > 0), else CRT_FAIL. */
const CHAIN_ERRORS = new Set(['SELF_SIGNED_CERT_IN_CHAIN', 'INVALID_CA', 'PATH_LENGTH_EXCEEDED', 'CERT_CHAIN_TOO_LONG', 'UNABLE_TO_GET_ISSUER_CERT']);

/** A handshake error as HAProxy names the connection error. */
function failureReason(err: Error & { code?: string }): SslErrorName {
  const code = err.code ?? '';
  if (code === 'ERR_TLS_RENEGOTIATION_DISABLED' || code === 'ERR_TLS_SESSION_ATTACK') return 'SSL_RENEG';
  if (code === 'ECONNRESET' || code === 'EPIPE') return 'SSL_ABORT';
  return 'SSL_HANDSHAKE';
}

/**
 * The handshake in progress: first the ClientHello is read from the TCP socket (to choose the
 * certificate by its SNI, client-hello.ts), then the TLSSocket runs the handshake; one time
 * limit covers both.
 */
export class TlsHandshakePhase implements SocketReader {
  readonly kind = 'tls-handshake';
  private timer: NodeJS.Timeout | null;
  private done = false;
  private hello: Buffer | null = null;
  private socket: TlsStream | null = null;
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
    // A raw connection's reads come to onSocketRead, a net.Socket's as 'data' events.
    if (raw instanceof RawConn) raw.reader = phase;
    else raw.on('data', phase.onHelloData);
    raw.on('error', phase.onError);
    raw.on('end', phase.onEnd);
    raw.on('close', phase.onEnd);
    if (rest !== null && rest.length > 0) phase.onHelloData(rest);
    if (!phase.done && phase.socket === null) raw.resume();
    return phase;
  }

  private static readonly onTimeout = guardedTimer((phase: TlsHandshakePhase): void => {
    phase.timer = null;
    phase.fail('SSL_TIMEOUT', null);
  });

  onInternalError(err: unknown): void {
    this.owner.onInternalError(err);
  }

  /**
   * Stands the phase down without a verdict (its session is being reset after an internal
   * error): no timer, no listener of ours, so the reset is not reported as a failed handshake.
   */
  cancel(): void {
    if (this.done) return;
    this.done = true;
    this.stopTimer();
    const s: Conn = this.socket ?? this.raw;
    this.detach(s);
    // A late error of the closing socket must not become an unhandled 'error' event.
    s.on('error', ignoreError);
  }

  stopTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  /** A RawConn's read (SocketReader): the ClientHello is kept until complete, so a shared chunk is copied. */
  onSocketRead(chunk: Buffer, reusable: boolean): boolean {
    this.onHelloData(reusable ? Buffer.from(chunk) : chunk);
    return this.socket === null && !this.done;
  }

  /** The ClientHello is small: reads stay in the shared buffer (copied out). */
  ownReadBuffer(): null {
    return null;
  }

  // The listeners below run from the sockets' events: each catches what escapes it and hands
  // it to the session (internal-error.ts), as transport.ts's shared listeners do.
  private readonly onHelloData = (chunk: Buffer): void => {
    try {
      const buf = this.hello === null ? chunk : Buffer.concat([this.hello, chunk]);
      this.hello = buf;
      const peek = peekClientHello(buf);
      if (peek.status === 'incomplete') return;
      this.wrap(buf, peek.status === 'hello' ? peek.servername : null);
    } catch (err) {
      this.owner.onInternalError(err);
    }
  };

  /** Hands the ClientHello bytes to TLS (TLSWrap or TLSSocket) and starts it with the chosen certificate. */
  private wrap(hello: Buffer, servername: string | null): void {
    const raw = this.raw;
    this.detach(raw);
    this.hello = null;
    const cert = this.bind.certificateFor(servername);
    if (cert !== undefined) this.certificate = cert;
    if (raw instanceof RawConn) {
      raw.reader = null;
      this.listenToTls(RawTlsConn.accept(raw.releaseHandle(), this.bind.rawOptionsFor(cert), hello));
      return;
    }
    raw.pause();
    raw.unshift(hello);
    raw.on('error', ignoreError);
    const socket = new tls.TLSSocket(raw, this.bind.optionsFor(cert));
    // Any renegotiation closes the connection, as HAProxy (CO_ER_SSL_RENEG): each one costs
    // us a full handshake the client can ask for at will (CVE-2011-1473). Raw TLS refuses
    // them itself (RawTlsConn.onHandshakeStart).
    socket.disableRenegotiation();
    this.listenToTls(socket);
  }

  private listenToTls(socket: TlsStream): void {
    this.socket = socket;
    socket.once('secure', this.onSecure);
    socket.on('error', this.onError);
    socket.on('end', this.onEnd);
    socket.on('close', this.onEnd);
    this.owner.onTlsWrapped(socket);
  }

  private readonly onError = (err: Error): void => {
    try {
      // Raw TLS closed the connection because its own code failed: an internal error, not the
      // client's. The session hears the same 'error' as the stream's handler (after
      // onTlsWrapped) and ends itself with I; reporting it here too would count it twice.
      if (isInternal(err)) return;
      this.fail(failureReason(err), (err as { code?: string }).code ?? null);
    } catch (bug) {
      this.owner.onInternalError(bug);
    }
  };
  private readonly onEnd = (): void => {
    try {
      this.fail('SSL_EMPTY', null);
    } catch (err) {
      this.owner.onInternalError(err);
    }
  };

  /** Our handshake listeners off a socket (Node's own stay). */
  private detach(s: Conn): void {
    s.removeListener('data', this.onHelloData);
    s.removeListener('secure', this.onSecure);
    s.removeListener('error', this.onError);
    s.removeListener('end', this.onEnd);
    s.removeListener('close', this.onEnd);
  }

  private fail(reason: SslErrorName, detail: string | null): void {
    if (this.done) return;
    this.cancel();
    this.owner.onTlsFailed(reason, detail);
  }

  private readonly onSecure = (): void => {
    try {
      this.secured();
    } catch (err) {
      this.owner.onInternalError(err);
    }
  };

  private secured(): void {
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
    this.detach(s);
    const reused = s.isSessionReused();
    const alpn = s.alpnProtocol;
    const sni = (s as { servername?: string | false | null }).servername;
    this.owner.onTlsReady({
      protocol: s.getProtocol() ?? '',
      cipher: s instanceof RawTlsConn ? s.getCipherName() : s.getCipher().name,
      sni: typeof sni === 'string' && sni !== '' ? sni : null,
      alpn: typeof alpn === 'string' && alpn !== '' ? alpn : null,
      certificate: this.certificate,
      peerCertificate: peer ?? null,
      peerCertificateThisConnection: peer !== undefined && !reused,
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
