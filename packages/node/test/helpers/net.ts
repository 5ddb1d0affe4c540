// Loopback plumbing for the end-to-end tests: listen on port 0, talk raw bytes, collect what
// comes back, always with a deadline so a broken server fails a test instead of hanging it.
import { execFileSync } from 'node:child_process';
import { connect } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export async function listen(server: Server, host = '127.0.0.1'): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => {
      server.removeListener('error', reject);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}

/** Closes the listener and every connection still open on it (tests must not leak). */
export async function closeServer(server: Server, sockets?: Set<Socket>): Promise<void> {
  if (sockets !== undefined) for (const socket of sockets) socket.destroy();
  const maybeHttp = server as Server & { closeAllConnections?: () => void };
  await new Promise<void>((resolve) => {
    if (!server.listening) {
      resolve();
      return;
    }
    server.close(() => resolve());
    maybeHttp.closeAllConnections?.();
  });
}

export interface Exchange {
  /** Everything the server sent before closing (or before the deadline). */
  received: Buffer;
  /** True if the server closed the connection (end, reset or close). */
  closed: boolean;
  /** The client socket's error, if any (a reset shows up here). */
  error: Error | undefined;
}

export interface ExchangeOptions {
  host?: string;
  localAddress?: string;
  /** Pause between writes (ms), to force separate TCP segments. */
  gapMs?: number;
  /** Give up waiting for the server to close after this many ms. */
  deadlineMs?: number;
  /** Half-close (FIN) after the last write. */
  end?: boolean;
}

/** Connects, writes `parts` one by one (Nagle off), and reads until the server closes. */
export async function exchange(port: number, parts: readonly (Uint8Array | string)[], options: ExchangeOptions = {}): Promise<Exchange> {
  const socket = connect({ port, host: options.host ?? '127.0.0.1', ...(options.localAddress === undefined ? {} : { localAddress: options.localAddress }) });
  socket.setNoDelay(true);
  const chunks: Buffer[] = [];
  let error: Error | undefined;
  let closed = false;
  const done = new Promise<void>((resolve) => {
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', (err) => {
      error = err;
    });
    socket.on('close', () => {
      closed = true;
      resolve();
    });
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  for (const part of parts) {
    if (socket.destroyed) break;
    socket.write(part);
    if (options.gapMs !== undefined) await sleep(options.gapMs);
  }
  if (options.end === true && !socket.destroyed) socket.end();
  const deadline = options.deadlineMs ?? 3000;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([done, new Promise<void>((resolve) => { timer = setTimeout(resolve, deadline); })]);
  clearTimeout(timer);
  const result = { received: Buffer.concat(chunks), closed, error };
  socket.destroy();
  return result;
}

/** An HTTP/1.1 request with `Connection: close`. */
export function httpGet(path: string, host = 'localhost'): string {
  return `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`;
}

/** The body of an HTTP/1.1 response (no chunked decoding: tests send Content-Length bodies). */
export function httpBody(response: Buffer): string {
  const text = response.toString('latin1');
  const split = text.indexOf('\r\n\r\n');
  return split === -1 ? '' : text.slice(split + 4);
}

export async function waitFor(predicate: () => boolean, timeoutMs = 2000, what = 'condition'): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}

/**
 * Makes `count` connections that send `first` (hex) and reset at once — HAProxy's health
 * checks — while this process's event loop is blocked (a child process does it, started
 * synchronously): each one is already reset when the server gets to accept it, so its peer
 * address cannot be read any more. Deterministic, unlike racing a reset against accept.
 */
export function resetBeforeAccept(port: number, first: Uint8Array, count: number): void {
  const script = [
    `const net = require('node:net');`,
    `let left = ${count};`,
    `const next = () => {`,
    `  if (left-- === 0) return;`,
    `  const s = net.connect(${port}, '127.0.0.1');`,
    `  s.on('error', () => {});`,
    `  s.on('connect', () => { s.write(Buffer.from('${Buffer.from(first).toString('hex')}', 'hex')); s.resetAndDestroy(); });`,
    `  s.on('close', next);`,
    `};`,
    `next();`,
  ].join('\n');
  execFileSync(process.execPath, ['-e', script], { timeout: 10_000, stdio: 'ignore' });
}
