// Client sockets switched to reads into reused memory (adoptClientSocket): every byte arrives
// once and in order, small reads are private copies, large reads move to the connection's own
// buffer, `false` stops reading until resume, and a socket already reading is left alone.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import net from 'node:net';
import { NODE_INTERNALS_ENV, probeNodeInternals, type NodeInternals } from './node-internals.js';
import { adoptClientSocket, PRIVATE_BUFFER_AFTER_READ_BYTES, type SocketReader } from './reused-read-buffers.js';

interface Accepted {
  server: net.Server;
  client: net.Socket;
  accepted: net.Socket;
}

async function pair(pauseOnConnect: boolean): Promise<Accepted> {
  const server = net.createServer({ pauseOnConnect, allowHalfOpen: true });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  const acceptedP = new Promise<net.Socket>((r) => server.once('connection', r));
  const client = net.connect(port, '127.0.0.1');
  const accepted = await acceptedP;
  return { server, client, accepted };
}

function close(p: Accepted): Promise<void> {
  p.client.destroy();
  p.accepted.destroy();
  return new Promise((r) => p.server.close(() => r()));
}

function payload(bytes: number): Buffer {
  const b = Buffer.allocUnsafe(bytes);
  for (let i = 0; i < bytes; i++) b[i] = (i * 131 + (i >> 11)) & 0xff;
  return b;
}

// Probed here without the environment, so these tests exercise the fast path even in the
// test run that sets TRUEHOP_NODE_INTERNALS=off for the daemon.
const INTERNALS_ON = probeNodeInternals({});
const INTERNALS_OFF = probeNodeInternals({ [NODE_INTERNALS_ENV]: 'off' });

describe('adoptClientSocket', () => {
  it('this Node has the private fields the fast path relies on', () => {
    assert.equal(INTERNALS_ON.usable, true, INTERNALS_ON.usable ? '' : INTERNALS_ON.reason);
  });

  it('delivers 8 MB in order; small reads are copies, large ones reuse the private buffer', async () => {
    const p = await pair(true);
    try {
      const data = payload(8 * 1024 * 1024);
      const hash = createHash('sha256');
      let total = 0;
      let copies = 0;
      let reused = 0;
      const own = Buffer.allocUnsafe(64 * 1024);
      const seenBuffers = new Set<ArrayBufferLike>();
      const reader: SocketReader = {
        onSocketRead(chunk, reusable) {
          hash.update(chunk);
          total += chunk.length;
          if (reusable) {
            reused++;
            seenBuffers.add(chunk.buffer);
          } else copies++;
          return true;
        },
        ownReadBuffer: () => own,
      };
      assert.equal(adoptClientSocket(p.accepted, reader, INTERNALS_ON), true);
      const ended = new Promise<void>((r) => p.accepted.once('end', r));
      p.accepted.resume();
      p.client.end(data);
      await ended;
      assert.equal(total, data.length);
      assert.equal(hash.digest('hex'), createHash('sha256').update(data).digest('hex'));
      assert.ok(copies >= 1, 'the first read lands in shared memory and is copied');
      assert.ok(reused >= 1, `8 MB must produce reads >= ${PRIVATE_BUFFER_AFTER_READ_BYTES} bytes`);
      assert.deepEqual([...seenBuffers], [own.buffer], 'reused reads are views of the private buffer only');
    } finally {
      await close(p);
    }
  });

  it('returning false stops reading until resume(), with nothing lost', async () => {
    const p = await pair(true);
    try {
      const data = payload(2 * 1024 * 1024);
      const chunks: Buffer[] = [];
      let stopped = 0;
      const reader: SocketReader = {
        onSocketRead(chunk) {
          chunks.push(Buffer.from(chunk));
          stopped++;
          // Resume later, as a completed write would.
          setImmediate(() => p.accepted.resume());
          return false;
        },
        ownReadBuffer: () => Buffer.allocUnsafe(64 * 1024),
      };
      assert.equal(adoptClientSocket(p.accepted, reader, INTERNALS_ON), true);
      const ended = new Promise<void>((r) => p.accepted.once('end', r));
      p.accepted.resume();
      p.client.end(data);
      await ended;
      assert.ok(stopped > 1);
      assert.ok(Buffer.concat(chunks).equals(data));
    } finally {
      await close(p);
    }
  });

  /** adoptClientSocket refuses the socket, and its bytes keep arriving as 'data' events. */
  async function staysOnDataEvents(pauseOnConnect: boolean, internals: NodeInternals): Promise<void> {
    const p = await pair(pauseOnConnect);
    try {
      const reader: SocketReader = {
        onSocketRead: () => assert.fail('must not be called'),
        ownReadBuffer: () => Buffer.allocUnsafe(16),
      };
      assert.equal(adoptClientSocket(p.accepted, reader, internals), false);
      const got = new Promise<Buffer>((r) => p.accepted.once('data', r));
      p.accepted.resume();
      p.client.write('hello');
      assert.equal((await got).toString(), 'hello');
    } finally {
      await close(p);
    }
  }

  it('leaves a socket that already reads on the data-event path', async () => {
    await staysOnDataEvents(false, INTERNALS_ON);
  });

  it('TRUEHOP_NODE_INTERNALS=off keeps an adoptable socket on the data-event path', async () => {
    assert.equal(INTERNALS_OFF.usable, false);
    await staysOnDataEvents(true, INTERNALS_OFF);
  });
});
