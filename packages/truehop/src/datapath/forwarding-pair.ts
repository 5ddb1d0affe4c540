// One stream: the client socket and the server socket once the server connection is up, with
// both directions of forwarding, backpressure, half-close and the inactivity timeouts. Made by
// the session when the connector reports the connection (never before, so none of its fields
// is ever "not yet"); it tells its owner when the server side closed and when a side failed.
//
// Per-chunk work is a method call and a write: handlers are bound once per stream, no closure
// or buffer is created per chunk, and bytes are forwarded as the Buffers the socket produced
// (never copied). Reads into reused memory (reused-read-buffers.ts) pin their buffer until the
// write that carries them completes.
import { performance } from 'node:perf_hooks';
import type net from 'node:net';
import type { SessionStats } from '../model/session.js';
import type { Timeouts } from '../model/config-model.js';
import { idleSweeper, type IdleWatched } from './idle-sweeper.js';
import { returnReadBuffer, takeReadBuffer, type SocketReader } from './reused-read-buffers.js';
import type { RuntimeBackend } from './runtime-backend.js';
import type { RuntimeServer } from './runtime-server.js';
import type { Conn, ConnHandler } from './transport/conn.js';
import { attachHandler, handlerOf, resetConn, setReader } from './transport/transport.js';
import { TERM_CAUSE, TERM_PHASE, type TermCause, type TermPhase } from './termination.js';
import type { InternalErrorSink } from './internal-error.js';
import { FAULT_AT_DATA, injectFault } from './fault-inject.js';
import type { SessionContext } from '../model/session.js';

/** What a stream reports to the session that owns it; what the stream's code throws goes to its onInternalError. */
export interface StreamOwner extends InternalErrorSink {
  readonly ctx: SessionContext;
  setTermination(cause: TermCause, phase: TermPhase): void;
  /** The server socket closed; the session ends once the client socket has closed too. */
  onServerClosed(): void;
}

/** The server connection's events come to the stream itself (ConnHandler); the client's to the session. */
export class ForwardingPair implements SocketReader, IdleWatched, ConnHandler {
  readonly kind = 'forwarding';
  clientEnded: boolean;
  readonly server: Conn;
  private serverEnded = false;
  private clientClosed = false;
  serverClosed = false;
  private halfClosedTimeouts = false;
  /** This stream's read buffers (see reused-read-buffers.ts), taken on first large read. */
  private serverBuffer: Buffer | null = null;
  private clientBuffer: Buffer | null = null;
  /** Reading from the server is stopped until the client write that pins the buffer completes. */
  private serverWaitsForWrite = false;
  /** Reading from the client is stopped until the server write that pins the buffer completes. */
  private clientWaitsForWrite = false;
  /** Inactivity limits (0 = none), checked by the idle sweeper. */
  private clientIdleMs = 0;
  private serverIdleMs = 0;
  /** performance.now() of the last byte read or written on either side. */
  private lastActivity = 0;

  constructor(
    private readonly owner: StreamOwner,
    private readonly client: Conn,
    server: Conn,
    /** The backend and server whose slot this stream holds until the session ends. */
    readonly backend: RuntimeBackend,
    readonly serverSlot: RuntimeServer,
    private readonly stats: SessionStats,
    private readonly frontendTimeouts: Timeouts,
    private readonly backendTimeouts: Timeouts,
    /** The client's FIN arrived before the server connection was up. */
    clientEnded: boolean,
  ) {
    this.clientEnded = clientEnded;
    this.server = server;
    setReader(server, this);
    attachHandler(server, this);
    // A TLS server socket cannot read into our buffers (`onread` stops at the TLS layer): its
    // decrypted bytes come as 'data' events, each a fresh Buffer of its own.
    // eslint-disable-next-line @typescript-eslint/unbound-method -- called with the socket as `this`
    if ((server as net.Socket & { encrypted?: boolean }).encrypted === true) server.on('data', ForwardingPair.onServerData);
    // The client connection's events are the session's; it passes 'data' and 'drain' on.
    this.applyTimeouts();
    // A raw connection reads only once asked to (a net.Socket already flows: no-op there).
    server.resume();
    if (clientEnded) {
      server.end();
      this.enterHalfClosed();
    } else {
      client.resume();
    }
  }

  /** Timeouts for the data phase: `timeout tunnel` supersedes client/server once connected. */
  private applyTimeouts(): void {
    const fe = this.frontendTimeouts;
    const be = this.backendTimeouts;
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
      this.owner.setTermination(TERM_CAUSE.CLIENT_TIMEOUT, TERM_PHASE.DATA);
      this.abort();
    } else if (this.serverIdleMs > 0 && !this.serverClosed && idle >= this.serverIdleMs) {
      idleSweeper.unwatch(this);
      this.owner.setTermination(TERM_CAUSE.SERVER_TIMEOUT, TERM_PHASE.DATA);
      this.abort();
    }
  }

  private enterHalfClosed(): void {
    if (this.halfClosedTimeouts) return;
    this.halfClosedTimeouts = true;
    this.applyTimeouts();
  }

  // ---- client → server -------------------------------------------------------------------

  /** A client chunk on the 'data'-event path. */
  onClientData(chunk: Buffer): void {
    // The server is gone: its side was closed cleanly and the client is being ended; bytes
    // that can no longer be delivered are dropped rather than written to a dead socket.
    if (this.serverClosed) return;
    this.lastActivity = performance.now();
    this.stats.bytesFromClient += chunk.length;
    if (!this.server.write(chunk)) this.client.pause();
  }

  /** A client read on the reused-memory path (through the session); same contract as onSocketRead. */
  onClientRead(chunk: Buffer, reusable: boolean): boolean {
    if (this.serverClosed) return true;
    this.lastActivity = performance.now();
    this.stats.bytesFromClient += chunk.length;
    const server = this.server;
    if (!reusable) {
      if (!server.write(chunk)) this.client.pause();
      return true;
    }
    server.write(chunk, (this.onServerWritten ??= this.guardedWriteCallback(true)));
    // Written to the kernel synchronously: the buffer is free for the next read.
    if (server.writableLength === 0) return true;
    // Still queued: the chunk pins our read buffer, so stop reading until it is out.
    this.clientWaitsForWrite = true;
    return false;
  }

  clientReadBuffer(): Buffer {
    return (this.clientBuffer ??= takeReadBuffer());
  }

  /**
   * Write callbacks, bound on the first write from a stream's own read buffer (after a large
   * read): most streams never make one, and an idle one should not hold two closures.
   */
  private onServerWritten: (() => void) | null = null;
  private onClientWritten: (() => void) | null = null;

  /**
   * A write-completion callback (toServer: the server write finished) that catches what it
   * throws: net.Socket calls it from its stream machinery, where an exception would reach the
   * event loop (internal-error.ts).
   */
  private guardedWriteCallback(toServer: boolean): () => void {
    return () => {
      try {
        if (toServer) this.serverWritten();
        else this.clientWritten();
      } catch (err) {
        this.owner.onInternalError(err);
      }
    };
  }

  onInternalError(err: unknown): void {
    this.owner.onInternalError(err);
  }

  private serverWritten(): void {
    this.lastActivity = performance.now();
    if (!this.clientWaitsForWrite || this.server.writableLength !== 0) return;
    this.clientWaitsForWrite = false;
    if (!this.clientEnded) this.client.resume();
  }

  private static readonly onServerData = function (this: net.Socket, chunk: Buffer): void {
    const pair = handlerOf(this) as ForwardingPair;
    try {
      pair.onSocketRead(chunk, false);
    } catch (err) {
      pair.onInternalError(err);
    }
  };

  onConnConnect(): void {}

  /** The server's write queue drained. */
  onConnDrain(): void {
    this.lastActivity = performance.now();
    if (!this.clientEnded && !this.clientWaitsForWrite) this.client.resume();
  }

  // ---- server → client -------------------------------------------------------------------

  /** The server socket's reads (SocketReader). */
  ownReadBuffer(): Buffer {
    return (this.serverBuffer ??= takeReadBuffer());
  }

  onSocketRead(chunk: Buffer, reusable: boolean): boolean {
    if (this.clientClosed) return true;
    if (FAULT_AT_DATA !== null) injectFault(FAULT_AT_DATA, 'data', this.owner.ctx.frontendName);
    this.lastActivity = performance.now();
    this.stats.bytesToClient += chunk.length;
    if (!reusable) {
      if (!this.client.write(chunk)) this.server.pause();
      return true;
    }
    this.client.write(chunk, (this.onClientWritten ??= this.guardedWriteCallback(false)));
    // Written to the kernel synchronously: the buffer is free for the next read.
    if (this.client.writableLength === 0) return true;
    // Still queued: the chunk pins our read buffer, so stop reading until it is out.
    this.serverWaitsForWrite = true;
    return false;
  }

  private clientWritten(): void {
    this.lastActivity = performance.now();
    if (!this.serverWaitsForWrite || this.client.writableLength !== 0) return;
    this.serverWaitsForWrite = false;
    if (!this.serverEnded) this.server.resume();
  }

  onClientDrain(): void {
    this.lastActivity = performance.now();
    if (!this.serverEnded && !this.serverWaitsForWrite) this.server.resume();
  }

  // ---- half-close and close --------------------------------------------------------------

  /** The client sent its FIN: forward it once its bytes are written. */
  onClientEnd(): void {
    this.clientEnded = true;
    this.lastActivity = performance.now();
    const server = this.server;
    if (this.serverEnded && server.writableLength === 0) {
      // Both directions are finished and nothing is left to send: close at once, as HAProxy
      // does. close() sends the FIN itself (the receive queue is empty after EOF, so no RST);
      // a shutdown() first would be one more syscall per connection for nothing.
      server.destroy();
    } else server.end();
    this.enterHalfClosed();
  }

  /** The server sent its FIN. */
  onConnEnd(): void {
    this.serverEnded = true;
    this.lastActivity = performance.now();
    // As in onClientEnd: with both directions finished and nothing queued, close at once.
    if (this.clientEnded && this.client.writableLength === 0) this.client.destroy();
    else this.client.end();
    this.enterHalfClosed();
  }

  onConnError(): void {
    this.owner.setTermination(TERM_CAUSE.SERVER_ABORT, TERM_PHASE.DATA);
  }

  onClientClose(hadError: boolean): void {
    this.clientClosed = true;
    if (this.serverClosed) return;
    if (hadError) this.server.destroy();
    else if (!this.server.writableEnded) this.server.end();
  }

  onConnClose(_conn: Conn, hadError: boolean): void {
    this.serverClosed = true;
    if (!this.clientClosed) {
      if (hadError) this.client.destroy();
      else if (!this.client.writableEnded) this.client.end();
    }
    this.owner.onServerClosed();
  }

  abort(): void {
    this.client.destroy();
    this.server.destroy();
  }

  /** An internal error: both connections reset (RST), no more idle checks. */
  kill(): void {
    idleSweeper.unwatch(this);
    resetConn(this.client);
    resetConn(this.server);
  }

  /** Both sockets are closed: no write can still reference the read buffers. */
  release(): void {
    idleSweeper.unwatch(this);
    if (this.serverBuffer !== null) returnReadBuffer(this.serverBuffer);
    if (this.clientBuffer !== null) returnReadBuffer(this.clientBuffer);
    this.serverBuffer = null;
    this.clientBuffer = null;
  }
}
