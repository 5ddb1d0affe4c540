// The raw transport on real loopback connections (runs in the test runner's raw lane: the
// permission sandbox refuses process.binding). Reads are copies of the shared buffer until a
// large read, then land in the connection's own buffer; `false` stops reading until resume();
// 8 MB each way arrive whole (sha256); write backpressure answers false and 'drain' follows;
// a reset is ECONNRESET then 'close' with hadError; the self-test rejects broken bindings.
// Events reach one owner (ConnHandler) by method calls, in net.Socket's order, on both
// transports (attachHandler routes a net.Socket's events the same way).
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import net from 'node:net';
import process from 'node:process';
import { PRIVATE_BUFFER_AFTER_READ_BYTES, type SocketReader } from '../reused-read-buffers.js';
import { loadLibuvBindings } from './libuv.js';
import { takeOverAccepts } from './raw-accept.js';
import { ConnRecorder } from '../../../test/support/conn-recorder.js';
import { rawConnect, useBindings, type RawConn } from './raw-conn.js';
import { attachHandler, detachHandler, handlerOf, peerEndpoint } from './transport.js';
import { selfTestRawTransport } from './self-test.js';
import { isInternal, rethrow } from '../internal-error.js';
import { resetConn } from './transport.js';

interface Pair {
  server: net.Server;
  client: RawConn;
  accepted: RawConn;
}

async function pair(): Promise<Pair> {
  const server = net.createServer({ pauseOnConnect: true });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const acceptedP = new Promise<RawConn>((r) => assert.ok(takeOverAccepts(server, r)));
  const client = rawConnect('127.0.0.1', (server.address() as net.AddressInfo).port, 4);
  await new Promise<void>((resolve, reject) => {
    client.once('connect', resolve);
    client.once('error', reject);
  });
  return { server, client, accepted: await acceptedP };
}

async function close(p: Pair): Promise<void> {
  p.client.destroy();
  p.accepted.destroy();
  await new Promise<void>((r) => p.server.close(() => r()));
}

function payload(bytes: number, seed: number): Buffer {
  const b = Buffer.allocUnsafe(bytes);
  for (let i = 0; i < bytes; i++) b[i] = (i * 131 + seed + (i >> 11)) & 0xff;
  return b;
}

/** Collects what a RawConn reads; pauses once after `pauseAfter` bytes, resuming 20 ms later. */
class Reader implements SocketReader {
  readonly hash = createHash('sha256');
  bytes = 0;
  copies = 0;
  reused = 0;
  ownAsked = 0;
  pauses = 0;
  readonly own = Buffer.allocUnsafe(64 * 1024);
  constructor(private readonly conn: () => RawConn, private readonly pauseAfter = Infinity) {}
  onSocketRead(chunk: Buffer, reusable: boolean): boolean {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    if (reusable) {
      this.reused++;
      assert.equal(chunk.buffer, this.own.buffer, 'a reusable chunk is a view of our own buffer');
    } else this.copies++;
    if (this.pauses === 0 && this.bytes >= this.pauseAfter) {
      this.pauses++;
      setTimeout(() => this.conn().resume(), 20);
      return false;
    }
    return true;
  }
  ownReadBuffer(): Buffer {
    this.ownAsked++;
    return this.own;
  }
  readonly onInternalError = rethrow;
}

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** The pair's client reading (and dropping) what comes, its events recorded. */
function recordClient(p: Pair): ConnRecorder {
  const rec = new ConnRecorder();
  p.client.handler = rec;
  p.client.reader = { onSocketRead: () => true, ownReadBuffer: () => null, onInternalError: rethrow };
  p.client.resume();
  return rec;
}

describe('raw transport', () => {
  before(() => {
    const b = loadLibuvBindings();
    assert.notEqual(typeof b, 'string', typeof b === 'string' ? b : '');
    if (typeof b !== 'string') useBindings(b);
  });

  it('passes its start-up self-test on this Node', async () => {
    assert.equal(await selfTestRawTransport(), null);
  });

  it('8 MB each way, in order; small reads are copies, the own buffer only after a large read; false pauses', async () => {
    const p = await pair();
    try {
      const up = payload(8 * 1024 * 1024, 1);
      const down = payload(8 * 1024 * 1024, 2);
      const atServer = new Reader(() => p.accepted, 1024 * 1024);
      const atClient = new Reader(() => p.client);
      p.accepted.reader = atServer;
      p.client.reader = atClient;
      const ends = Promise.all([
        new Promise<void>((r) => p.accepted.once('end', r)),
        new Promise<void>((r) => p.client.once('end', r)),
      ]);
      const closes = Promise.all([
        new Promise<boolean>((r) => p.accepted.once('close', r)),
        new Promise<boolean>((r) => p.client.once('close', r)),
      ]);
      // A first small exchange: a copy from the shared buffer, no own buffer asked for.
      p.accepted.resume();
      p.client.write(Buffer.from('hi'));
      await new Promise((r) => setTimeout(r, 50));
      assert.deepEqual([atServer.bytes, atServer.copies, atServer.ownAsked], [2, 1, 0]);
      p.client.resume();
      p.client.write(up);
      p.client.end();
      p.accepted.write(down);
      p.accepted.end();
      await ends;
      assert.equal(atServer.bytes, up.length + 2);
      assert.equal(atClient.bytes, down.length);
      assert.equal(atServer.hash.digest('hex'), sha(Buffer.concat([Buffer.from('hi'), up])));
      assert.equal(atClient.hash.digest('hex'), sha(down));
      assert.ok(atServer.reused > 0 && atClient.reused > 0, 'large transfers read into the own buffer');
      assert.equal(atServer.pauses, 1);
      assert.equal(atServer.ownAsked, 1, 'asked once, after the first read of at least the threshold');
      assert.ok(PRIVATE_BUFFER_AFTER_READ_BYTES <= 64 * 1024);
      // Both directions finished: both close by themselves, cleanly.
      assert.deepEqual(await closes, [false, false]);
    } finally {
      await close(p);
    }
  });

  it('write backpressure: false past the high-water mark while the peer does not read, then drain', async () => {
    const p = await pair();
    try {
      const chunk = Buffer.alloc(1024 * 1024, 7);
      let writes = 0;
      while (p.client.write(chunk) && writes < 64) writes++;
      assert.ok(writes < 64, 'write() answered false once the kernel buffers were full');
      assert.ok(p.client.writableLength > 0);
      const drained = new Promise<void>((r) => p.client.once('drain', r));
      p.accepted.reader = { onSocketRead: () => true, ownReadBuffer: () => null, onInternalError: rethrow };
      p.accepted.resume();
      await drained;
      assert.equal(p.client.writableLength, 0);
    } finally {
      await close(p);
    }
  });

  it('a reset by the peer is ECONNRESET, then close with hadError; writes after it are refused', async () => {
    const p = await pair();
    try {
      p.client.reader = { onSocketRead: () => true, ownReadBuffer: () => null, onInternalError: rethrow };
      const err = new Promise<NodeJS.ErrnoException>((r) => p.client.once('error', r));
      const closed = new Promise<boolean>((r) => p.client.once('close', r));
      p.client.resume();
      // Unread bytes at close make the kernel send a reset.
      p.client.write(Buffer.from('unread'));
      await new Promise((r) => setTimeout(r, 50));
      p.accepted.destroy();
      assert.equal((await err).code, 'ECONNRESET');
      assert.equal(await closed, true);
      assert.equal(p.client.write(Buffer.from('late')), false);
    } finally {
      await close(p);
    }
  });

  it('the self-test refuses bindings with a piece missing, and says which', async () => {
    const b = loadLibuvBindings();
    assert.notEqual(typeof b, 'string');
    if (typeof b === 'string') return;
    const reason = await selfTestRawTransport(() => ({ ...b, kLastWriteWasAsync: undefined as unknown as number }));
    // Presence is checked by loadLibuvBindings; a broken object handed straight in fails in use.
    assert.notEqual(reason, null);
    assert.equal(await selfTestRawTransport(() => 'stream_wrap lacks WriteWrap or ShutdownWrap'), 'stream_wrap lacks WriteWrap or ShutdownWrap');
    // Leave the real bindings installed for whatever runs next in this process.
    useBindings(b);
  });

  for (const resumeAtConnect of [false, true]) {
    it(`a server that speaks first: its bytes are read ${resumeAtConnect ? 'when the handler resumes at connect' : 'only once resume() is called, 50 ms after connect'}, whole, with no error`, async () => {
      // rawConnect starts libuv's reads with the connect (EARLY_READ, one epoll_ctl less per
      // server connection); a handler that does not resume at connect must not be read for.
      const server = net.createServer({ pauseOnConnect: true });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const banner = payload(3000, 7);
      const accepted: RawConn[] = [];
      assert.ok(takeOverAccepts(server, (conn) => {
        accepted.push(conn);
        conn.write(banner);
      }));
      const client = rawConnect('127.0.0.1', (server.address() as net.AddressInfo).port, 4);
      const rec = new ConnRecorder();
      client.handler = rec;
      let got = Buffer.alloc(0);
      client.reader = {
        onSocketRead(chunk: Buffer, reusable: boolean): boolean {
          got = Buffer.concat([got, reusable ? Buffer.from(chunk) : chunk]);
          return true;
        },
        ownReadBuffer: () => null,
        onInternalError: rethrow,
      };
      if (resumeAtConnect) rec.onEvent = (e) => e === 'connect' && void client.resume();
      try {
        await rec.wait('connect');
        await new Promise((r) => setTimeout(r, 50));
        if (!resumeAtConnect) {
          assert.equal(got.length, 0, 'nothing is read before resume()');
          client.resume();
        }
        const deadline = Date.now() + 3000;
        while (got.length < banner.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
        assert.equal(sha(got), sha(banner));
        assert.deepEqual(rec.events, ['connect'], 'no error, no close');
      } finally {
        client.destroy();
        for (const c of accepted) c.destroy();
        await new Promise<void>((r) => server.close(() => r()));
      }
    });
  }

  it('end() after the peer\'s FIN closes without a shutdown round trip, and loses nothing queued: the peer reads everything, then EOF', async () => {
    const p = await pair();
    try {
      const rec = recordClient(p);
      const atServer = new Reader(() => p.accepted);
      p.accepted.reader = atServer;
      const serverEnd = new Promise<void>((r) => p.accepted.once('end', r));
      p.accepted.resume();
      p.accepted.end();
      await rec.wait('end');
      const data = payload(200 * 1024, 3);
      p.client.write(data);
      p.client.end();
      // Destroyed at once: both directions are done and nothing is queued (the write above
      // went to the kernel synchronously or is still pending — then it waits for it).
      await rec.wait('close');
      await serverEnd;
      assert.equal(atServer.bytes, data.length);
      assert.equal(atServer.hash.digest('hex'), sha(data));
      assert.deepEqual(rec.events, ['end', 'close false']);
    } finally {
      await close(p);
    }
  });

  it('one handler hears connect, end, close in order; a replaced handler hears nothing more; listeners come after it', async () => {
    const server = net.createServer({ pauseOnConnect: true });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const acceptedP = new Promise<RawConn>((r) => assert.ok(takeOverAccepts(server, r)));
      const client = rawConnect('127.0.0.1', (server.address() as net.AddressInfo).port, 4);
      const first = new ConnRecorder();
      client.handler = first;
      const order: string[] = [];
      client.on('connect', () => order.push('listener connect'));
      first.onEvent = (e) => order.push(`handler ${e}`);
      await first.wait('connect');
      assert.deepEqual(order, ['handler connect', 'listener connect'], 'the handler first, then listeners');
      const accepted = await acceptedP;
      // The handler changes hands (as the connect attempt hands the server connection to the stream).
      const second = new ConnRecorder();
      client.handler = second;
      client.reader = { onSocketRead: () => true, ownReadBuffer: () => null, onInternalError: rethrow };
      client.resume();
      accepted.end();
      await second.wait('end');
      client.end();
      await second.wait('close');
      assert.deepEqual(first.events, ['connect'], 'the first handler heard nothing after it was replaced');
      assert.deepEqual(second.events, ['end', 'close false']);
      assert.equal(client.destroyed, true);
      assert.equal(client.writableEnded, true);
      accepted.destroy();
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('an error reaches the handler before close(hadError), on the next tick; without handler or listener it is dropped', async () => {
    const p = await pair();
    try {
      const rec = recordClient(p);
      p.client.write(Buffer.from('unread'));
      await new Promise((r) => setTimeout(r, 50));
      p.accepted.destroy();
      await rec.wait('close');
      assert.deepEqual(rec.events, ['error ECONNRESET', 'close true']);
      // A connection with no owner at all: a refused connect must not throw anywhere.
      const probe = net.createServer();
      await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
      const free = (probe.address() as net.AddressInfo).port;
      await new Promise<void>((r) => probe.close(() => r()));
      const orphan = rawConnect('127.0.0.1', free, 4);
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(orphan.destroyed, true);
    } finally {
      await close(p);
    }
  });

  it('drain goes to the handler once the queue that passed the high-water mark is written', async () => {
    const p = await pair();
    try {
      const rec = new ConnRecorder();
      p.client.handler = rec;
      const chunk = Buffer.alloc(1024 * 1024, 3);
      let writes = 0;
      while (p.client.write(chunk) && writes < 64) writes++;
      assert.ok(writes < 64);
      assert.deepEqual(rec.events, []);
      p.accepted.reader = { onSocketRead: () => true, ownReadBuffer: () => null, onInternalError: rethrow };
      p.accepted.resume();
      await rec.wait('drain');
      assert.deepEqual(rec.events, ['drain']);
    } finally {
      await close(p);
    }
  });

  it("the peer's endpoint is the object getpeername filled, in Endpoint's shape, shared with the address getters", async () => {
    const p = await pair();
    try {
      const e = peerEndpoint(p.accepted);
      assert.ok(e !== null);
      assert.deepEqual(Object.keys(e), ['address', 'port', 'family']);
      assert.deepEqual({ ...e }, { address: '127.0.0.1', port: p.client.localPort, family: 'IPv4' });
      assert.equal(peerEndpoint(p.accepted), e, 'one object per connection');
      assert.equal(p.accepted.remotePort, e.port);
    } finally {
      await close(p);
    }
  });

  it('attachHandler gives a net.Socket the same owner calls, in the same order; detach stops them', async () => {
    const server = net.createServer({ allowHalfOpen: true }, (s) => {
      s.end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const socket = net.connect({ port: (server.address() as net.AddressInfo).port, host: '127.0.0.1', allowHalfOpen: true });
      const rec = new ConnRecorder();
      attachHandler(socket, rec);
      assert.equal(handlerOf(socket), rec);
      await rec.wait('connect');
      socket.resume();
      await rec.wait('end');
      const next = new ConnRecorder();
      attachHandler(socket, next);
      socket.end();
      await next.wait('close');
      assert.deepEqual(rec.events, ['connect', 'end']);
      assert.deepEqual(next.events, ['close false']);
      assert.equal(socket.listenerCount('close'), 1, 'listeners are attached once, whatever the handler');
      detachHandler(socket);
      assert.equal(socket.listenerCount('close') + socket.listenerCount('error'), 0);
      assert.equal(handlerOf(socket), null);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('an exception of the owner goes to its onInternalError, not to the event loop (raw: reads, end, close)', async () => {
    const p = await pair();
    try {
      const rec = new ConnRecorder('end');
      p.accepted.handler = rec;
      p.accepted.reader = { onSocketRead: () => { throw new Error('bug in a read'); }, ownReadBuffer: () => null, onInternalError: rethrow };
      p.accepted.resume();
      p.client.write(Buffer.from('x'));
      // The reader has no handler-independent sink: RawConn.fault gives it to the handler first.
      await rec.wait('internal bug in a read');
      p.accepted.reader = { onSocketRead: () => true, ownReadBuffer: () => null, onInternalError: rethrow };
      p.client.end();
      await rec.wait('internal bug on end');
      const closing = new ConnRecorder('close');
      p.accepted.handler = closing;
      p.accepted.destroy();
      await closing.wait('internal bug on close');
      assert.deepEqual(closing.events, ['close false', 'internal bug on close false']);
    } finally {
      await close(p);
    }
  });

  it('a connection nobody owns: a listener\'s exception closes it with an internal error, not the process', async () => {
    const p = await pair();
    let uncaught = 0;
    const onUncaught = (): void => void uncaught++;
    process.on('uncaughtException', onUncaught);
    try {
      p.accepted.on('end', () => { throw new Error('bug in a listener'); });
      const errored = new Promise<Error>((r) => p.accepted.once('error', r));
      const closed = new Promise<boolean>((r) => p.accepted.once('close', r));
      p.accepted.resume();
      p.client.end();
      const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no error event within 5 s')), 5000).unref());
      const err = await Promise.race([errored, timeout]);
      assert.equal(err.message, 'bug in a listener');
      assert.equal(isInternal(err), true);
      assert.equal(await closed, true, 'close says hadError');
      assert.equal(uncaught, 0);
    } finally {
      process.removeListener('uncaughtException', onUncaught);
      await close(p);
    }
  });

  it('the shared socket listeners give a handler\'s exception to its onInternalError', async () => {
    const server = net.createServer((s) => s.end('bye'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const socket = net.connect({ port: (server.address() as net.AddressInfo).port, host: '127.0.0.1', allowHalfOpen: true });
      const rec = new ConnRecorder('connect');
      attachHandler(socket, rec);
      await rec.wait('internal bug on connect');
      socket.resume();
      await rec.wait('end');
      socket.destroy();
      await rec.wait('close');
      assert.deepEqual(rec.events, ['connect', 'internal bug on connect', 'end', 'close false']);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('resetConn closes with a reset: the peer reads ECONNRESET (raw and net.Socket), close follows', async () => {
    const p = await pair();
    const peerSaw = (s: net.Socket): Promise<string> => new Promise((resolve) => {
      s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
      s.on('end', () => resolve('end'));
      s.resume();
    });
    try {
      // raw side reset, its peer a net.Socket
      const server = net.createServer({ pauseOnConnect: true });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const accepted = new Promise<RawConn>((r) => assert.ok(takeOverAccepts(server, r)));
      const client = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
      const raw = await accepted;
      const rec = new ConnRecorder();
      raw.handler = rec;
      const saw = peerSaw(client);
      await new Promise((r) => setTimeout(r, 20));
      resetConn(raw);
      assert.equal(await saw, 'ECONNRESET');
      await rec.wait('close');
      await new Promise<void>((r) => server.close(() => r()));
      // net.Socket side reset, its peer a net.Socket
      const echo = net.createServer();
      await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
      const acceptedSocket = new Promise<net.Socket>((r) => echo.once('connection', r));
      const other = net.connect((echo.address() as net.AddressInfo).port, '127.0.0.1');
      const mine = await acceptedSocket;
      const saw2 = peerSaw(other);
      await new Promise((r) => setTimeout(r, 20));
      const closed = new Promise<void>((r) => mine.once('close', () => r()));
      resetConn(mine);
      assert.equal(await saw2, 'ECONNRESET');
      await closed;
      await new Promise<void>((r) => echo.close(() => r()));
    } finally {
      await close(p);
    }
  });
});

