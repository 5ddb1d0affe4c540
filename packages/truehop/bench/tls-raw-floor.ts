// How far below Node's TLS floor (tls-floor.ts) a proxy can go by leaving out net.Socket and
// tls.TLSSocket altogether: OpenSSL's TLSWrap (`process.binding('tls_wrap').wrap`) straight
// over the accepted libuv TCP handle, and a bare TCP handle to the upstream — what the raw
// transport (src/datapath/transport) does for plain TCP, applied to TLS. A measurement only
// (issue 14): no timeouts, no backpressure beyond one response, no error reporting — it shows
// what a "raw TLS" transport could gain, not a design to ship as is. Known gap: now and then
// one connection stalls (not found yet); the bench bounds each s_time run, so that run is a
// NaN the median leaves out, never a hang.
//
// Usage: node packages/truehop/dist/bench/tls-raw-floor.js <tls-port> <upstream-port> <pem>
// (loopback only). Node internals: verified on Node 20.
import process from 'node:process';
import { readFileSync } from 'node:fs';
import tls from 'node:tls';
import { encode } from '@truehop/proxy-protocol';

interface Handle {
  onread: ((ab: ArrayBuffer | undefined) => void) | null;
  readStart(): number;
  writeBuffer(req: Req, buf: Uint8Array): number;
  shutdown(req: Req): number;
  close(cb?: () => void): void;
  getpeername(out: Record<string, unknown>): number;
  getsockname(out: Record<string, unknown>): number;
}
interface TlsHandle extends Handle {
  _parent: Handle;
  onhandshakestart: () => void;
  onhandshakedone: () => void;
  onerror: (err: Error) => void;
  destroySSL(): void;
}
interface Req {
  handle: Handle | null;
  oncomplete: ((status: number) => void) | null;
}
interface Binder {
  binding(name: string): Record<string, unknown>;
}

const binder = process as unknown as Binder;
const tcpWrap = binder.binding('tcp_wrap') as {
  TCP: new (type: number) => Handle & { bind(a: string, p: number): number; listen(b: number): number; onconnection: (err: number, h: Handle) => void; connect(req: Req, a: string, p: number): number };
  TCPConnectWrap: new () => Req;
  constants: { SOCKET: number; SERVER: number };
};
const streamWrap = binder.binding('stream_wrap') as {
  WriteWrap: new () => Req;
  ShutdownWrap: new () => Req;
  streamBaseState: Int32Array;
  kReadBytesOrError: number;
  kArrayBufferOffset: number;
  kLastWriteWasAsync: number;
};
const tlsWrap = binder.binding('tls_wrap') as { wrap(h: Handle, ctx: unknown, isServer: boolean, active: boolean): TlsHandle };
const { TCP, TCPConnectWrap, constants } = tcpWrap;
const { WriteWrap, ShutdownWrap, streamBaseState, kReadBytesOrError, kArrayBufferOffset, kLastWriteWasAsync } = streamWrap;

const tlsPort = Number(process.argv[2]);
const upstreamPort = Number(process.argv[3]);
const pem = readFileSync(String(process.argv[4]));
/** The native SecureContext inside Node's wrapper (typed `any` by @types/node). */
const context: unknown = tls.createSecureContext({ key: pem, cert: pem, minVersion: 'TLSv1.3' }).context;

function noop(): void {}

function write(h: Handle, buf: Uint8Array): void {
  const req = new WriteWrap();
  req.handle = h;
  req.oncomplete = noop;
  h.writeBuffer(req, buf);
}

function chunkOf(ab: ArrayBuffer | undefined): Uint8Array | null {
  const n = streamBaseState[kReadBytesOrError] as number;
  if (n < 0 || ab === undefined) return null;
  return new Uint8Array(ab, streamBaseState[kArrayBufferOffset], n);
}

class Pair {
  upstream: Handle | null = null;
  pending: Uint8Array[] = [];
  closed = 0;
  /** TLSWrap takes one write at a time (net.Socket queues them in JS): the ones waiting. */
  private clientQueue: Uint8Array[] = [];
  private clientWriting = false;
  private shutdownWhenWritten = false;
  constructor(readonly client: TlsHandle) {}

  writeClient(buf: Uint8Array): void {
    if (this.closed > 0) return;
    if (this.clientWriting) {
      // Safe to keep the view: every upstream read gets a fresh ArrayBuffer (no useUserBuffer).
      this.clientQueue.push(buf);
      return;
    }
    this.clientWriting = true;
    const req = new WriteWrap();
    req.handle = this.client;
    const done = (status: number): void => {
      this.clientWriting = false;
      if (status < 0) return this.closeAll();
      const next = this.clientQueue.shift();
      if (next !== undefined) this.writeClient(next);
      else if (this.shutdownWhenWritten) this.shutdownClient();
    };
    req.oncomplete = done;
    if (this.client.writeBuffer(req, buf) !== 0) return this.closeAll();
    // A write that completed at once never calls oncomplete (net.js afterWriteDispatched).
    if (streamBaseState[kLastWriteWasAsync] === 0) done(0);
  }

  /** Upstream done: close_notify to the client once everything is written, then close. */
  shutdownClient(): void {
    if (this.closed > 0) return;
    if (this.clientWriting) {
      this.shutdownWhenWritten = true;
      return;
    }
    const s = new ShutdownWrap();
    s.handle = this.client;
    s.oncomplete = () => this.closeAll();
    if (this.client.shutdown(s) !== 0) this.closeAll();
  }

  closeAll(): void {
    if (this.closed++ > 0) return;
    this.client.close();
    this.client.destroySSL();
    this.upstream?.close();
  }
}

const server = new TCP(constants.SERVER);
server.bind('127.0.0.1', tlsPort);
server.onconnection = (err, tcp) => {
  if (err !== 0) return;
  // Reads of the TCP handle go to the TLSWrap; once that is gone, nowhere (not a crash).
  tcp.onread = noop;
  const t = tlsWrap.wrap(tcp, context, true, false);
  t._parent = tcp;
  const pair = new Pair(t);
  t.onhandshakestart = noop;
  t.onerror = () => pair.closeAll();
  t.onhandshakedone = () => {
    const peer: Record<string, unknown> = {};
    const local: Record<string, unknown> = {};
    tcp.getpeername(peer);
    tcp.getsockname(local);
    const header = encode({ version: 2, src: peer['address'] as string, srcPort: peer['port'] as number, dst: local['address'] as string, dstPort: local['port'] as number });
    const u = new TCP(constants.SOCKET);
    const req = new TCPConnectWrap();
    req.oncomplete = (status) => {
      if (status !== 0 || pair.closed > 0) return pair.closeAll();
      pair.upstream = u;
      write(u, header);
      for (const p of pair.pending) write(u, p);
      pair.pending = [];
      u.onread = (ab) => {
        const c = chunkOf(ab);
        if (c === null) return pair.shutdownClient();
        pair.writeClient(c);
      };
      u.readStart();
    };
    u.connect(req, '127.0.0.1', upstreamPort);
  };
  t.onread = (ab) => {
    const c = chunkOf(ab);
    if (c === null) return pair.closeAll();
    // The chunk lives in a buffer the next read reuses: copy what must wait.
    if (pair.upstream === null) pair.pending.push(Uint8Array.prototype.slice.call(c));
    else write(pair.upstream, c);
  };
  t.readStart();
};
server.listen(1024);
process.stderr.write(`tls-raw-floor listening on 127.0.0.1:${tlsPort}\n`);
process.on('SIGTERM', () => process.exit(0));
