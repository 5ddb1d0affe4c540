// Writes log lines without ever blocking the event loop. Node writes process.stdout/stderr
// synchronously when they are files or pipes (a slow disk or a full pipe to a stalled reader
// would freeze every connection), so those are written by file descriptor with fs.write,
// which runs on libuv's thread pool. Every writer keeps a bounded queue: when the target does
// not keep up, new lines are dropped and counted instead of growing memory, and a target that
// fails is reported once (on stderr) and its lost lines counted — never silently.
import { Buffer } from 'node:buffer';
import { write as fsWrite } from 'node:fs';
import type { Counters } from './counters.js';

/** Bytes of log lines queued per target before new lines are dropped (about 4,000 tcplog lines). */
export const MAX_QUEUED_LOG_BYTES = 1024 * 1024;
/** Largest single fs.write: keeps one slow write from holding a thread-pool thread for long. */
const MAX_WRITE_BYTES = 64 * 1024;
/** Wait before retrying a non-blocking descriptor that answered EAGAIN (its reader is slow). */
const RETRY_AFTER_EAGAIN_MS = 20;

/** Where writers account for lines they could not deliver (the daemon's counters). */
export type LogLoss = Pick<Counters, 'logLinesDropped' | 'logLinesFailed'>;

/** Reports a target's first failure (and only that one: a dead target must not flood stderr). */
export type ReportLogFailure = (message: string) => void;

export interface LineWriter {
  /** Queues one line (with its '\n'); never blocks, never throws. */
  write(line: string): void;
  /**
   * Resolves once every line queued so far has been handed to the target (or counted as lost),
   * so a stopping process can exit without dropping its last log lines.
   */
  flushed(): Promise<void>;
}

/** Calls `report` the first time only. */
export function reportOnce(report: ReportLogFailure): ReportLogFailure {
  let reported = false;
  return (message) => {
    if (reported) return;
    reported = true;
    try {
      report(message);
    } catch {
      // Reporting is best effort; a broken stderr must not break logging either.
    }
  };
}

/** Asynchronous writes to a file descriptor (1 and 2 for stdout/stderr), one at a time, in order. */
export class FdLineWriter implements LineWriter {
  private queue: string[] = [];
  private queuedBytes = 0;
  private writing = false;
  private broken = false;
  /** Callers of flushed() waiting for the queue to empty. */
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly fd: number,
    private readonly label: string,
    private readonly loss: LogLoss,
    private readonly report: ReportLogFailure,
    private readonly maxQueuedBytes = MAX_QUEUED_LOG_BYTES,
  ) {}

  write(line: string): void {
    if (this.broken) {
      this.loss.logLinesFailed++;
      return;
    }
    if (this.queuedBytes + line.length > this.maxQueuedBytes) {
      this.loss.logLinesDropped++;
      return;
    }
    this.queue.push(line);
    this.queuedBytes += line.length;
    if (!this.writing) this.flush();
  }

  flushed(): Promise<void> {
    if (!this.writing) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Nothing queued or in flight any more: wake flushed() callers. */
  private settle(): void {
    this.writing = false;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const wake of waiters) wake();
  }

  private flush(): void {
    // Take whole lines up to MAX_WRITE_BYTES (at least one) and write them in one call.
    let bytes = 0;
    let n = 0;
    while (n < this.queue.length && (n === 0 || bytes + (this.queue[n] as string).length <= MAX_WRITE_BYTES)) {
      bytes += (this.queue[n] as string).length;
      n++;
    }
    const lines = this.queue.splice(0, n);
    this.queuedBytes -= bytes;
    this.writing = true;
    this.writeAll(Buffer.from(lines.join('')), n);
  }

  private writeAll(buf: Buffer, lines: number): void {
    fsWrite(this.fd, buf, 0, buf.length, null, (err, written) => {
      if (err) {
        if (err.code === 'EAGAIN') {
          // A non-blocking pipe whose reader is slow: try again later, keep the order.
          setTimeout(() => this.writeAll(buf, lines), RETRY_AFTER_EAGAIN_MS).unref();
          return;
        }
        this.broken = true;
        this.loss.logLinesFailed += lines + this.queue.length;
        this.queue = [];
        this.queuedBytes = 0;
        this.settle();
        this.report(`truehop: log target ${this.label} failed (${err.code ?? err.message}); its log lines are lost and counted from now on`);
        return;
      }
      if (written < buf.length) return this.writeAll(buf.subarray(written), lines);
      if (this.queue.length > 0) this.flush();
      else this.settle();
    });
  }
}

/** A Node stream (tests, embedding): bounded by the stream's own buffered bytes. */
export class StreamLineWriter implements LineWriter {
  private broken = false;

  constructor(
    private readonly out: NodeJS.WritableStream & { writableLength?: number },
    private readonly label: string,
    private readonly loss: LogLoss,
    report: ReportLogFailure,
    private readonly maxQueuedBytes = MAX_QUEUED_LOG_BYTES,
  ) {
    // Minimal writers (tests pass `{ write }`) have no events: their write() is all there is.
    if (typeof out.on === 'function') {
      out.on('error', (err: NodeJS.ErrnoException) => {
        // The line whose write failed is lost too.
        this.loss.logLinesFailed++;
        this.broken = true;
        report(`truehop: log target ${this.label} failed (${err.code ?? err.message}); its log lines are lost and counted from now on`);
      });
    }
  }

  write(line: string): void {
    if (this.broken) {
      this.loss.logLinesFailed++;
      return;
    }
    if ((this.out.writableLength ?? 0) + line.length > this.maxQueuedBytes) {
      this.loss.logLinesDropped++;
      return;
    }
    try {
      this.out.write(line);
    } catch {
      this.loss.logLinesFailed++;
    }
  }

  flushed(): Promise<void> {
    const out = this.out;
    if (this.broken || (out.writableLength ?? 0) === 0 || typeof out.once !== 'function') return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        out.removeListener('drain', done);
        out.removeListener('error', done);
        resolve();
      };
      out.once('drain', done);
      out.once('error', done);
    });
  }
}
