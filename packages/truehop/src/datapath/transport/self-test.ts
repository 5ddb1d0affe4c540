// The raw transport's start-up self-test: on a loopback pair, every binding function and
// constant it relies on (libuv.ts) must exist and behave — take-over of a net.Server's
// accepts, connect, getpeername/getsockname, writev, reads into the shared buffer and into a
// connection's own buffer handed back from onread, backpressure (pause/resume), EOF, shutdown
// (half-close), close, and a refused connect named as Node names it. Any difference and the
// daemon uses the net.Socket transport instead (transport.ts logs why, once).
import { Buffer } from 'node:buffer';
import { createHash } from 'node:crypto';
import net from 'node:net';
import type { SocketReader } from '../reused-read-buffers.js';
import { loadLibuvBindings, type LibuvBindings } from './libuv.js';
import { takeOverAccepts } from './raw-accept.js';
import { rawConnect, useBindings, type RawConn } from './raw-conn.js';
import { rethrow } from '../internal-error.js';

/** The whole self-test must finish within this (it normally takes a few milliseconds). */
export const SELF_TEST_TIMEOUT_MS = 3000;
/** Bytes the accepted side sends: several reads, some past the own-buffer threshold. */
const TEST_BYTES = 512 * 1024;

class Collector implements SocketReader {
  readonly hash = createHash('sha256');
  bytes = 0;
  copies = 0;
  reused = 0;
  private own: Buffer | null = null;
  pausedOnce = false;
  constructor(private readonly conn: () => RawConn) {}
  readonly onInternalError = rethrow;
  onSocketRead(chunk: Buffer, reusable: boolean): boolean {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    if (reusable) this.reused++;
    else this.copies++;
    if (!this.pausedOnce && this.bytes > 64 * 1024) {
      // Backpressure: stop, then resume a little later; nothing may be lost.
      this.pausedOnce = true;
      setTimeout(() => this.conn().resume(), 5);
      return false;
    }
    return true;
  }
  ownReadBuffer(): Buffer {
    return (this.own ??= Buffer.allocUnsafe(64 * 1024));
  }
}

function expect(ok: boolean, what: string): void {
  if (!ok) throw new Error(what);
}

/** What the self-test opened, closed whatever happens (a hung self-test must not leak). */
type Opened = Set<{ destroy(): unknown } | net.Server>;

function closeAll(opened: Opened): void {
  for (const o of opened) {
    if (o instanceof net.Server) o.close();
    else o.destroy();
  }
  opened.clear();
}

async function exercise(b: LibuvBindings, opened: Opened): Promise<void> {
  useBindings(b);
  const server = net.createServer({ pauseOnConnect: true });
  opened.add(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // exclusive: in a cluster worker, a port of its own (not one shared through the master).
    server.listen({ port: 0, host: '127.0.0.1', exclusive: true }, () => resolve());
  });
  try {
    const { port } = server.address() as net.AddressInfo;
    const accepted = new Promise<RawConn>((resolve) => {
      expect(takeOverAccepts(server, (conn) => {
        opened.add(conn);
        resolve(conn);
      }), "net.Server's handle has no onconnection to take over");
    });
    const client = rawConnect('127.0.0.1', port, 4);
    opened.add(client);
    await new Promise<void>((resolve, reject) => {
      client.once('connect', resolve);
      client.once('error', reject);
    });
    const peer = await accepted;
    expect(client.remotePort === port && client.remoteAddress === '127.0.0.1' && client.remoteFamily === 'IPv4', 'getpeername');
    expect(peer.remotePort === client.localPort && peer.localPort === port, 'getsockname');

    // client → server: one writev of two chunks, read through the shared buffer (copies).
    const hello = Buffer.from('PROXY TCP4 127.0.0.1 127.0.0.1 1 2\r\n');
    const first = Buffer.from('first bytes');
    let received = Buffer.alloc(0);
    const upReader: SocketReader = {
      onSocketRead(chunk, reusable) {
        received = Buffer.concat([received, reusable ? Buffer.from(chunk) : chunk]);
        return true;
      },
      ownReadBuffer: () => null,
      onInternalError: rethrow,
    };
    peer.reader = upReader;
    const gotEnd = new Promise<void>((resolve) => peer.once('end', resolve));
    peer.resume();
    client.writev([hello, first]);
    client.end();
    await gotEnd;
    expect(received.equals(Buffer.concat([hello, first])), 'writev/read: the bytes differ');

    // server → client: 512 KiB, backpressure once, own buffer after a large read, EOF.
    const data = Buffer.allocUnsafe(TEST_BYTES);
    for (let i = 0; i < data.length; i++) data[i] = (i * 131 + (i >> 10)) & 0xff;
    const collector = new Collector(() => client);
    client.reader = collector;
    const clientEnd = new Promise<void>((resolve) => client.once('end', resolve));
    const closed = Promise.all([
      new Promise<boolean>((resolve) => client.once('close', resolve)),
      new Promise<boolean>((resolve) => peer.once('close', resolve)),
    ]);
    client.resume();
    let drained = Promise.resolve();
    if (!peer.write(data)) drained = new Promise<void>((resolve) => peer.once('drain', resolve));
    peer.end();
    await Promise.all([clientEnd, drained]);
    expect(collector.bytes === TEST_BYTES, `read ${String(collector.bytes)} of ${String(TEST_BYTES)} bytes`);
    expect(collector.hash.digest('hex') === createHash('sha256').update(data).digest('hex'), 'reads: the bytes differ');
    expect(collector.reused > 0, 'onread never switched to the connection\'s own buffer');
    // Both directions finished: both connections close by themselves, without an error.
    const hadErrors = await closed;
    expect(!hadErrors[0] && !hadErrors[1], 'a clean close reported an error');

    // A refused connect carries Node's error name.
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen({ port: 0, host: '127.0.0.1', exclusive: true }, () => resolve()));
    const freePort = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const refused = rawConnect('127.0.0.1', freePort, 4);
    opened.add(refused);
    const code = await new Promise<string | undefined>((resolve) => {
      refused.once('error', (err: NodeJS.ErrnoException) => resolve(err.code));
      refused.once('connect', () => resolve('connected'));
    });
    expect(code === 'ECONNREFUSED', `a refused connect reported ${String(code)}`);
  } finally {
    closeAll(opened);
  }
}

/**
 * Null when the raw transport works on this Node, else why not. `load` is the binding loader
 * (tests pass a broken one).
 */
export async function selfTestRawTransport(load: () => LibuvBindings | string = loadLibuvBindings): Promise<string | null> {
  let b: LibuvBindings | string;
  try {
    b = load();
  } catch (err) {
    return `loading the bindings threw: ${err instanceof Error ? err.message : String(err)}`;
  }
  if (typeof b === 'string') return b;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`no answer within ${String(SELF_TEST_TIMEOUT_MS)} ms`), SELF_TEST_TIMEOUT_MS);
  });
  const opened: Opened = new Set();
  try {
    const outcome = await Promise.race([exercise(b, opened).then(() => null), timeout]);
    return outcome;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  } finally {
    clearTimeout(timer);
    closeAll(opened);
  }
}
