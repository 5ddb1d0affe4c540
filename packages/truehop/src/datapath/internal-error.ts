// Internal errors: an exception thrown by our own code while it handles one session (a bug in a
// rule, a fetch, a converter, the balancer, the log formatter, the TLS glue …). HAProxy ends
// such a stream with SF_ERR_INTERNAL (`I` in %ts) and goes on serving every other one; left
// alone in Node, the exception would reach the event loop and end the process (in master-worker
// mode, every session of the worker).
//
// The data path is entered from the event loop at a few places only: the transport's dispatch
// into a connection's owner (transport.ts's shared socket listeners, raw-conn.ts's and
// raw-tls.ts's libuv callbacks, reused-read-buffers.ts's read callback), the accept of a
// connection (listener.ts), a backend queue handing a slot to a waiting session
// (runtime-backend.ts), and the timers (header, inspect-delay, drain, connect, retry, queue,
// TLS handshake; the idle sweeper). Each of those catches what escapes and hands it to the
// owner it was calling, whose onInternalError passes it up to the session
// (ClientSession.onInternalError), which ends with `I` + its phase. A try/catch around an
// existing call costs nothing in V8's optimised code; no closure or allocation per event.

/** Whoever can end a session because an exception escaped its code. */
export interface InternalErrorSink {
  /** An exception escaped one of this object's calls: end its session with `I`. Never throws. */
  onInternalError(err: unknown): void;
}

/**
 * A timer callback that receives its owner as argument (setTimeout(fn, ms, owner)), guarded:
 * an exception goes to the owner's onInternalError. Made once per callback at load time.
 */
export function guardedTimer<T extends InternalErrorSink>(fn: (owner: T) => void): (owner: T) => void {
  return function guarded(this: void, owner: T): void {
    try {
      fn(owner);
    } catch (err) {
      owner.onInternalError(err);
    }
  };
}

const kInternal = Symbol('truehop.internalError');

/**
 * Marks `err` as an internal error before a transport closes a connection with it (its own
 * code failed where no owner was on the stack): the owner's error handler sees the mark and
 * ends the session with `I` rather than as a client abort.
 */
export function markInternal(err: unknown): Error {
  const e = err instanceof Error ? err : new Error(String(err));
  (e as Error & { [kInternal]?: true })[kInternal] = true;
  return e;
}

export function isInternal(err: unknown): boolean {
  return err instanceof Error && (err as Error & { [kInternal]?: true })[kInternal] === true;
}

/**
 * The error as one log line: its stack when it has one (the message first), its frames joined
 * with ' | ' so a line-oriented log keeps it whole; else the thrown value. Never throws.
 */
export function describeInternalError(err: unknown): string {
  try {
    const text = err instanceof Error
      ? (typeof err.stack === 'string' && err.stack !== '' ? err.stack : `${err.name}: ${err.message}`)
      : `thrown value: ${String(err)}`;
    return text.split('\n').map((l) => l.trim()).filter((l) => l !== '').join(' | ');
  } catch {
    return 'an exception that cannot be described';
  }
}

/**
 * onInternalError for owners that are not sessions (the transports' self-tests, tests): the
 * exception goes on as it would without a guard.
 */
export function rethrow(err: unknown): never {
  throw err;
}
