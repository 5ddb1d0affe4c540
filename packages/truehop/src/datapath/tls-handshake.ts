// The TLS handshake phase of a session on an `ssl` bind: the client's TCP socket (after the
// PROXY header when accept-proxy is set) is wrapped in a server-side TLSSocket; the session
// waits here, under `timeout client-hs`, until the handshake completes and the client
// certificate passed `verify`, then carries on with the TLSSocket as its client stream.
// Plain binds never reach this module: their per-connection cost is unchanged.
//
// A failed handshake is closed, counted and logged under HAProxy's CO_ER_SSL_* name
// ('SSL handshake failure', …); thousands of half-done handshakes each cost one timer and
// one TLSSocket, bounded by the maxconn gates the connection already went through.
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

/** What the session is told as the handshake goes. */
export interface TlsHandshakeOwner {
  /** The ClientHello arrived: from now on `socket` is the client stream. */
  onTlsWrapped(socket: tls.TLSSocket): void;
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
export class TlsHandshakePhase {
  readonly kind = 'tls-handshake';
  private timer: NodeJS.Timeout | null;
  private done = false;
  private hello: Buffer | null = null;
  private socket: tls.TLSSocket | null = null;
  /** The certificate the handshake presents (set when the ClientHello is read). */
  private certificate: TlsCertificate;

  private constructor(
    private readonly raw: net.Socket,
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
  static start(raw: net.Socket, rest: Buffer | null, bind: BindTls, owner: TlsHandshakeOwner, timeoutMs: number): TlsHandshakePhase {
    const phase = new TlsHandshakePhase(raw, bind, owner, timeoutMs);
    raw.on('data', phase.onHelloData);
    raw.on('error', phase.onError);
    raw.on('end', phase.onEnd);
    raw.on('close', phase.onEnd);
    if (rest !== null && rest.length > 0) phase.onHelloData(rest);
    if (!phase.done && phase.socket === null) raw.resume();
    return phase;
  }

  private static onTimeout(this: void, phase: TlsHandshakePhase): void {
    phase.timer = null;
    phase.fail('SSL_TIMEOUT', null);
  }

  stopTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private readonly onHelloData = (chunk: Buffer): void => {
    const buf = this.hello === null ? chunk : Buffer.concat([this.hello, chunk]);
    this.hello = buf;
    const peek = peekClientHello(buf);
    if (peek.status === 'incomplete') return;
    this.wrap(buf, peek.status === 'hello' ? peek.servername : null);
  };

  /** Hands the ClientHello bytes back to the socket and starts TLS with the chosen certificate. */
  private wrap(hello: Buffer, servername: string | null): void {
    const raw = this.raw;
    this.detach(raw);
    this.hello = null;
    raw.pause();
    raw.unshift(hello);
    raw.on('error', ignoreError);
    const cert = this.bind.certificateFor(servername);
    if (cert !== undefined) this.certificate = cert;
    const socket = new tls.TLSSocket(raw, this.bind.optionsFor(cert));
    // Any renegotiation closes the connection, as HAProxy (CO_ER_SSL_RENEG): each one costs
    // us a full handshake the client can ask for at will (CVE-2011-1473).
    socket.disableRenegotiation();
    this.socket = socket;
    socket.once('secure', this.onSecure);
    socket.on('error', this.onError);
    socket.on('end', this.onEnd);
    socket.on('close', this.onEnd);
    this.owner.onTlsWrapped(socket);
  }

  private readonly onError = (err: Error): void => this.fail(failureReason(err), (err as { code?: string }).code ?? null);
  private readonly onEnd = (): void => this.fail('SSL_EMPTY', null);

  /** Our handshake listeners off a socket (Node's own stay). */
  private detach(s: net.Socket): void {
    s.removeListener('data', this.onHelloData);
    s.removeListener('secure', this.onSecure);
    s.removeListener('error', this.onError);
    s.removeListener('end', this.onEnd);
    s.removeListener('close', this.onEnd);
  }

  private fail(reason: SslErrorName, detail: string | null): void {
    if (this.done) return;
    this.done = true;
    this.stopTimer();
    const s = this.socket ?? this.raw;
    this.detach(s);
    // A late error of the closing socket must not become an unhandled 'error' event.
    s.on('error', ignoreError);
    this.owner.onTlsFailed(reason, detail);
  }

  private readonly onSecure = (): void => {
    const s = this.socket;
    if (this.done || s === null) return;
    const peer = this.bind.model.verify === 'none' ? undefined : s.getPeerX509Certificate();
    if (peer !== undefined) {
      // verify optional|required: a certificate that does not verify ends the connection
      // before any byte is forwarded (HAProxy without ca-ignore-err/crt-ignore-err), so an
      // established session always has verify result 0 (X509_V_OK), as HAProxy's.
      const code = peerVerifyError(s);
      if (code !== null) return this.fail(CHAIN_ERRORS.has(code) ? 'SSL_CA_FAIL' : 'SSL_CRT_FAIL', code);
    }
    this.done = true;
    this.stopTimer();
    this.detach(s);
    const reused = s.isSessionReused();
    const alpn = s.alpnProtocol;
    const sni = (s as tls.TLSSocket & { servername?: string | false }).servername;
    this.owner.onTlsReady({
      protocol: s.getProtocol() ?? '',
      cipher: s.getCipher().name,
      sni: typeof sni === 'string' && sni !== '' ? sni : null,
      alpn: typeof alpn === 'string' && alpn !== '' ? alpn : null,
      certificate: this.certificate,
      peerCertificate: peer ?? null,
      peerCertificateThisConnection: peer !== undefined && !reused,
      verifyResult: 0,
    });
  };
}

function ignoreError(): void {}

/** Counts and logs a failed handshake under HAProxy's name; our detail (OpenSSL's reason) in brackets. */
export function reportTlsFailure(frontend: RuntimeFrontend, bind: BindRuntime, ctx: SessionContext, reason: SslErrorName, detail: string | null): void {
  ctx.errorCode = reason;
  const shared = frontend.shared;
  shared.counters.sslHandshakeFailures++;
  countRejection(shared.rejections, reason);
  if (frontend.logs.enabled) frontend.logs.send(formatConnectionErrorLog(ctx, bind.label, reason, detail), TRAFFIC_LOG_LEVEL, Date.now());
}
