// One client session from accept to the log line, in HAProxy's evaluation order, as phases
// with a typed state (each phase's fields exist only in that phase):
//
//   rules (tcp-request connection) → header (header-phase.ts, on accept-proxy binds)
//   → tls-handshake (tls-handshake.ts, on ssl binds: the client stream becomes a TLS stream)
//   → rules (tcp-request session, content; use_backend/default_backend)
//   → queue → connect (server-setup.ts: the backend's queue, retries, redispatch)
//   → forwarding (forwarding-pair.ts, made once the server connection is up)
//   → closed (session-end.ts: the log record, slots given back).
//
// One upstream connection per client connection: a PROXY header describes one client, so an
// upstream connection is never shared or reused (§4.3).
import { Buffer } from 'node:buffer';
import { performance } from 'node:perf_hooks';
import type net from 'node:net';
import type { ProxyErrorCode } from '@truehop/proxy-protocol';
import { adoptProxyHeader } from '../model/session-context.js';
import type { SessionContext } from '../model/session.js';
import { sessionStartChannel } from '../observe/events.js';
import { ForwardingPair, type StreamOwner } from './forwarding-pair.js';
import type { BindRuntime, RuntimeFrontend, ServiceHandoff, SessionDescription, SessionHandle } from './frontend.js';
import { HeaderPhase, reportHeaderRejection } from './header-phase.js';
import type { SocketReader } from './reused-read-buffers.js';
import type { RuntimeBackend } from './runtime-backend.js';
import type { RuntimeServer } from './runtime-server.js';
import { recordSessionEnd, releaseSession } from './session-end.js';
import { CONTENT_DONE, CONTENT_REJECT, pickBackend, runConnectionRules, runContentRules, runSessionRules } from './session-rules.js';
import { INSPECT_BUFFER_BYTES, InspectPhase } from './inspect-phase.js';
import { ServerSetup, type SetupOwner } from './server-setup.js';
import { ClosedPhase, RULES, termPhaseOf, type SessionState } from './session-state.js';
import type { Conn, ConnHandler } from './transport/conn.js';
import { attachHandler, detachHandler, handlerOf, readsIntoReader, resetConn, setReader, socketOf } from './transport/transport.js';
import { RawConn } from './transport/raw-conn.js';
import { reportTlsFailure, TlsHandshakePhase, type TlsHandshakeOwner } from './tls-handshake.js';
import type { SslErrorName } from '../model/connection-errors.js';
import type { TlsSession } from '../model/session.js';
import { TERM_CAUSE, TERM_PHASE, type TermCause, type TermPhase } from './termination.js';
import { guardedTimer, isInternal } from './internal-error.js';
import { FAULT_AT_REQUEST, injectFault } from './fault-inject.js';

/**
 * Client bytes held while the server connection is being set up (queue, connect, retries).
 * Past this the client socket is paused, so a client that streams before the server answers
 * cannot make us buffer without bound; TCP flow control then holds it back.
 */
export const MAX_PENDING_BYTES_BEFORE_CONNECT = 64 * 1024;

/**
 * How long a client refused for want of a server may keep sending after our FIN before its
 * socket is destroyed. Closing a socket with unread bytes makes the kernel send a reset, which
 * the client sees as an error before it can read the close (an uploader whose server refused
 * saw ECONNRESET 7 times in 10); HAProxy drains the socket first (conn_sock_drain) and its
 * clients see a clean close. Bounded so a client that never stops cannot hold the socket.
 */
export const DRAIN_BEFORE_CLOSE_MS = 1000;

const NO_BYTES = Buffer.alloc(0);
const NO_PAYLOAD: readonly Buffer[] = [];

function ignoreError(): void {}

/** Runs one step of a forced end; its exception was already reported (the first one is). */
function quietly(step: () => void): void {
  try {
    step();
  } catch {
    // Ending by force after an internal error: the remaining steps still run.
  }
}

export class ClientSession implements SetupOwner, SessionHandle, SocketReader, StreamOwner, TlsHandshakeOwner, ConnHandler {
  readonly ctx: SessionContext;
  private state: SessionState = RULES;
  private readonly startedAt = performance.now();
  /** Client bytes received before forwarding (after the header), sent right after it; null while none. */
  private pending: Buffer[] | null = null;
  private pendingBytes = 0;
  private clientEnded = false;
  private clientClosed = false;
  /** Client bytes arrive through onSocketRead (raw transport) rather than 'data' events (socket transport). */
  private clientAdopted = false;
  /** False when the session never became a full session (connection rule, header): no traffic log. */
  private logged = true;
  private termCause: TermCause = TERM_CAUSE.NONE;
  private termPhase: TermPhase = TERM_PHASE.NONE;
  private finished = false;
  /** An internal error (internal-error.ts) hit this session: it is being reset, or was. */
  private faulted = false;
  /** Bytes read before the socket went to a service (header), -1 when it never did. */
  private serviceReadBase = -1;
  /** The client socket once handed to a service (always a net.Socket there), else null. */
  private serviceSocket: net.Socket | null = null;

  /** The client stream: the accepted connection, or on an ssl bind the TLS stream over it (TLSSocket or RawTlsConn) once the handshake starts. */
  private client: Conn;

  constructor(
    private readonly frontend: RuntimeFrontend,
    private readonly bind: BindRuntime,
    client: Conn,
    ctx: SessionContext,
  ) {
    this.ctx = ctx;
    this.client = client;
  }

  // The client connection's events come to the session itself (ConnHandler, conn.ts); timer
  // callbacks and the socket transport's 'data' listener are shared functions, not closures
  // bound per session: the socket or the timer argument leads to the session.
  private static readonly onData = function (this: net.Socket, chunk: Buffer): void {
    const session = handlerOf(this) as ClientSession;
    try {
      const state = session.state;
      if (state.kind === 'forwarding') state.onClientData(chunk);
      else session.onClientPreData(chunk);
    } catch (err) {
      session.onInternalError(err);
    }
  };

  onConnConnect(): void {}

  onConnDrain(): void {
    const state = this.state;
    if (state.kind === 'forwarding') state.onClientDrain();
  }

  onConnEnd(): void {
    this.onClientEnd();
  }

  onConnError(_conn: Conn, err: Error): void {
    // The transport closed the connection because its own code failed (raw-tls.ts).
    if (isInternal(err)) return this.onInternalError(err);
    this.onClientError();
  }

  onConnClose(_conn: Conn, hadError: boolean): void {
    this.onClientClose(hadError);
  }

  private static readonly onInspectDelayExpired = guardedTimer((session: ClientSession): void => {
    const state = session.state;
    if (state.kind !== 'inspect') return;
    session.ctx.requestFinal = true;
    session.inspect(state);
  });

  private static readonly onHeaderTimeout = guardedTimer((session: ClientSession): void => {
    if (session.state.kind === 'header') session.rejectHeader('TIMEOUT');
  });

  /** Starts the session on its accepted, still paused socket. */
  begin(): void {
    const c = this.client;
    // No setNoDelay here: the accepted connection has it already (net.Server's noDelay option,
    // or the raw accept take-over); a second setsockopt per connection was pure cost.
    // A service frontend hands its socket to Node's HTTP parser: it keeps Node's own reads (its
    // listener accepts net.Sockets, listener.ts). A TLS bind gets raw connections only when
    // raw TLS runs: their PROXY header and ClientHello are read here as on plain binds.
    // The session owns the connection's events first, so whatever fails below reaches it
    // through its close (internal errors, internal-error.ts).
    this.clientAdopted = this.frontend.service === undefined && readsIntoReader(c);
    if (this.clientAdopted) setReader(c, this);
    this.listenTo(c);
    const shared = this.frontend.shared;
    shared.counters.sessionsTotal++;
    shared.counters.sessionsActive++;
    shared.sessions.add(this);
    if (sessionStartChannel.hasSubscribers) sessionStartChannel.publish({ ctx: this.ctx });

    const verdict = runConnectionRules(this.frontend, this.bind.model.acceptProxy, this.ctx);
    if (verdict === 'reject') {
      // HAProxy closes such connections without a log line; they are counted.
      shared.counters.ruleRejections++;
      this.frontend.stats.dcon++;
      this.logged = false;
      return this.closeClient(TERM_CAUSE.PROXY, TERM_PHASE.REQUEST);
    }
    if (verdict === 'expect-proxy') {
      this.state = HeaderPhase.start(this.frontend.headerTimeoutMs, ClientSession.onHeaderTimeout, this);
      c.resume();
      return;
    }
    adoptProxyHeader(this.ctx, null);
    if (this.bind.tls !== undefined) return this.startTls(null);
    c.resume();
    this.afterHeader();
  }

  private listenTo(c: Conn): void {
    attachHandler(c, this);
    // EventEmitter calls the listener with the socket as `this`, which is what it expects.
    // eslint-disable-next-line @typescript-eslint/unbound-method
    if (!this.clientAdopted) c.on('data', ClientSession.onData);
  }

  // ---- TLS handshake (ssl binds) -------------------------------------------------------

  /** Starts TLS on the client socket; `rest`: bytes read past the PROXY header (the ClientHello's start). */
  private startTls(rest: Buffer | null): void {
    // The phase reads the ClientHello itself; the session keeps watching end/close.
    // eslint-disable-next-line @typescript-eslint/unbound-method
    this.client.removeListener('data', ClientSession.onData);
    // A TLS bind's listener accepts net.Sockets, or raw connections when raw TLS runs
    // (listener.ts): nothing else can be wrapped.
    const c = this.client;
    const conn = socketOf(c) ?? (c instanceof RawConn ? c : null);
    if (conn === null) throw new Error('an ssl bind accepted a connection that is neither a net.Socket nor a raw one');
    this.state = TlsHandshakePhase.start(conn, rest, this.bind.tls as NonNullable<BindRuntime['tls']>, this, this.frontend.headerTimeoutMs);
  }

  onTlsWrapped(stream: Conn): void {
    const raw = this.client;
    this.client = stream;
    if (readsIntoReader(stream)) {
      // Raw TLS: the accepted RawConn was released (it calls no one again); the cleartext comes
      // to onSocketRead, each read a buffer of its own, and the events through the handshake
      // phase, which hands them to this session (attachHandler) once the handshake is over.
      this.clientAdopted = true;
      setReader(stream, this);
      return;
    }
    detachHandler(raw);
    raw.on('error', ignoreError);
    // A TLSSocket delivers cleartext as 'data' events.
    this.clientAdopted = false;
    this.listenTo(stream);
  }

  onTlsReady(info: TlsSession): void {
    this.ctx.tls = info;
    this.state = RULES;
    this.afterHeader();
  }

  onTlsFailed(reason: SslErrorName, detail: string | null): void {
    reportTlsFailure(this.frontend, this.bind, this.ctx, reason, detail);
    this.logged = false;
    this.closeClient(TERM_CAUSE.CLIENT_ABORT, TERM_PHASE.REQUEST);
  }

  // ---- header ------------------------------------------------------------------------

  private rejectHeader(code: ProxyErrorCode): void {
    const state = this.state;
    reportHeaderRejection(this.frontend, this.bind, this.ctx, code, state.kind === 'header' ? state : null);
    this.logged = false;
    this.closeClient(TERM_CAUSE.PROXY, TERM_PHASE.REQUEST);
  }

  private onHeaderBytes(phase: HeaderPhase, chunk: Buffer): void {
    const result = phase.push(chunk);
    if (result === undefined) return;
    if (result.kind === 'reject') return this.rejectHeader(result.error.code);
    phase.stopTimer();
    adoptProxyHeader(this.ctx, result.header);
    this.frontend.shared.counters.headersReceived++;
    const h = result.header;
    this.frontend.proxyProtocol.countHeader(h.version, h.command, h.tlvs, this.ctx.realClient.address);
    this.state = RULES;
    if (this.bind.tls !== undefined) return this.startTls(result.rest);
    if (result.rest.length > 0) this.queuePending(result.rest);
    this.afterHeader();
  }

  // ---- rules, backend choice -----------------------------------------------------------

  private afterHeader(): void {
    const ctx = this.ctx;
    // HAProxy counts a frontend session (stot, rate) once the connection rules and the PROXY
    // header have let it through; refused ones are in dcon and the PROXY counters.
    const feStats = this.frontend.stats;
    feStats.stot++;
    feStats.sessRate.add(ctx.acceptedAtMs);
    if (!runSessionRules(this.frontend, ctx)) return this.rejectByRule();
    const tcpRequest = this.frontend.model.tcpRequest;
    if (tcpRequest.content.length === 0) return this.chooseBackend();
    // HAProxy decides at once without an inspect-delay (the rules see what is there).
    const delayMs = tcpRequest.inspectDelayMs ?? 0;
    ctx.requestFinal = delayMs === 0 || this.clientEnded;
    const phase = new InspectPhase();
    this.state = phase;
    this.inspect(phase);
  }

  /** Runs the content rules on the bytes so far; waits in `phase` while one needs more. */
  private inspect(phase: InspectPhase): void {
    const ctx = this.ctx;
    ctx.request = this.pendingView();
    if (this.pendingBytes >= INSPECT_BUFFER_BYTES || this.clientEnded) ctx.requestFinal = true;
    const r = runContentRules(this.frontend, ctx, phase.nextRule);
    if (r >= 0) {
      // Not final, so there is an inspect-delay.
      phase.wait(r, this.frontend.model.tcpRequest.inspectDelayMs ?? 0, ClientSession.onInspectDelayExpired, this);
      return;
    }
    phase.stopTimer();
    this.state = RULES;
    if (r === CONTENT_REJECT) return this.rejectByRule();
    if (r === CONTENT_DONE) this.chooseBackend();
  }

  /** The pending client bytes as one view (joined once per new chunk while inspecting). */
  private pendingView(): Buffer {
    const p = this.pending;
    if (p === null || p.length === 0) return NO_BYTES;
    if (p.length === 1) return p[0] as Buffer;
    const joined = Buffer.concat(p, this.pendingBytes);
    this.pending = [joined];
    return joined;
  }

  private rejectByRule(): void {
    this.frontend.shared.counters.ruleRejections++;
    this.frontend.stats.dreq++;
    this.closeClient(TERM_CAUSE.PROXY, TERM_PHASE.REQUEST);
  }

  private chooseBackend(): void {
    const ctx = this.ctx;
    if (FAULT_AT_REQUEST !== null) injectFault(FAULT_AT_REQUEST, 'request', ctx.frontendName);
    const backend = pickBackend(this.frontend, ctx);
    // The bytes stay pending (forwarded after the header); the rules are done with them.
    ctx.request = NO_BYTES;
    // A `mode http` service frontend hands the socket to its HTTP server once the rules pass.
    const service = this.frontend.service;
    if (service !== undefined) return this.handOver(service);
    // No backend: HAProxy closes the connection and logs <NOSRV>.
    if (backend === undefined) {
      this.frontend.stats.ereq++;
      return this.closeClient(TERM_CAUSE.PROXY, TERM_PHASE.REQUEST);
    }
    ctx.backendName = backend.name;
    ctx.phase = 'backend';
    const idFormat = this.frontend.model.uniqueIdFormat;
    if (idFormat !== undefined) ctx.uniqueId = idFormat.render(ctx).toString('latin1');
    const setup = new ServerSetup(this, backend, this.frontend.shared.counters, this.frontend.recordsServerEndpoints);
    this.state = setup;
    setup.start();
  }

  /**
   * A `mode http` service frontend: the socket goes to the HTTP service, the session only waits
   * for it to close to give its slots back (no traffic log line: truehop has no httplog).
   */
  private handOver(service: ServiceHandoff): void {
    const c = socketOf(this.client);
    // Never null: a service frontend's listener accepts net.Sockets (listener.ts).
    if (c === null) return this.closeClient(TERM_CAUSE.PROXY, TERM_PHASE.REQUEST);
    this.serviceSocket = c;
    c.pause();
    // eslint-disable-next-line @typescript-eslint/unbound-method
    c.removeListener('data', ClientSession.onData);
    this.logged = false;
    this.serviceReadBase = c.bytesRead - this.pendingBytes;
    this.state = new ClosedPhase(null, null);
    service.serve(c, this.ctx, this.takePendingPayload());
  }

  // ---- server setup (server-setup.ts) -------------------------------------------------

  takePendingPayload(): readonly Buffer[] {
    const p = this.pending;
    this.pending = null;
    this.pendingBytes = 0;
    return p ?? NO_PAYLOAD;
  }

  onServerConnected(socket: Conn, backend: RuntimeBackend, server: RuntimeServer): void {
    this.state = new ForwardingPair(
      this, this.client, socket, backend, server, this.ctx.stats,
      this.frontend.model.timeouts, backend.model.timeouts, this.clientEnded,
    );
  }

  onSetupFailed(cause: TermCause, phase: TermPhase): void {
    this.setTermination(cause, phase);
    this.cancelSetup();
    // FIN now, then read and discard what the client still sends until it closes (bounded):
    // see DRAIN_BEFORE_CLOSE_MS.
    const c = this.client;
    c.end();
    c.resume();
    setTimeout(ClientSession.onDrainTimeout, DRAIN_BEFORE_CLOSE_MS, this).unref();
  }

  private static readonly onDrainTimeout = guardedTimer((session: ClientSession): void => {
    if (!session.clientClosed) session.client.destroy();
  });

  // ---- client events (every phase) -------------------------------------------------------

  private queuePending(chunk: Buffer): void {
    (this.pending ??= []).push(chunk);
    this.pendingBytes += chunk.length;
    this.ctx.stats.bytesFromClient += chunk.length;
    if (this.pendingBytes >= MAX_PENDING_BYTES_BEFORE_CONNECT) this.client.pause();
  }

  private onClientPreData(chunk: Buffer): void {
    const state = this.state;
    if (state.kind === 'header') this.onHeaderBytes(state, chunk);
    else if (state.kind !== 'closed') {
      this.queuePending(chunk);
      if (state.kind === 'inspect') this.inspect(state);
    }
  }

  onSocketRead(chunk: Buffer, reusable: boolean): boolean {
    const state = this.state;
    if (state.kind === 'forwarding') return state.onClientRead(chunk, reusable);
    if (state.kind === 'closed') return true; // draining before the close: discarded
    // Before forwarding, bytes are kept (pending payload) or parsed (the decoded header may
    // keep views into them): they must own their memory.
    this.onClientPreData(reusable ? Buffer.from(chunk) : chunk);
    return true;
  }

  ownReadBuffer(): Buffer | null {
    // Before forwarding every read is copied out (onSocketRead), so the shared buffer serves;
    // the stream's own buffer from then on.
    return this.state.kind === 'forwarding' ? this.state.clientReadBuffer() : null;
  }

  private onClientEnd(): void {
    this.clientEnded = true;
    const state = this.state;
    if (state.kind === 'header') this.rejectHeader(state.end().error.code);
    else if (state.kind === 'forwarding') state.onClientEnd();
    else if (state.kind === 'inspect') this.inspect(state);
    // During the TLS handshake the phase itself reports the end (SSL_EMPTY).
    // Before the server connection exists, the FIN is replayed when the stream is made.
  }

  private onClientError(): void {
    if (this.state.kind === 'header') return this.rejectHeader('ABORT');
    if (this.state.kind === 'tls-handshake') return; // reported by the phase (SSL_*)
    this.setTermination(TERM_CAUSE.CLIENT_ABORT, termPhaseOf(this.state));
  }

  private onClientClose(hadError: boolean): void {
    this.clientClosed = true;
    const served = this.serviceSocket;
    if (served !== null) {
      this.ctx.stats.bytesFromClient = served.bytesRead - this.serviceReadBase;
      this.ctx.stats.bytesToClient = served.bytesWritten;
    }
    const state = this.state;
    if (state.kind === 'forwarding') state.onClientClose(hadError);
    else if (state.kind !== 'closed') {
      // The client left while we were still setting up: undo whatever is in progress.
      this.setTermination(TERM_CAUSE.CLIENT_ABORT, termPhaseOf(this.state));
      this.cancelSetup();
    }
    this.finishIfDone();
  }

  // ---- ending ------------------------------------------------------------------------

  setTermination(cause: TermCause, phase: TermPhase): void {
    if (this.termCause !== TERM_CAUSE.NONE) return;
    this.termCause = cause;
    this.termPhase = phase;
  }

  /** Undoes the phase in progress before forwarding; the session waits closed for its log record. */
  private cancelSetup(): void {
    const state = this.state;
    if (state.kind === 'closed' || state.kind === 'forwarding') return;
    if (state.kind === 'header' || state.kind === 'tls-handshake' || state.kind === 'inspect') state.stopTimer();
    if (state.kind === 'queue' || state.kind === 'connect') this.state = new ClosedPhase(state.backend, state.cancel());
    else this.state = new ClosedPhase(null, null);
  }

  /** Ends the session from our side before forwarding. */
  private closeClient(cause: TermCause, phase: TermPhase): void {
    this.setTermination(cause, phase);
    this.cancelSetup();
    this.client.destroy();
  }

  // ---- internal errors (internal-error.ts) --------------------------------------------------

  /**
   * An exception escaped our code while it handled this session (every guard of the data path
   * ends here). As HAProxy 2.6: the termination state becomes `I` + the phase unless an earlier
   * event already set the cause (tcp_rules.c's `internal:` path: `if (!(s->flags &
   * SF_ERR_MASK)) s->flags |= SF_ERR_INTERNAL`), fe_counters.internal_errors (`eint`) moves,
   * and both channels are aborted with the client side marked `sc_must_kill_conn` (a kill, not a
   * graceful close; HAProxy's server sockets also close with SO_LINGER 0). Here both
   * connections are reset (RST) and the session then ends through its close events as any other:
   * one log line, every slot given back. A second exception while that runs, or one thrown by
   * the end path itself, ends it at once without a log line: no loop, nothing held.
   */
  onInternalError(err: unknown): void {
    const first = !this.faulted;
    this.faulted = true;
    const phase = termPhaseOf(this.state);
    this.reportInternalError(err, phase, first);
    // Thrown by the end path itself: finishIfDone gave everything back before it propagated.
    if (this.finished) return;
    if (!first) return this.forceEnd();
    try {
      this.setTermination(TERM_CAUSE.INTERNAL, phase);
      const state = this.state;
      if (state.kind === 'forwarding') state.kill();
      else {
        // A handshake in progress must not report the reset as a failed handshake.
        if (state.kind === 'tls-handshake') state.cancel();
        this.cancelSetup();
      }
      resetConn(this.client);
    } catch (again) {
      this.reportInternalError(again, phase, false);
      this.forceEnd();
    }
  }

  /** Counts the error (eint of the frontend, and of the backend and server it holds) and logs it, rate-limited. Never throws. */
  private reportInternalError(err: unknown, phase: TermPhase, first: boolean): void {
    try {
      if (first) {
        this.frontend.stats.eint++;
        const { backend, server } = this.heldSlots();
        if (backend !== null) backend.stats.eint++;
        if (server !== null) server.stats.eint++;
      }
      this.frontend.shared.reportInternalError(`a session of frontend ${this.ctx.frontendName} (phase ${phase})`, err);
    } catch {
      // Counting or logging failed too: nothing more can be said about it here.
    }
  }

  /** The backend and the server slot the session holds in its current phase (what its end gives back). */
  private heldSlots(): { backend: RuntimeBackend | null; server: RuntimeServer | null } {
    const state = this.state;
    switch (state.kind) {
      case 'forwarding': return { backend: state.backend, server: state.serverSlot };
      case 'queue':
      case 'connect': return { backend: state.backend, server: state.heldServer };
      case 'closed': return { backend: state.backend, server: state.server };
      default: return { backend: null, server: null };
    }
  }

  /**
   * Ends the session now, without its log line: both connections destroyed, the server slot,
   * the queue place and the maxconn slots given back. Only after a second internal error, so
   * each step runs on its own: the one that throws (maybe the very bug) must not keep the
   * others from running.
   */
  private forceEnd(): void {
    if (this.finished) return;
    this.finished = true;
    const state = this.state;
    const { backend, server } = this.heldSlots();
    if (state.kind === 'forwarding') {
      quietly(() => state.server.destroy());
      quietly(() => state.release());
    } else if (state.kind === 'queue' || state.kind === 'connect' || state.kind === 'tls-handshake') quietly(() => state.cancel());
    else if (state.kind === 'header' || state.kind === 'inspect') quietly(() => state.stopTimer());
    quietly(() => this.client.destroy());
    this.state = new ClosedPhase(backend, server);
    releaseSession(this.frontend, this, backend, server);
  }

  describe(): SessionDescription {
    const ctx = this.ctx;
    const c = ctx.client ?? ctx.realClient;
    return { frontend: ctx.frontendName, backend: ctx.backendName, server: ctx.serverName, src: `${c.address}:${c.port}`, acceptedAtMs: ctx.acceptedAtMs };
  }

  serverOf(): RuntimeServer | null {
    const state = this.state;
    if (state.kind === 'forwarding') return state.serverSlot;
    if (state.kind === 'closed') return null;
    return state.kind === 'connect' ? state.heldServer : null;
  }

  abort(cause: TermCause = TERM_CAUSE.KILLED): void {
    // HAProxy 2.6 (stream_shutdown with SF_ERR_KILLED) logs K and closes the client with a FIN
    // once its buffer is flushed, as observed; destroy() does the same unless unread bytes
    // make the kernel reset.
    this.setTermination(cause, termPhaseOf(this.state));
    this.client.destroy();
    const state = this.state;
    if (state.kind === 'forwarding') state.server.destroy();
    else if (state.kind === 'connect') state.abort();
  }

  onServerClosed(): void {
    this.finishIfDone();
  }

  private finishIfDone(): void {
    const state = this.state;
    if (this.finished || !this.clientClosed) return;
    let closed: ClosedPhase;
    if (state.kind === 'forwarding') {
      if (!state.serverClosed) return;
      state.release();
      closed = new ClosedPhase(state.backend, state.serverSlot);
    } else if (state.kind === 'closed') closed = state;
    else return; // a session still setting up became 'closed' when its client closed
    this.finished = true;
    this.state = closed;
    // The slots go back even when the record throws: the exception then reaches the
    // internal-error guard, which finds the session finished and only counts and reports it.
    try {
      recordSessionEnd(this.frontend, this.ctx, this.startedAt, this.termCause, this.termPhase, closed.backend, closed.server, this.logged);
    } finally {
      releaseSession(this.frontend, this, closed.backend, closed.server);
    }
  }
}
