// Where log lines go: stdout/stderr, or a syslog server over UDP or a unix stream socket,
// as named by `log` lines. Sinks are opened once at start; sending a line never blocks the
// data path and never throws into it (a broken log target must not drop traffic).
import dgram from 'node:dgram';
import net from 'node:net';
import type { LogTarget } from '../model/config-model.js';
import { buildFramer, levelAllowed, type LogFramer } from './syslog-format.js';

/** Longest message sent to syslog (RFC 5426 §3.2 recommends staying within 2048 octets for UDP; HAProxy's default `len` is 1024). */
export const MAX_SYSLOG_MESSAGE_BYTES = 1024;
/** Unix-socket log lines kept while the socket is (re)connecting; older ones are dropped so a dead log daemon cannot grow memory. */
export const MAX_PENDING_UNIX_LOG_LINES = 1000;

export interface LogStreams {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

export interface LogSink {
  send(message: string, level: number, atMs: number): void;
  close(): void;
}

class StreamSink implements LogSink {
  constructor(
    private readonly target: LogTarget,
    private readonly out: NodeJS.WritableStream,
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
  constructor(
    private readonly target: LogTarget,
    private readonly frame: LogFramer,
    private readonly host: string,
    private readonly port: number,
  ) {
    this.socket = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
    this.socket.on('error', () => {});
    this.socket.unref();
  }
  send(message: string, level: number, atMs: number): void {
    if (!levelAllowed(this.target, level)) return;
    let buf = Buffer.from(this.frame(message, atMs));
    if (buf.length > MAX_SYSLOG_MESSAGE_BYTES) buf = buf.subarray(0, MAX_SYSLOG_MESSAGE_BYTES);
    this.socket.send(buf, this.port, this.host);
  }
  close(): void {
    this.socket.close();
  }
}

// Node has no AF_UNIX datagram sockets, so unix targets are reached as stream sockets
// (rsyslog/syslog-ng `unix-stream` sources); each line ends with '\n' as framing.
class UnixStreamSink implements LogSink {
  private socket: net.Socket | null = null;
  private readonly pending: string[] = [];
  private connecting = false;
  private closed = false;
  constructor(
    private readonly target: LogTarget,
    private readonly frame: LogFramer,
    private readonly path: string,
  ) {}
  private connect(): void {
    if (this.connecting || this.closed) return;
    this.connecting = true;
    const socket = net.connect(this.path);
    socket.unref();
    socket.on('connect', () => {
      this.connecting = false;
      this.socket = socket;
      for (const line of this.pending) socket.write(line);
      this.pending.length = 0;
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      this.connecting = false;
      if (this.socket === socket) this.socket = null;
    });
  }
  send(message: string, level: number, atMs: number): void {
    if (!levelAllowed(this.target, level)) return;
    const line = this.frame(message, atMs).slice(0, MAX_SYSLOG_MESSAGE_BYTES) + '\n';
    if (this.socket) {
      this.socket.write(line);
      return;
    }
    if (this.pending.length >= MAX_PENDING_UNIX_LOG_LINES) this.pending.shift();
    this.pending.push(line);
    this.connect();
  }
  close(): void {
    this.closed = true;
    this.socket?.end();
  }
}

export function openLogSink(target: LogTarget, streams: LogStreams, tag = 'truehop', pid = process.pid): LogSink {
  const frame = buildFramer(target, tag, pid);
  switch (target.kind) {
    case 'stdout':
      return new StreamSink(target, streams.stdout, frame);
    case 'stderr':
      return new StreamSink(target, streams.stderr, frame);
    case 'udp':
      return new UdpSink(target, frame, target.address ?? '127.0.0.1', target.port ?? 514);
    case 'unix':
      return new UnixStreamSink(target, frame, target.address ?? '/dev/log');
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
