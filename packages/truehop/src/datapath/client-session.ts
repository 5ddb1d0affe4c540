// One client session from accept to the log line: HAProxy's evaluation points in order
// (tcp-request connection → PROXY header → tcp-request session → tcp-request content →
// use_backend/default_backend → queue → connect with retries/redispatch → forwarding), then
// the log line. One upstream connection per client connection: a PROXY header describes one
// client, so an upstream connection is never shared or reused (§4.3).
//
// Per-chunk work is a method call and a write: the handlers are bound once per session, no
// closure or buffer is created per chunk, and bytes are forwarded as the Buffers the socket
// produced (never copied).
import type net from 'node:net';
import {
  ProxyHeaderDecoder,
  isProxyProtocolError,
  type ProxyHeader,
} from '@truehop/proxy-protocol';
import type { Endpoint, SessionContext } from '../model/session.js';
import {
  headerRejectedChannel,
  serverConnectErrorChannel,
  sessionEndChannel,
  sessionStartChannel,
} from '../observe/events.js';
import { countRejection } from '../observe/counters.js';
import { TRAFFIC_LOG_LEVEL } from '../observe/syslog-format.js';
import { formatConnectionErrorLog, formatTcpLog } from '../observe/tcplog.js';
import type { ConnectFailure, ConnectHandler } from './connector.js';
import { HAPROXY_ERROR_NAME } from './error-names.js';
import { idleSweeper, type IdleWatched } from './idle-sweeper.js';
import type { BindRuntime, RuntimeFrontend, SessionHandle } from './frontend.js';
import type { QueueWaiter, RuntimeBackend } from './runtime-backend.js';
import type { RuntimeServer } from './runtime-server.js';
import { adoptClientSocket, returnReadBuffer, takeReadBuffer, type ClientReader } from './upstream-read.js';

/**
 * Client bytes held while the server connection is being set up (queue, connect, retries).
 * Past this the client socket is paused, so a client that streams before the server answers
 * cannot make us buffer without bound; TCP flow control then holds it back.
 */
export const MAX_PENDING_BYTES_BEFORE_CONNECT = 64 * 1024;
/**
 * HAProxy waits one second before retrying a connection on the same server after an error
 * other than a connect timeout (its "turn-around" state), so a server that refuses
 * connections is not hammered. Redispatches and timeouts retry at once.
 */
export const RETRY_TURNAROUND_MS = 1000;

type State = 'rules' | 'header' | 'queue' | 'connect' | 'data' | 'closed';

function endpoint(address: string | undefined, port: number | undefined, family: string | undefined): Endpoint | null {
  if (address === undefined || port === undefined) return null;
  return { address, port, family: family === 'IPv6' ? 'IPv6' : 'IPv4' };
}

/** The advertised endpoints of a header, or null when the real ones stay (§1.4, §2.4, §4.1). */
function advertised(header: ProxyHeader): [Endpoint, Endpoint] | null {
  if (header.command !== 'PROXY' || header.src === null || header.dst === null) return null;
  if (header.srcPort === null || header.dstPort === null) return null;
  // Only TCP over IPv4/IPv6 replaces the addresses: UDP, UNIX and UNSPEC keep the real ones
  // (the rule; HAProxy rejects those outright, §2.7).
  if (header.transport !== 'STREAM') return null;
  if (header.family !== 'INET' && header.family !== 'INET6') return null;
  const family = header.family === 'INET' ? 'IPv4' : 'IPv6';
  return [
    { address: header.src, port: header.srcPort, family },
    { address: header.dst, port: header.dstPort, family },
  ];
}

export class ClientSession implements QueueWaiter, ConnectHandler, SessionHandle, ClientReader, IdleWatched {
  readonly ctx: SessionContext;
  private state: State = 'rules';
  private decoder: ProxyHeaderDecoder | null = null;
  private headerTimer: NodeJS.Timeout | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private backend: RuntimeBackend | null = null;
  private server: RuntimeServer | null = null;
  private upstream: net.Socket | null = null;
  private attempts = 0;
  private clientEnded = false;
  private serverEnded = false;
  private clientClosed = false;
  private serverClosed = true;
  private halfClosedTimeouts = false;
  private termWho = '-';
  private termWhere = '-';
  private queuedAt = 0;
  private connectStartedAt = 0;
  private readonly startedAt: number;
  private finished = false;
  /** This session's read buffer for server bytes (see upstream-read.ts), allocated on first use. */
  private upstreamBuffer: Buffer | null = null;
  /** Reading from the server is stopped until the client write that pins the buffer completes. */
  private upstreamWaitsForWrite = false;
  /** Client bytes arrive through onClientRead (reused memory) rather than 'data' events. */
  private clientAdopted = false;
  /** This session's read buffer for client bytes, allocated on first large read. */
  private clientBuffer: Buffer | null = null;
  /** Reading from the client is stopped until the server write that pins the buffer completes. */
  private clientWaitsForWrite = false;
  /** Inactivity limits while forwarding (0 = none), checked by the idle sweeper. */
  private clientIdleMs = 0;
  private serverIdleMs = 0;
  /** performance.now() of the last byte read or written on either side. */
  private lastActivity = 0;
  /** Set when the session never became a full session (connection rule or header rejection): no traffic log. */
  private silent = false;

  constructor(
    private readonly frontend: RuntimeFrontend,
    private readonly bind: BindRuntime,
    private readonly client: net.Socket,
    realClient: Endpoint,
    realLocal: Endpoint,
  ) {
    this.startedAt = performance.now();
    this.ctx = {
      realClient,
      realLocal,
      proxyHeader: null,
      client: null,
      local: null,
      phase: 'connection',
      errorCode: null,
      frontendName: frontend.name,
      backendName: null,
      serverName: null,
      vars: new Map(),
      procVars: frontend.shared.procVars,
      acceptedAtMs: Date.now(),
      uniqueId: null,
      stats: {
        queueMs: -1,
        connectMs: -1,
        totalMs: -1,
        bytesToClient: 0,
        bytesFromClient: 0,
        terminationState: '--',
        retries: 0,
        activeConns: 0,
        frontendConns: 0,
        backendConns: 0,
        serverConns: 0,
      },
    };
  }

  /** Builds the session for an accepted socket, or destroys a socket that is already gone. */
  static start(frontend: RuntimeFrontend, bind: BindRuntime, socket: net.Socket): void {
    const realClient = endpoint(socket.remoteAddress, socket.remotePort, socket.remoteFamily);
    const realLocal = endpoint(socket.localAddress, socket.localPort, socket.localFamily);
    const shared = frontend.shared;
    if (realClient === null || realLocal === null) {
      // Reset between accept and now: nothing to serve, but the slots were taken.
      socket.destroy();
      shared.globalGate.active--;
      frontend.gate.active--;
      frontend.active--;
      shared.admitWaiting();
      return;
    }
    new ClientSession(frontend, bind, socket, realClient, realLocal).begin();
  }

  private begin(): void {
    const shared = this.frontend.shared;
    shared.counters.sessionsTotal++;
    shared.counters.sessionsActive++;
    shared.sessions.add(this);
    if (sessionStartChannel.hasSubscribers) sessionStartChannel.publish({ ctx: this.ctx });
    const c = this.client;
    c.setNoDelay(true);
    this.clientAdopted = adoptClientSocket(c, this);
    if (!this.clientAdopted) c.on('data', this.onClientPreData);
    c.on('end', this.onClientEnd);
    c.on('error', this.onClientError);
    c.on('close', this.onClientClose);

    // tcp-request connection: before the header, `src` is the real peer (§4.1, §4.2).
    let expectProxy = this.bind.model.acceptProxy;
    for (const rule of this.frontend.model.tcpRequest.connection) {
      const r = rule.run(this.ctx);
      if (r.matched && rule.expectsProxy) expectProxy = true;
      if (r.verdict === 'reject') {
        // HAProxy closes such connections without a log line; they are counted.
        shared.counters.ruleRejections++;
        this.silent = true;
        this.closeClient('P', 'R', true);
        return;
      }
      if (r.verdict === 'accept') break;
    }
    if (expectProxy) {
      this.state = 'header';
      this.decoder = new ProxyHeaderDecoder();
      const ms = this.frontend.headerTimeoutMs;
      // §4.10 / §2.6: a header that does not arrive in time is a slowloris, not a client.
      if (ms > 0) this.headerTimer = setTimeout(this.onHeaderTimeout, ms);
      c.resume();
      return;
    }
    this.ctx.client = this.ctx.realClient;
    this.ctx.local = this.ctx.realLocal;
    c.resume();
    this.afterHeader();
  }

  // ---- header ------------------------------------------------------------------------

  private readonly onHeaderTimeout = (): void => {
    this.headerTimer = null;
    if (this.state === 'header') this.rejectHeader('TIMEOUT', null);
  };

  private rejectHeader(codecCode: string, detail: string | null): void {
    const name = HAPROXY_ERROR_NAME[codecCode as keyof typeof HAPROXY_ERROR_NAME] ?? 'PRX_BAD_HDR';
    this.ctx.errorCode = name;
    const shared = this.frontend.shared;
    shared.counters.headerRejections++;
    countRejection(shared.rejections, name);
    if (headerRejectedChannel.hasSubscribers) {
      headerRejectedChannel.publish({ ctx: this.ctx, errorName: name, codecCode });
    }
    if (this.frontend.logs.enabled) {
      const fine = codecCode !== name.slice(4) ? codecCode : null;
      const text = formatConnectionErrorLog(this.ctx, this.bind.label, name, detail ?? fine);
      this.frontend.logs.send(text, TRAFFIC_LOG_LEVEL, Date.now());
    }
    this.silent = true;
    this.closeClient('P', 'R', true);
  }

  private onHeaderBytes(chunk: Buffer): void {
    const decoder = this.decoder as ProxyHeaderDecoder;
    let step;
    try {
      step = decoder.push(chunk);
    } catch (err) {
      this.rejectHeader(isProxyProtocolError(err) ? err.code : 'BAD_HDR', null);
      return;
    }
    if (step.status === 'incomplete') return;
    if (step.status === 'not-proxy') {
      // §1.3, §6.7: a listener that requires a header never falls back to plain traffic;
      // otherwise any client could pose as its own proxy.
      this.rejectHeader('NOT_HDR', null);
      return;
    }
    if (this.headerTimer !== null) clearTimeout(this.headerTimer);
    this.headerTimer = null;
    this.decoder = null;
    const header = step.header;
    this.ctx.proxyHeader = header;
    const adv = advertised(header);
    this.ctx.client = adv ? adv[0] : this.ctx.realClient;
    this.ctx.local = adv ? adv[1] : this.ctx.realLocal;
    this.frontend.shared.counters.headersReceived++;
    if (step.rest.length > 0) this.queuePending(step.rest);
    this.afterHeader();
  }

  // ---- rules, backend choice -----------------------------------------------------------

  private afterHeader(): void {
    this.state = 'rules';
    const ctx = this.ctx;
    ctx.phase = 'session';
    if (!this.runRules(this.frontend.model.tcpRequest.session)) return;
    // tcp-request content: evaluated once, now. truehop's fetches never need payload bytes,
    // so no rule can be undecided and HAProxy too would decide without waiting for
    // inspect-delay; a server-speaks-first protocol is therefore never delayed.
    ctx.phase = 'content';
    if (!this.runRules(this.frontend.model.tcpRequest.content)) return;

    let backend = this.frontend.defaultBackend;
    for (const rule of this.frontend.useBackends) {
      if (rule.condition.test(ctx)) {
        backend = rule.backend;
        break;
      }
    }
    if (backend === undefined) {
      // No backend: HAProxy closes the connection and logs <NOSRV>.
      this.closeClient('P', 'R', true);
      return;
    }
    this.backend = backend;
    ctx.backendName = backend.name;
    ctx.phase = 'backend';
    const idFormat = this.frontend.model.uniqueIdFormat;
    if (idFormat !== undefined) ctx.uniqueId = idFormat.render(ctx).toString('latin1');
    this.acquire(null);
  }

  private runRules(rules: SessionContextRules): boolean {
    for (const rule of rules) {
      const r = rule.run(this.ctx);
      if (r.verdict === 'reject') {
        this.frontend.shared.counters.ruleRejections++;
        this.closeClient('P', 'R', true);
        return false;
      }
      if (r.verdict === 'accept') break;
    }
    return true;
  }

  // ---- queue and connect ---------------------------------------------------------------

  private acquire(exclude: RuntimeServer | null): void {
    const backend = this.backend as RuntimeBackend;
    const r = backend.acquire(this, exclude);
    if (r === 'queued') {
      this.state = 'queue';
      this.queuedAt = performance.now();
      return;
    }
    if (r === 'no-server') {
      this.frontend.shared.counters.noServer++;
      this.closeClient('S', 'C', true);
      return;
    }
    this.onServerAssigned(r);
  }

  onServerAssigned(server: RuntimeServer): void {
    if (this.state === 'closed') {
      (this.backend as RuntimeBackend).release(server);
      return;
    }
    if (this.server === null || this.ctx.stats.queueMs < 0) {
      this.ctx.stats.queueMs = this.state === 'queue' ? Math.round(performance.now() - this.queuedAt) : 0;
    }
    this.server = server;
    this.ctx.serverName = server.name;
    this.connect();
  }

  onQueueTimeout(): void {
    if (this.state !== 'queue') return;
    this.closeClient('s', 'Q', true);
  }

  private readonly connect = (): void => {
    this.retryTimer = null;
    if (this.state === 'closed') return;
    this.state = 'connect';
    this.attempts++;
    this.connectStartedAt = performance.now();
    this.upstream = (this.server as RuntimeServer).connector.connect(this.ctx, this);
  };

  takePendingPayload(): readonly Buffer[] {
    const p = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    return p;
  }

  onConnectFailed(kind: ConnectFailure, error: Error | null): void {
    this.upstream = null;
    const shared = this.frontend.shared;
    shared.counters.connectErrors++;
    const server = this.server as RuntimeServer;
    const backend = this.backend as RuntimeBackend;
    if (serverConnectErrorChannel.hasSubscribers) {
      serverConnectErrorChannel.publish({
        ctx: this.ctx, backend: backend.name, server: server.name, error: error?.message ?? kind, attempt: this.attempts,
      });
    }
    if (this.state === 'closed') return;
    const retries = backend.model.retries;
    if (this.attempts <= retries) {
      shared.counters.retries++;
      this.ctx.stats.retries++;
      // `option redispatch` (default interval -1): the last retry goes to another server.
      if (backend.model.redispatch && this.attempts === retries) {
        shared.counters.redispatches++;
        this.server = null;
        backend.release(server);
        this.acquire(server);
        return;
      }
      if (kind === 'timeout') this.connect();
      else this.retryTimer = setTimeout(this.connect, RETRY_TURNAROUND_MS);
      return;
    }
    this.closeClient(kind === 'timeout' ? 's' : 'S', 'C', true);
  }

  onConnected(socket: net.Socket): void {
    if (this.state === 'closed') {
      socket.destroy();
      return;
    }
    this.ctx.stats.connectMs = Math.round(performance.now() - this.connectStartedAt);
    this.state = 'data';
    this.serverClosed = false;
    const c = this.client;
    if (!this.clientAdopted) {
      c.removeListener('data', this.onClientPreData);
      c.on('data', this.onClientData);
    }
    socket.on('drain', this.onServerDrain);
    c.on('drain', this.onClientDrain);
    socket.on('end', this.onServerEnd);
    socket.on('error', this.onServerError);
    socket.on('close', this.onServerClose);
    this.applyTimeouts();
    if (this.clientEnded) {
      socket.end();
      this.enterHalfClosed();
    } else {
      c.resume();
    }
  }

  // ---- forwarding --------------------------------------------------------------------

  /** Timeouts for the data phase: `timeout tunnel` supersedes client/server once connected. */
  private applyTimeouts(): void {
    const fe = this.frontend.model.timeouts;
    const be = (this.backend as RuntimeBackend).model.timeouts;
    const clientMs = this.halfClosedTimeouts ? (fe.clientFin ?? be.tunnel ?? fe.client) : (be.tunnel ?? fe.client);
    const serverMs = this.halfClosedTimeouts ? (be.serverFin ?? be.tunnel ?? be.server) : (be.tunnel ?? be.server);
    // Every chunk is forwarded at once, so a read on one side is a write on the other: one
    // activity stamp serves both limits, as the per-socket timers (refreshed on reads and
    // writes) did. Changing the limits restarts the clock, as socket.setTimeout did.
    this.clientIdleMs = clientMs ?? 0;
    this.serverIdleMs = serverMs ?? 0;
    this.lastActivity = performance.now();
    const shortest = Math.min(this.clientIdleMs || Infinity, this.serverIdleMs || Infinity);
    if (shortest !== Infinity) idleSweeper.watch(this, shortest);
    else idleSweeper.unwatch(this);
  }

  checkIdle(now: number): void {
    const idle = now - this.lastActivity;
    // A closed socket has no timer any more (Node cleared it on destroy): only the open side counts.
    if (this.clientIdleMs > 0 && !this.clientClosed && idle >= this.clientIdleMs) {
      idleSweeper.unwatch(this);
      this.onClientTimeout();
    } else if (this.serverIdleMs > 0 && !this.serverClosed && idle >= this.serverIdleMs) {
      idleSweeper.unwatch(this);
      this.onServerTimeout();
    }
  }

  private enterHalfClosed(): void {
    if (this.halfClosedTimeouts) return;
    this.halfClosedTimeouts = true;
    this.applyTimeouts();
  }

  private queuePending(chunk: Buffer): void {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    this.ctx.stats.bytesFromClient += chunk.length;
    if (this.pendingBytes >= MAX_PENDING_BYTES_BEFORE_CONNECT) this.client.pause();
  }

  private readonly onClientPreData = (chunk: Buffer): void => {
    if (this.state === 'header') this.onHeaderBytes(chunk);
    else if (this.state !== 'closed') this.queuePending(chunk);
  };

  private readonly onClientData = (chunk: Buffer): void => {
    // The server is gone: its side was closed cleanly and the client is being ended; bytes
    // that can no longer be delivered are dropped rather than written to a dead socket.
    if (this.serverClosed) return;
    this.lastActivity = performance.now();
    this.ctx.stats.bytesFromClient += chunk.length;
    if (!(this.upstream as net.Socket).write(chunk)) this.client.pause();
  };

  onClientRead(chunk: Buffer, reusable: boolean): boolean {
    if (this.state !== 'data') {
      // Before forwarding, bytes are kept (pending payload) or parsed (the decoded header
      // may keep views into them): they must own their memory.
      this.onClientPreData(reusable ? Buffer.from(chunk) : chunk);
      return true;
    }
    if (this.serverClosed) return true;
    this.lastActivity = performance.now();
    this.ctx.stats.bytesFromClient += chunk.length;
    const up = this.upstream as net.Socket;
    if (!reusable) {
      if (!up.write(chunk)) this.client.pause();
      return true;
    }
    up.write(chunk, this.onServerWritten);
    // Written to the kernel synchronously: the buffer is free for the next read.
    if (up.writableLength === 0) return true;
    // Still queued: the chunk pins our read buffer, so stop reading until it is out.
    this.clientWaitsForWrite = true;
    return false;
  }

  clientReadBuffer(): Buffer {
    return (this.clientBuffer ??= takeReadBuffer());
  }

  private readonly onServerWritten = (): void => {
    this.lastActivity = performance.now();
    if (!this.clientWaitsForWrite || (this.upstream?.writableLength ?? 0) !== 0) return;
    this.clientWaitsForWrite = false;
    if (!this.clientEnded) this.client.resume();
  };

  readBuffer(): Buffer {
    return (this.upstreamBuffer ??= takeReadBuffer());
  }

  onUpstreamRead(chunk: Buffer, reusable: boolean): boolean {
    if (this.clientClosed) return true;
    this.lastActivity = performance.now();
    this.ctx.stats.bytesToClient += chunk.length;
    if (!reusable) {
      if (!this.client.write(chunk)) (this.upstream as net.Socket).pause();
      return true;
    }
    this.client.write(chunk, this.onClientWritten);
    // Written to the kernel synchronously: the buffer is free for the next read.
    if (this.client.writableLength === 0) return true;
    // Still queued: the chunk pins our read buffer, so stop reading until it is out.
    this.upstreamWaitsForWrite = true;
    return false;
  }

  private readonly onClientWritten = (): void => {
    this.lastActivity = performance.now();
    if (!this.upstreamWaitsForWrite || this.client.writableLength !== 0) return;
    this.upstreamWaitsForWrite = false;
    if (!this.serverEnded) this.upstream?.resume();
  };

  private readonly onServerDrain = (): void => {
    this.lastActivity = performance.now();
    if (!this.clientEnded && !this.clientWaitsForWrite) this.client.resume();
  };

  private readonly onClientDrain = (): void => {
    this.lastActivity = performance.now();
    if (!this.serverEnded && !this.upstreamWaitsForWrite) this.upstream?.resume();
  };

  private readonly onClientEnd = (): void => {
    this.clientEnded = true;
    this.lastActivity = performance.now();
    if (this.state === 'header') {
      // EOF inside or before the header: TRUNCATED or EMPTY (§4.16).
      let code = 'TRUNCATED';
      try {
        (this.decoder as ProxyHeaderDecoder).end();
      } catch (err) {
        if (isProxyProtocolError(err)) code = err.code;
      }
      this.rejectHeader(code, null);
      return;
    }
    if (this.state === 'data') {
      // Half-close: forward the client's FIN once its bytes are written (§ issue: half-close).
      const up = this.upstream as net.Socket;
      if (this.serverEnded && up.writableLength === 0) {
        // Both directions are finished and nothing is left to send: close at once, as
        // HAProxy does. close() sends the FIN itself (the receive queue is empty after EOF, so
        // no RST); a shutdown() first would be one more syscall per connection for nothing.
        up.destroy();
      } else up.end();
      this.enterHalfClosed();
    }
    // Before the connection exists, the FIN is replayed in onConnected.
  };

  private readonly onServerEnd = (): void => {
    this.serverEnded = true;
    this.lastActivity = performance.now();
    if (this.state === 'closed') return;
    // As in onClientEnd: with both directions finished and nothing queued, close at once.
    if (this.clientEnded && this.client.writableLength === 0) this.client.destroy();
    else this.client.end();
    this.enterHalfClosed();
  };

  private readonly onClientError = (): void => {
    if (this.state === 'header') {
      this.rejectHeader('ABORT', null);
      return;
    }
    this.setTermination('C', this.phaseLetter());
  };

  private readonly onServerError = (): void => {
    this.setTermination('S', 'D');
  };

  private onClientTimeout(): void {
    this.setTermination('c', 'D');
    this.abort();
  }

  private onServerTimeout(): void {
    this.setTermination('s', 'D');
    this.abort();
  }

  private readonly onClientClose = (hadError: boolean): void => {
    this.clientClosed = true;
    if (this.headerTimer !== null) clearTimeout(this.headerTimer);
    this.headerTimer = null;
    if (this.state !== 'data' && this.state !== 'closed') {
      // The client left while we were still setting up: undo whatever is in progress.
      this.setTermination('C', this.phaseLetter());
      this.cancelSetup();
    } else if (this.upstream !== null && !this.serverClosed) {
      if (hadError) this.upstream.destroy();
      else if (!this.upstream.writableEnded) this.upstream.end();
    }
    this.maybeFinish();
  };

  private readonly onServerClose = (hadError: boolean): void => {
    this.serverClosed = true;
    if (!this.clientClosed) {
      if (hadError) this.client.destroy();
      else if (!this.client.writableEnded) this.client.end();
    }
    this.maybeFinish();
  };

  // ---- ending ------------------------------------------------------------------------

  private phaseLetter(): string {
    switch (this.state) {
      case 'rules':
      case 'header':
        return 'R';
      case 'queue':
        return 'Q';
      case 'connect':
        return 'C';
      default:
        return 'D';
    }
  }

  private setTermination(who: string, where: string): void {
    if (this.termWho !== '-') return;
    this.termWho = who;
    this.termWhere = where;
  }

  private cancelSetup(): void {
    if (this.state === 'queue') this.backend?.cancel(this);
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    if (this.upstream !== null) {
      this.upstream.destroy();
      this.upstream = null;
    }
    this.state = 'closed';
  }

  /** Ends the session from our side before or instead of forwarding. */
  private closeClient(who: string, where: string, destroy: boolean): void {
    this.setTermination(who, where);
    this.cancelSetup();
    if (this.headerTimer !== null) clearTimeout(this.headerTimer);
    this.headerTimer = null;
    if (destroy) this.client.destroy();
    else this.client.end();
  }

  abort(): void {
    this.client.destroy();
    this.upstream?.destroy();
  }

  private maybeFinish(): void {
    if (this.finished || !this.clientClosed || !this.serverClosed) return;
    this.finished = true;
    this.state = 'closed';
    idleSweeper.unwatch(this);
    const fe = this.frontend;
    const shared = fe.shared;
    const backend = this.backend;
    const server = this.server;
    const stats = this.ctx.stats;
    stats.totalMs = Math.round(performance.now() - this.startedAt);
    stats.terminationState = this.termWho + this.termWhere;
    stats.activeConns = shared.globalGate.active;
    stats.frontendConns = fe.active;
    stats.backendConns = backend?.active ?? 0;
    stats.serverConns = server?.active ?? 0;
    // Both sockets are closed: no write can still reference the read buffer.
    if (this.upstreamBuffer !== null) {
      returnReadBuffer(this.upstreamBuffer);
      this.upstreamBuffer = null;
    }
    if (this.clientBuffer !== null) {
      returnReadBuffer(this.clientBuffer);
      this.clientBuffer = null;
    }
    shared.counters.bytesIn += stats.bytesFromClient;
    shared.counters.bytesOut += stats.bytesToClient;
    if (!this.silent && fe.logs.enabled) {
      const line = fe.model.logFormat !== undefined
        ? fe.model.logFormat.render(this.ctx).toString('latin1')
        : formatTcpLog(this.ctx, { server: 0, backend: backend?.queueLength ?? 0 });
      fe.logs.send(line, TRAFFIC_LOG_LEVEL, Date.now());
    }
    if (sessionEndChannel.hasSubscribers) sessionEndChannel.publish({ ctx: this.ctx });
    if (server !== null && backend !== null && this.ctx.serverName !== null) backend.release(server);
    shared.counters.sessionsActive--;
    shared.globalGate.active--;
    fe.gate.active--;
    fe.active--;
    shared.sessions.delete(this);
    shared.admitWaiting();
    if (shared.sessions.size === 0) shared.onIdle();
  }
}

type SessionContextRules = RuntimeFrontend['model']['tcpRequest']['session'];
