// Forwarding: half-close both ways, timeouts (client, server, tunnel, client-fin), 1,000
// concurrent sessions each getting its own bytes back, 100 MB each way with matching sha256.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type net from 'node:net';
import { startDaemon, type RunningDaemon } from '../../../src/runtime/run.js';
import type { BackendModel, FrontendModel } from '../../../src/model/config-model.js';
import { server, simple, stdoutLog } from '../../support/model.js';
import { Capture, closedWithin, connect, readAll, recordingServer, waitFor, type OnConnection, type RecordingServer } from '../../support/peers.js';

// Registered as soon as each exists, so a daemon that fails to start still frees its server.
const opened: { daemon?: RunningDaemon; rec: RecordingServer }[] = [];
after(async () => {
  for (const o of opened.splice(0)) {
    await o.daemon?.stop(100);
    await o.rec.close();
  }
});

async function setup(
  onConnection: OnConnection,
  opts: { frontend?: Partial<FrontendModel>; backend?: Partial<BackendModel>; stayHalfOpen?: boolean } = {},
): Promise<{ port: number; logs: Capture; daemon: RunningDaemon; rec: RecordingServer }> {
  const rec = await recordingServer(onConnection, '127.0.0.1', opts.stayHalfOpen ?? false);
  const entry: (typeof opened)[number] = { rec };
  opened.push(entry);
  const logs = new Capture();
  const daemon = await startDaemon(
    simple([server('s1', rec.port)], { frontend: { logs: [stdoutLog()], ...opts.frontend }, backend: opts.backend ?? {} }),
    { stdout: logs },
  );
  entry.daemon = daemon;
  return { port: daemon.listening.get('fe')?.[0]?.port as number, logs, daemon, rec };
}

describe('half-close', () => {
  it('forwards the client FIN, then the server still answers, then its FIN reaches the client', async () => {
    const { port, rec } = await setup(
      (conn) => {
        conn.socket.on('end', () => {
          // The request is complete only at EOF (like `nc -N` clients): answer after it.
          conn.socket.end(`got:${conn.bytes().toString()}`);
        });
      },
      { stayHalfOpen: true },
    );
    const c = await connect(port);
    c.end('request-body');
    const answer = await readAll(c);
    assert.equal(answer.toString(), 'got:request-body');
    const conn = await rec.connection(0);
    await conn.ended;
  });

  it('forwards the server FIN while the client keeps sending', async () => {
    const { port, rec } = await setup((conn) => conn.socket.end('bye'), { stayHalfOpen: true });
    const c = await connect(port);
    const ended = new Promise<string>((resolve) => {
      let text = '';
      c.on('data', (d: Buffer) => (text += d.toString()));
      c.once('end', () => resolve(text));
    });
    assert.equal(await ended, 'bye');
    c.write('late-data');
    const conn = await rec.connection(0);
    await waitFor(() => conn.bytes().toString() === 'late-data', 2000, 'data after the server FIN');
    c.end();
    await conn.ended;
  });
});

describe('timeouts', () => {
  it('timeout client closes an idle session (cD)', async () => {
    const { port, logs } = await setup(() => {}, { frontend: { timeouts: { client: 200 } } });
    const c = await connect(port);
    assert.equal(await closedWithin(c, 3000), true);
    await waitFor(() => logs.lines().length === 1, 2000, 'log');
    assert.match(logs.text, / cD /);
  });

  it('timeout server closes when the server stays silent (sD)', async () => {
    const { port, logs } = await setup(() => {}, { backend: { timeouts: { connect: 1000, server: 200 } } });
    const c = await connect(port);
    assert.equal(await closedWithin(c, 3000), true);
    await waitFor(() => logs.lines().length === 1, 2000, 'log');
    assert.match(logs.text, / sD /);
  });

  it('timeout tunnel supersedes client/server once connected', async () => {
    const { port } = await setup(() => {}, {
      frontend: { timeouts: { client: 100 } },
      backend: { timeouts: { connect: 1000, server: 100, tunnel: 700 } },
    });
    const c = await connect(port);
    assert.equal(await closedWithin(c, 400), false, 'still open past client/server timeouts');
    assert.equal(await closedWithin(c, 2000), true, 'closed by the tunnel timeout');
  });

  it('timeout client-fin applies once the client has half-closed', async () => {
    const { port } = await setup(() => {}, { frontend: { timeouts: { client: 10000, clientFin: 200 } }, stayHalfOpen: true });
    const c = await connect(port);
    c.end();
    const t0 = Date.now();
    assert.equal(await closedWithin(c, 3000), true);
    assert.ok(Date.now() - t0 < 2500);
  });
});

describe('volume', () => {
  it('1,000 concurrent sessions each get exactly their own bytes back', async () => {
    const { port, daemon } = await setup((conn) => conn.socket.on('data', (d: Buffer) => conn.socket.write(d)));
    const N = 1000;
    const clients: net.Socket[] = [];
    for (let i = 0; i < N; i++) clients.push(await connect(port));
    await waitFor(() => daemon.counters.sessionsActive === N, 10000, 'all sessions open');
    const results = await Promise.all(
      clients.map(
        (c, i) =>
          new Promise<string>((resolve, reject) => {
            const msg = `client-${i}-${'x'.repeat(i % 50)}`;
            let got = '';
            const timer = setTimeout(() => reject(new Error(`client ${i} got ${got.length} bytes`)), 15000);
            c.on('data', (d: Buffer) => {
              got += d.toString();
              if (got.length >= msg.length) {
                clearTimeout(timer);
                resolve(got === msg ? 'ok' : `mismatch ${i}`);
              }
            });
            c.write(msg);
          }),
      ),
    );
    assert.deepEqual(results.filter((r) => r !== 'ok'), []);
    for (const c of clients) c.destroy();
    await waitFor(() => daemon.counters.sessionsActive === 0, 10000, 'all sessions closed');
  });

  it('100 MB each way arrives complete and in order (sha256 match)', async () => {
    const SIZE = 100 * 1024 * 1024;
    const CHUNK = 1024 * 1024;
    const pattern = (seed: number): Buffer => {
      const b = Buffer.allocUnsafe(CHUNK);
      for (let i = 0; i < CHUNK; i += 4) b.writeUInt32LE((i * 2654435761 + seed) >>> 0, i);
      return b;
    };
    // Write SIZE bytes of varying content with backpressure; hash as we go.
    const pump = (s: net.Socket, hash: ReturnType<typeof createHash>): void => {
      let sent = 0;
      let seed = 0;
      const more = (): void => {
        while (sent < SIZE) {
          const b = pattern(seed++);
          hash.update(b);
          sent += b.length;
          if (!s.write(b)) {
            s.once('drain', more);
            return;
          }
        }
        s.end();
      };
      more();
    };
    const serverSent = createHash('sha256');
    const serverGot = createHash('sha256');
    let serverBytes = 0;
    let serverDone!: () => void;
    const serverFinished = new Promise<void>((r) => (serverDone = r));
    const { port } = await setup(
      (conn) => {
        conn.socket.removeAllListeners('data');
        conn.socket.on('data', (d: Buffer) => {
          serverGot.update(d);
          serverBytes += d.length;
        });
        conn.socket.on('end', () => serverDone());
        pump(conn.socket, serverSent);
      },
      { stayHalfOpen: true },
    );
    const c = await connect(port);
    const clientSent = createHash('sha256');
    const clientGot = createHash('sha256');
    let clientBytes = 0;
    const clientFinished = new Promise<void>((resolve) => {
      c.on('data', (d: Buffer) => {
        clientGot.update(d);
        clientBytes += d.length;
      });
      c.once('end', () => resolve());
    });
    pump(c, clientSent);
    await Promise.all([serverFinished, clientFinished]);
    assert.equal(serverBytes, SIZE);
    assert.equal(clientBytes, SIZE);
    assert.equal(serverGot.digest('hex'), clientSent.digest('hex'));
    assert.equal(clientGot.digest('hex'), serverSent.digest('hex'));
    c.destroy();
  });

  it('backpressure: a client that stops reading stops the server, nothing piles up in the daemon', async () => {
    const TOTAL = 100 * 1024 * 1024;
    const chunk = Buffer.alloc(256 * 1024, 0x5a);
    let serverSocket: net.Socket | null = null;
    let queued = 0;
    const { port } = await setup((conn) => {
      serverSocket = conn.socket;
      const more = (): void => {
        while (queued < TOTAL) {
          queued += chunk.length;
          if (!conn.socket.write(chunk)) {
            conn.socket.once('drain', more);
            return;
          }
        }
        conn.socket.end();
      };
      more();
    }, { stayHalfOpen: true });
    const c = await connect(port);
    c.pause();
    await waitFor(() => serverSocket !== null, 2000, 'server side');
    await new Promise((r) => setTimeout(r, 1000));
    const s = serverSocket as unknown as net.Socket;
    // Bytes the server got rid of (into the kernel): with the client not reading, only socket
    // buffers on both hops (a few MB each on loopback) and one chunk in the daemon can hold them.
    const delivered = s.bytesWritten - s.writableLength;
    assert.ok(delivered < 48 * 1024 * 1024, `server pushed ${delivered} bytes into a client that reads nothing`);
    assert.ok(queued < TOTAL, 'the server is held back');
    // Resume: everything still arrives, in full.
    let got = 0;
    const done = new Promise<void>((resolve) => {
      c.on('data', (d: Buffer) => (got += d.length));
      c.once('end', () => resolve());
    });
    c.resume();
    await done;
    assert.equal(got, TOTAL);
    c.destroy();
  });
});

