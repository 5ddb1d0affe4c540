// One check connection: connect under a deadline, write, and wait for the server's bytes
// under a deadline. Every socket is registered with the monitor's CheckSockets so stop()
// can destroy whatever is still open — a check never outlives the monitor, never leaks.
import { Buffer } from 'node:buffer';
import type net from 'node:net';
import type tls from 'node:tls';
import type { ServerTlsModel } from '../model/config-model.js';
import { startServerTls } from '../datapath/server-tls.js';
import { performance } from 'node:perf_hooks';
import type { Endpoint } from '../model/session.js';
import { connEndpoints, connectSocket } from '../datapath/transport/transport.js';

/**
 * Most bytes kept from a server's answer. HAProxy reads check responses into one buffer
 * (tune.bufsize, 16384 by default); a server that streams more cannot make a check grow
 * without bound (memory exhaustion by a misbehaving or hostile backend).
 */
export const MAX_CHECK_RESPONSE_BYTES = 16384;

/**
 * Longest wait for our last bytes to leave after a check has decided. A server that never
 * reads could otherwise hold a check socket open forever (socket leak).
 */
export const CLOSE_LINGER_MS = 1000;

/** Monotonic milliseconds: deadlines and durations must not jump with the wall clock. */
export function monotonicMs(): number {
  return performance.now();
}

/** The set of sockets open for checks, closed all at once by stop(). */
export class CheckSockets {
  readonly #open = new Set<net.Socket>();
  #closed = false;

  get size(): number {
    return this.#open.size;
  }

  get closed(): boolean {
    return this.#closed;
  }

  track(socket: net.Socket): void {
    // A check socket's errors are reported through the check result; this listener only
    // guarantees an unexpected 'error' can never crash the process.
    socket.on('error', () => {});
    if (this.#closed) {
      socket.destroy();
      return;
    }
    this.#open.add(socket);
    socket.once('close', () => this.#open.delete(socket));
  }

  /** Destroys every open check socket and resolves once they have all closed. */
  async closeAll(): Promise<void> {
    this.#closed = true;
    const pending = [...this.#open].map(
      (socket) => new Promise<void>((resolve) => {
        if (socket.closed) return resolve();
        socket.once('close', () => resolve());
        socket.destroy();
      }),
    );
    await Promise.all(pending);
  }
}

export type ConnectOutcome =
  | { kind: 'connected'; socket: net.Socket; local: Endpoint; peer: Endpoint }
  | { kind: 'timeout' }
  | { kind: 'error'; error: unknown };

/** Connects to host:port, giving up at `deadline` (monotonic ms). */
export function connectForCheck(
  target: { host: string; port: number },
  deadline: number,
  sockets: CheckSockets,
): Promise<ConnectOutcome> {
  return new Promise((resolve) => {
    let socket: net.Socket;
    try {
      // The data path's connect seam (datapath/transport/transport.ts), on net.Socket: a check
      // reads through 'data' events with its own cap and closes after its answer.
      socket = connectSocket(target.host, target.port, false);
    } catch (error) {
      // Synchronous throws: invalid port or address text.
      resolve({ kind: 'error', error });
      return;
    }
    sockets.track(socket);
    let settled = false;
    const settle = (outcome: ConnectOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.off('connect', onConnect);
      socket.off('error', onError);
      socket.off('close', onClose);
      resolve(outcome);
    };
    const onConnect = (): void => {
      const { local, peer } = connEndpoints(socket);
      if (local === null || peer === null) {
        socket.destroy();
        settle({ kind: 'error', error: new Error('connected socket has no address') });
        return;
      }
      settle({ kind: 'connected', socket, local, peer });
    };
    const onError = (error: unknown): void => {
      socket.destroy();
      settle({ kind: 'error', error });
    };
    // Destroyed by stop() before connecting: report it as an error, never hang.
    const onClose = (): void => settle({ kind: 'error', error: new Error('check stopped') });
    const timer = setTimeout(() => {
      socket.destroy();
      settle({ kind: 'timeout' });
    }, Math.max(0, deadline - monotonicMs()));
    socket.once('connect', onConnect);
    socket.once('error', onError);
    socket.once('close', onClose);
  });
}

export type TlsOutcome =
  | { kind: 'secure'; socket: tls.TLSSocket }
  | { kind: 'timeout' }
  | { kind: 'error'; error: unknown };

/**
 * The TLS handshake of a `check-ssl` check on a connected socket (the PROXY header, if any,
 * already written in clear), giving up at `deadline` (monotonic ms).
 */
export function secureForCheck(socket: net.Socket, model: ServerTlsModel, deadline: number, sockets: CheckSockets): Promise<TlsOutcome> {
  return new Promise((resolve) => {
    const secure = startServerTls(socket, model, model.fixedSni);
    sockets.track(secure);
    let settled = false;
    const settle = (outcome: TlsOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (outcome.kind !== 'secure') secure.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(() => settle({ kind: 'timeout' }), Math.max(0, deadline - monotonicMs()));
    secure.once('secureConnect', () => settle({ kind: 'secure', socket: secure }));
    secure.once('error', (error) => settle({ kind: 'error', error }));
    secure.once('close', () => settle({ kind: 'error', error: new Error('connection closed during the handshake') }));
  });
}

export type WaitOutcome = 'ready' | 'ended' | 'timeout' | 'error';

/**
 * The receiving side of a connected check socket: accumulates what the server sends
 * (capped at MAX_CHECK_RESPONSE_BYTES) and lets a check wait until its test is satisfied,
 * the server closes, an error occurs, or the deadline passes — whichever comes first.
 */
export class CheckConversation {
  readonly socket: net.Socket;
  #received: Buffer = Buffer.alloc(0);
  #ended = false;
  #failed = false;
  #wake: (() => void) | null = null;

  constructor(socket: net.Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      const room = MAX_CHECK_RESPONSE_BYTES - this.#received.length;
      if (room > 0) this.#received = Buffer.concat([this.#received, room >= chunk.length ? chunk : chunk.subarray(0, room)]);
      this.#notify();
    });
    socket.on('end', () => {
      this.#ended = true;
      this.#notify();
    });
    socket.on('error', () => {
      this.#failed = true;
      this.#notify();
    });
    socket.on('close', () => {
      this.#ended = true;
      this.#notify();
    });
  }

  get received(): Buffer {
    return this.#received;
  }

  /** True once the buffer is full: nothing more will be kept, tests see all they will see. */
  get full(): boolean {
    return this.#received.length >= MAX_CHECK_RESPONSE_BYTES;
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** Forgets what was received (a new `send` starts a new exchange). */
  clear(): void {
    this.#received = Buffer.alloc(0);
  }

  write(data: Uint8Array): void {
    if (data.length > 0 && !this.socket.destroyed) this.socket.write(data);
  }

  /** Waits until `ready()` holds, the peer ends, an error occurs or `deadline` passes. */
  until(ready: () => boolean, deadline: number): Promise<WaitOutcome> {
    return new Promise((resolve) => {
      const check = (): WaitOutcome | null => {
        if (ready()) return 'ready';
        if (this.#failed) return 'error';
        if (this.#ended || this.full) return 'ended';
        return null;
      };
      const first = check();
      if (first !== null) return resolve(first);
      const timer = setTimeout(() => {
        this.#wake = null;
        resolve('timeout');
      }, Math.max(0, deadline - monotonicMs()));
      this.#wake = () => {
        const outcome = check();
        if (outcome === null) return;
        clearTimeout(timer);
        this.#wake = null;
        resolve(outcome);
      };
    });
  }

  /**
   * Closes politely: pending bytes (the PROXY header, a request) are flushed and a FIN
   * follows, so a receiver that requires the header always reads a complete one. HAProxy
   * resets instead; a FIN costs a TIME_WAIT on our side but never truncates the header.
   */
  close(): void {
    const socket = this.socket;
    if (socket.destroyed) return;
    const linger = setTimeout(() => socket.destroy(), CLOSE_LINGER_MS);
    socket.once('close', () => clearTimeout(linger));
    socket.end(() => socket.destroy());
  }

  #notify(): void {
    this.#wake?.();
  }
}
