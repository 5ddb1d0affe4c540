// Waiting for a peer process (HAProxy, nginx, the truehop CLI) to accept connections before a
// test or benchmark talks to it. Every wait is bounded; the caller words its own failure.
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ChildProcess } from 'node:child_process';

/** Resolves true when a TCP connection to `host:port` succeeds (then closes it), false on error. */
function canConnect(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export type ListenWait = 'listening' | 'exited' | 'timed-out';

/**
 * Polls `port` every `pollMs` until something accepts on it, the process behind it has
 * `exited()`, or `timeoutMs` passed.
 */
export async function waitListening(port: number, timeoutMs: number, pollMs: number, exited: () => boolean = () => false): Promise<ListenWait> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await canConnect(port)) return 'listening';
    if (exited()) return 'exited';
    if (Date.now() > deadline) return 'timed-out';
    await sleep(pollMs);
  }
}

/**
 * The port the truehop CLI child reports on stderr (`listening on <addr>:<port>`), for configs
 * that bind port 0; rejects with the stderr seen so far after `timeoutMs`.
 */
export function cliListeningPort(child: ChildProcess, timeoutMs: number): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    let err = '';
    const timer = setTimeout(() => reject(new Error(`truehop did not start: ${err}`)), timeoutMs);
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /listening on [^\s]+:(\d+)/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
  });
}
