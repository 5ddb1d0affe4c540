// A ConnHandler for transport tests (raw-conn.test.ts, raw-tls.test.ts): records what it hears,
// in order, as short strings ('connect', 'drain', 'end', 'error ECONNRESET', 'close false'), and
// lets a test wait for one.
import type { Conn, ConnHandler } from '../../src/datapath/transport/conn.js';

export class ConnRecorder implements ConnHandler {
  readonly events: string[] = [];
  /** Called with each event as it is recorded (to interleave with other observers). */
  onEvent: ((e: string) => void) | null = null;
  private waiters: { prefix: string; resolve: () => void }[] = [];

  /** `throwOn`: the recorder throws after recording an event starting with it (a bug in an owner). */
  constructor(private readonly throwOn: string | null = null) {}

  record(e: string): void {
    this.events.push(e);
    this.onEvent?.(e);
    this.waiters = this.waiters.filter((w) => {
      if (!e.startsWith(w.prefix)) return true;
      w.resolve();
      return false;
    });
    if (this.throwOn !== null && e.startsWith(this.throwOn)) throw new Error(`bug on ${e}`);
  }

  onInternalError(err: unknown): void {
    this.record(`internal ${(err as Error).message}`);
  }

  /** Resolves once an event starting with `prefix` was heard (at once if it already was). */
  wait(prefix: string): Promise<void> {
    if (this.events.some((e) => e.startsWith(prefix))) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ prefix, resolve }));
  }

  onConnConnect(): void {
    this.record('connect');
  }

  onConnDrain(): void {
    this.record('drain');
  }

  onConnEnd(): void {
    this.record('end');
  }

  onConnError(_conn: Conn, err: Error): void {
    this.record(`error ${String((err as NodeJS.ErrnoException).code)}`);
  }

  onConnClose(_conn: Conn, hadError: boolean): void {
    this.record(`close ${String(hadError)}`);
  }
}
