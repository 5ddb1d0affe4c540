// Where log lines go: stdout/stderr, or a syslog server over UDP, as named by `log` lines.
// Sinks are opened once at start; sending a line never blocks the event loop and never throws
// into the data path (a broken log target must not drop traffic): stdout and stderr go through
// asynchronous, bounded line writers (line-writer.ts), UDP datagrams are bounded in flight.
// Lines that cannot be delivered are counted (logLinesDropped, logLinesFailed) and a failing
// target is reported once on stderr.
import process from 'node:process';
import { Buffer } from 'node:buffer';
import dgram from 'node:dgram';
import net from 'node:net';
import type { LogTarget } from '../model/config-model.js';
import { buildFramer, levelAllowed, type LogFramer } from './syslog-format.js';
import type { LineWriter, LogLoss, ReportLogFailure } from './line-writer.js';
import { FdLineWriter, reportOnce, StreamLineWriter } from './line-writer.js';

/** Longest message sent to syslog (RFC 5426 §3.2 recommends staying within 2048 octets for UDP; HAProxy's default `len` is 1024). */
export const MAX_SYSLOG_MESSAGE_BYTES = 1024;
/** Datagrams handed to the kernel but not yet sent, per UDP target, before new lines are dropped. */
export const MAX_UDP_LOG_IN_FLIGHT = 1000;

export interface LogStreams {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/** The shared writers of one daemon: one per output, so lines of every proxy keep their order. */
export interface LogOutputs {
  readonly stdout: LineWriter;
  readonly stderr: LineWriter;
  readonly loss: LogLoss;
  /** A new reporter for one target: its first failure goes to stderr, later ones are only counted. */
  readonly reporter: () => ReportLogFailure;
  /** Resolves once both writers have handed every queued line to their target. */
  flushed(): Promise<void>;
}

export interface LogSink {
  send(message: string, level: number, atMs: number): void;
  close(): void;
}

/**
 * The process's own stdout/stderr are written by descriptor (asynchronous, see line-writer.ts);
 * any other stream (tests, embedding) through its own write(), bounded by its buffer.
 */
export function createLogOutputs(streams: LogStreams, loss: LogLoss): LogOutputs {
  const stderrWrite = (message: string): void => {
    streams.stderr.write(`${message}\n`);
  };
  const reporter = (): ReportLogFailure => reportOnce(stderrWrite);
  const writer = (stream: NodeJS.WritableStream, fd: 1 | 2, label: string): LineWriter =>
    stream === (fd === 1 ? process.stdout : process.stderr)
      ? new FdLineWriter(fd, label, loss, reporter())
      : new StreamLineWriter(stream, label, loss, reporter());
  const stdout = writer(streams.stdout, 1, 'stdout');
  const stderr = writer(streams.stderr, 2, 'stderr');
  const flushed = async (): Promise<void> => {
    await Promise.all([stdout.flushed(), stderr.flushed()]);
  };
  return { stdout, stderr, loss, reporter, flushed };
}

class LineSink implements LogSink {
  constructor(
    private readonly target: LogTarget,
    private readonly out: LineWriter,
    private readonly frame: LogFramer,
  ) {}
  send(message: string, level: number, atMs: number): void {
    if (!levelAllowed(this.target, level)) return;
    this.out.write(this.frame(message, atMs) + '\n');
  }
  close(): void {}
}

class UdpSink implements LogSink {
  private readonly socket: dgram.Socket;
  private inFlight = 0;
  private readonly sent = (err: Error | null): void => {
    this.inFlight--;
    if (err) this.fail(err);
  };

  constructor(
    private readonly target: LogTarget,
    private readonly frame: LogFramer,
    private readonly host: string,
    private readonly port: number,
    private readonly loss: LogLoss,
    private readonly report: ReportLogFailure,
  ) {
    this.socket = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
    this.socket.on('error', (err) => this.fail(err));
    this.socket.unref();
  }

  private fail(err: Error): void {
    this.loss.logLinesFailed++;
    this.report(`truehop: log target ${this.host}:${this.port} failed (${(err as NodeJS.ErrnoException).code ?? err.message}); its lost log lines are counted`);
  }

  send(message: string, level: number, atMs: number): void {
    if (!levelAllowed(this.target, level)) return;
    if (this.inFlight >= MAX_UDP_LOG_IN_FLIGHT) {
      this.loss.logLinesDropped++;
      return;
    }
    let buf = Buffer.from(this.frame(message, atMs));
    if (buf.length > MAX_SYSLOG_MESSAGE_BYTES) buf = buf.subarray(0, MAX_SYSLOG_MESSAGE_BYTES);
    this.inFlight++;
    this.socket.send(buf, this.port, this.host, this.sent);
  }

  close(): void {
    this.socket.close();
  }
}

export function openLogSink(target: LogTarget, outputs: LogOutputs, tag = 'truehop', pid = process.pid): LogSink {
  const frame = buildFramer(target, tag, pid);
  switch (target.kind) {
    case 'stdout':
      return new LineSink(target, outputs.stdout, frame);
    case 'stderr':
      return new LineSink(target, outputs.stderr, frame);
    case 'udp': {
      const host = target.address ?? '127.0.0.1';
      const port = target.port ?? 514;
      return new UdpSink(target, frame, host, port, outputs.loss, outputs.reporter());
    }
  }
}

/** Every sink of one proxy, sent to as one. */
export class LogFanout {
  constructor(private readonly sinks: readonly LogSink[]) {}
  get enabled(): boolean {
    return this.sinks.length > 0;
  }
  send(message: string, level: number, atMs: number): void {
    for (const sink of this.sinks) sink.send(message, level, atMs);
  }
}
