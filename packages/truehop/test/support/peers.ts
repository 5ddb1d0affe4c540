// Raw-socket peers for end-to-end tests: a recording server that keeps every byte each
// connection sent (to compare PROXY headers byte for byte), and small client helpers.
// Every helper is bounded in time and closes what it opened.
import net from 'node:net';
import { Writable } from 'node:stream';

export interface RecordedConnection {
  socket: net.Socket;
  chunks: Buffer[];
  /** Resolves when the peer half-closed (or the socket closed). */
  ended: Promise<void>;
  bytes(): Buffer;
}

export interface RecordingServer {
  port: number;
  host: string;
  connections: RecordedConnection[];
  /** Resolves with the n-th (0-based) connection once it exists. */
  connection(n: number, timeoutMs?: number): Promise<RecordedConnection>;
  /** Resolves once the connection has received at least `count` bytes. */
  close(): Promise<void>;
}

export type OnConnection = (conn: RecordedConnection) => void;

/** A server that records bytes; `onConnection` may answer (default: answer nothing). */
export async function recordingServer(
  onConnection?: OnConnection,
  host = '127.0.0.1',
  /** Keep our side open after the peer's FIN (half-close tests); default: answer FIN with FIN. */
  stayHalfOpen = false,
): Promise<RecordingServer> {
  const connections: RecordedConnection[] = [];
  const waiters: (() => void)[] = [];
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    socket.on('error', () => {});
    const chunks: Buffer[] = [];
    let endResolve!: () => void;
    const ended = new Promise<void>((r) => (endResolve = r));
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('end', () => {
      endResolve();
      if (!stayHalfOpen) socket.end();
    });
    socket.on('close', () => endResolve());
    const conn: RecordedConnection = { socket, chunks, ended, bytes: () => Buffer.concat(chunks) };
    connections.push(conn);
    onConnection?.(conn);
    for (const w of waiters.splice(0)) w();
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    host,
    connections,
    async connection(n, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (connections.length <= n) {
        if (Date.now() > deadline) throw new Error(`no connection #${n} within ${timeoutMs} ms`);
        await new Promise<void>((r) => {
          waiters.push(r);
          setTimeout(r, 50).unref();
        });
      }
      return connections[n] as RecordedConnection;
    },
    close() {
      for (const c of connections) c.socket.destroy();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** Waits until `fn()` is true, polling; throws after `timeoutMs`. */
export async function waitFor(fn: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!fn()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export function connect(port: number, host = '127.0.0.1'): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host, allowHalfOpen: true });
    s.once('connect', () => {
      s.removeListener('error', reject);
      s.on('error', () => {});
      resolve(s);
    });
    s.once('error', reject);
  });
}

/** Collects everything a socket receives until it closes (bounded by `timeoutMs`). */
export function readAll(socket: net.Socket, timeoutMs = 5000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => reject(new Error('readAll timed out')), timeoutMs);
    const done = (): void => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks));
    };
    socket.on('data', (c: Buffer) => chunks.push(c));
    // The peer's FIN ends what it will send (clients use allowHalfOpen, so 'close' may wait).
    socket.once('end', done);
    socket.once('close', done);
  });
}

/** Resolves true when the peer closes (FIN or reset) within `timeoutMs`, false otherwise. */
export function closedWithin(socket: net.Socket, timeoutMs: number): Promise<boolean> {
  if (socket.destroyed || socket.closed || socket.readableEnded) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    const done = (): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(true);
    };
    socket.resume();
    socket.once('end', done);
    socket.once('close', done);
  });
}

/** A writable that collects text (to capture log lines). */
export class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
    this.text += chunk.toString();
    cb();
  }
  lines(): string[] {
    return this.text.split('\n').filter((l) => l.length > 0);
  }
}

/**
 * Loopback ports nobody listens on: above the ephemeral range, so a listener on port 0 is never
 * given one, in a block no test binds (ports.test.ts checks that). A port bound then released
 * would not do: the next listener on port 0 in another test file running at the same time may
 * get it, and then receives this file's health checks and connects (it made a TLS test's
 * recording server count connections it never had).
 */
export const DEAD_PORTS = { first: 64900, count: 100 } as const;
let nextDeadPort = 0;

/** A loopback port nobody listens on (DEAD_PORTS); successive calls give different ports. */
export function deadPort(): number {
  const port = DEAD_PORTS.first + (nextDeadPort % DEAD_PORTS.count);
  nextDeadPort++;
  return port;
}
