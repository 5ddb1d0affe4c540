// The floor for a proxy on truehop's own raw transport (src/datapath/transport/), as
// node-floor.ts is the floor on net.Socket: accept (take-over of net.Server's accepts, the
// connection paused), connect, one writev of the PROXY v2 header + the first bytes, forward
// both ways with backpressure, close — no rules, no balancer, no timeouts, no logs, no
// counters. `npm run bench -- --lbs haproxy,raw,raw-floor` prints it beside truehop raw, so the
// per-connection cost of truehop's own logic over its transport is measured in the same run.
//
// Usage: node packages/truehop/dist/bench/raw-floor.js <listen-port> <upstream-port>
// (loopback only).
import process from 'node:process';
import net from 'node:net';
import { floorHeader } from './floor-header.js';
import type { SocketReader } from '../src/datapath/reused-read-buffers.js';
import type { ConnHandler } from '../src/datapath/transport/conn.js';
import { loadLibuvBindings } from '../src/datapath/transport/libuv.js';
import { takeOverAccepts } from '../src/datapath/transport/raw-accept.js';
import { rawConnect, useBindings, type RawConn } from '../src/datapath/transport/raw-conn.js';
import { rethrow } from '../src/datapath/internal-error.js';

const listenPort = Number(process.argv[2]);
const upstreamPort = Number(process.argv[3]);

const bindings = loadLibuvBindings();
if (typeof bindings === 'string') throw new Error(`raw-floor: ${bindings}`);
useBindings(bindings);

/** One client connection and its upstream: both connections' reader and handler. */
class FloorPair {
  private readonly upstream: RawConn;
  private pending: Buffer[] | null = [];
  readonly clientSide: SocketReader & ConnHandler;
  readonly upstreamSide: SocketReader & ConnHandler;

  constructor(private readonly client: RawConn) {
    this.upstream = rawConnect('127.0.0.1', upstreamPort, 4);
    this.clientSide = new Side(this, true);
    this.upstreamSide = new Side(this, false);
    client.reader = this.clientSide;
    client.handler = this.clientSide;
    this.upstream.reader = this.upstreamSide;
    this.upstream.handler = this.upstreamSide;
    client.resume();
  }

  connected(): void {
    const header = floorHeader(this.client);
    if (header === null) {
      // The client reset before we got here: nothing to forward.
      this.client.destroy();
      this.upstream.destroy();
      return;
    }
    const pending = this.pending ?? [];
    this.pending = null;
    this.upstream.writev([header, ...pending]);
    this.upstream.resume();
  }

  read(fromClient: boolean, chunk: Buffer): boolean {
    if (fromClient && this.pending !== null) {
      this.pending.push(chunk);
      return true;
    }
    const to = fromClient ? this.upstream : this.client;
    // Reads arrive as private copies (the floor never hands out its own buffer), so a
    // queued write may keep them: stop reading past the high-water mark until 'drain'.
    return to.write(chunk);
  }

  other(fromClient: boolean): RawConn {
    return fromClient ? this.upstream : this.client;
  }
}

class Side implements SocketReader, ConnHandler {
  constructor(
    private readonly pair: FloorPair,
    private readonly isClient: boolean,
  ) {}

  readonly onInternalError = rethrow;

  onSocketRead(chunk: Buffer): boolean {
    return this.pair.read(this.isClient, chunk);
  }

  ownReadBuffer(): null {
    return null;
  }

  onConnConnect(): void {
    this.pair.connected();
  }

  onConnDrain(): void {
    // This side's writes are out: the side that feeds it may read again.
    this.pair.other(this.isClient).resume();
  }

  onConnEnd(): void {
    this.pair.other(this.isClient).end();
  }

  onConnError(): void {}

  onConnClose(_conn: unknown, hadError: boolean): void {
    const other = this.pair.other(this.isClient);
    if (hadError) other.destroy();
    else other.end();
  }
}

const server = net.createServer({ pauseOnConnect: true, allowHalfOpen: true, noDelay: true });
server.listen(listenPort, '127.0.0.1', () => {
  if (!takeOverAccepts(server, (conn) => new FloorPair(conn))) throw new Error('raw-floor: cannot take over accepts');
  process.stderr.write(`raw-floor listening on 127.0.0.1:${listenPort}\n`);
});
process.on('SIGTERM', () => process.exit(0));
