// The one module that touches Node's private socket state. Everything else in the daemon uses
// public APIs; this file says what it relies on, checks it once at start-up, and can be
// switched off.
//
// What it relies on (Node 20–24, lib/net.js):
//  * an accepted socket's libuv stream handle (`socket._handle`) has `useUserBuffer(buf)`,
//    which makes libuv read into `buf` instead of a freshly allocated one, and `reading`,
//    true once reads have started;
//  * a socket built with the public `onread` option keeps that option under three private
//    symbols whose descriptions are `kBuffer`, `kBufferGen` and `kBufferCb`; Node's read path
//    (onStreamRead) calls `socket[kBufferCb](nread, buf)` and takes the next buffer from
//    `socket[kBufferGen]()` when they are set.
// net.Server has no `onread` option, so for client sockets those three fields are set here by
// hand on a socket accepted paused (pauseOnConnect, nothing read yet) — the same state
// `new net.Socket({ onread })` would have built.
//
// The check: at start-up a probe socket built with `onread` must expose the three symbols.
// If not (a Node that renamed them), or when TRUEHOP_NODE_INTERNALS=off, client sockets keep
// Node's public 'data' events: slower (a fresh 64 KiB allocation per read), never wrong.
import net from 'node:net';
import type tls from 'node:tls';

/** Set to `off` to force the public 'data'-event path for client sockets. */
export const NODE_INTERNALS_ENV = 'TRUEHOP_NODE_INTERNALS';

/** The reason given when the environment switched the fast path off. */
export const NODE_INTERNALS_OFF_REASON = `${NODE_INTERNALS_ENV}=off`;

/** Node's read callback shape for `onread` (returns false to stop reading). */
export type ReadCallback = (this: net.Socket, nread: number, buf: Buffer) => boolean;

interface OnreadSymbols {
  readonly buffer: symbol;
  readonly gen: symbol;
  readonly cb: symbol;
}

export type NodeInternals =
  | { readonly usable: true; readonly symbols: OnreadSymbols }
  | { readonly usable: false; readonly reason: string };

interface UserBufferHandle {
  reading?: boolean;
  useUserBuffer?: (buf: Uint8Array) => void;
}

function findOnreadSymbols(): OnreadSymbols | null {
  const probe = new net.Socket({ onread: { buffer: Buffer.alloc(1), callback: () => true } } as net.SocketConstructorOpts);
  const byName = new Map(Object.getOwnPropertySymbols(probe).map((sym) => [sym.description, sym]));
  probe.destroy();
  const buffer = byName.get('kBuffer');
  const gen = byName.get('kBufferGen');
  const cb = byName.get('kBufferCb');
  if (buffer === undefined || gen === undefined || cb === undefined) return null;
  return { buffer, gen, cb };
}

/** Decides once whether the client fast path may be used, from the environment and this Node. */
export function probeNodeInternals(env: NodeJS.ProcessEnv): NodeInternals {
  if (env[NODE_INTERNALS_ENV] === 'off') return { usable: false, reason: NODE_INTERNALS_OFF_REASON };
  const symbols = findOnreadSymbols();
  if (symbols === null) return { usable: false, reason: `Node ${process.version} has no kBuffer/kBufferGen/kBufferCb socket fields` };
  return { usable: true, symbols };
}

/** This process's verdict, taken when the daemon module is loaded (i.e. at start-up). */
export const NODE_INTERNALS: NodeInternals = probeNodeInternals(process.env);

/**
 * Makes an accepted socket that has not started reading read into `first` (then into what
 * `next()` returns) and deliver each read to `callback` instead of 'data' events. Returns
 * false, changing nothing, when internals are off or the socket is not in that state.
 */
export function readIntoUserBuffers(
  internals: NodeInternals,
  socket: net.Socket,
  first: Buffer,
  next: () => Buffer,
  callback: ReadCallback,
): boolean {
  if (!internals.usable) return false;
  const handle = (socket as unknown as { _handle?: UserBufferHandle | null })._handle;
  if (handle === undefined || handle === null || typeof handle.useUserBuffer !== 'function') return false;
  // Reading already started: a buffer swap now would race with a read in flight.
  if (handle.reading === true || socket.readableLength > 0) return false;
  const fields = socket as unknown as Record<symbol, unknown>;
  fields[internals.symbols.buffer] = first;
  fields[internals.symbols.gen] = next;
  fields[internals.symbols.cb] = callback;
  handle.useUserBuffer(first);
  return true;
}

/**
 * The verification result of a server-side TLSSocket's client certificate: null when it
 * verified, else OpenSSL's reason as Node names it ('CERT_HAS_EXPIRED', …). tls.Server reads
 * it the same way (`_handle.verifyError()`, exposed as `ssl`); a TLSSocket made over an
 * accepted socket has no public equivalent. Without the method the answer is a failure, so a
 * Node that changed it refuses client certificates rather than trusting them.
 */
export function peerVerifyError(socket: tls.TLSSocket): string | null {
  const handle = (socket as unknown as { ssl?: { verifyError?: () => (Error & { code?: string }) | null } | null }).ssl;
  if (typeof handle?.verifyError !== 'function') return 'UNSPECIFIED';
  const err = handle.verifyError();
  return err === null || err === undefined ? null : (err.code ?? 'UNSPECIFIED');
}
