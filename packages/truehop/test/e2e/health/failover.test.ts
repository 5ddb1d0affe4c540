// The data path obeys the health checks, end to end from configuration text: a DOWN server
// gets no client connection (counted at the server, which keeps accepting: only its check
// port dies), the backup takes over only while no active server is UP and hands back, and
// with every server DOWN new connections are closed cleanly, with HAProxy's log lines.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { PassThrough } from 'node:stream';
import { loadConfigText } from '../../../src/config/load-config.js';
import { startDaemon } from '../../../src/runtime/run.js';
import type { RunningDaemon } from '../../../src/runtime/run.js';
import { afterProxyHeader, RecordingServer } from './fixtures.js';
import { waitFor } from '../../support/peers.js';

const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** A backend server: answers each client with its name; counts client connections. */
class NamedServer {
  clients = 0;
  readonly #server: net.Server;
  readonly #sockets = new Set<net.Socket>();
  port = 0;

  constructor(readonly name: string) {
    this.#server = net.createServer((socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
      socket.on('error', () => {});
      let bytes = Buffer.alloc(0);
      socket.on('data', (chunk: Buffer) => {
        bytes = Buffer.concat([bytes, chunk]);
        const payload = afterProxyHeader(bytes);
        if (payload !== null && payload.includes('\n')) {
          this.clients += 1;
          socket.end(`${this.name}\n`);
        }
      });
    });
  }

  async listen(): Promise<this> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    const address = this.#server.address();
    if (address !== null && typeof address !== 'string') this.port = address.port;
    return this;
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

/** One client connection through the daemon: the name of the server that answered, or '' when closed. */
function request(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    let answer = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('client connection hung'));
    }, 3000);
    socket.on('data', (d: Buffer) => (answer += d.toString()));
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(answer.trim());
    });
    socket.write('hello\n');
  });
}

async function requests(port: number, count: number): Promise<string[]> {
  const answers: string[] = [];
  for (let i = 0; i < count; i += 1) answers.push(await request(port));
  return answers;
}

test('DOWN servers get no client connection; the backup takes over and hands back; all DOWN refuses cleanly', async () => {
  const a = await new NamedServer('a').listen();
  const b = await new NamedServer('b').listen();
  const k = await new NamedServer('k').listen();
  cleanups.push(() => a.close(), () => b.close(), () => k.close());
  // Each server is checked on its own check port, so a check failure leaves the traffic port
  // open: a client sent to a DOWN server would be counted there.
  const checkA = await new RecordingServer().listen();
  const checkB = await new RecordingServer().listen();
  const checkK = await new RecordingServer().listen();
  cleanups.push(() => checkA.close(), () => checkB.close(), () => checkK.close());

  const text = `
defaults
  mode tcp
  timeout connect 1s
  timeout client 5s
  timeout server 5s
frontend fe
  bind 127.0.0.1:0
  default_backend be
backend be
  balance roundrobin
  default-server check inter 100 fastinter 50 downinter 100 rise 2 fall 2 send-proxy check-send-proxy
  server a 127.0.0.1:${a.port} port ${checkA.port}
  server b 127.0.0.1:${b.port} port ${checkB.port}
  server k 127.0.0.1:${k.port} port ${checkK.port} backup
`;
  const loaded = loadConfigText([{ file: 'failover.cfg', text }]);
  assert.ok(loaded.ok, JSON.stringify(loaded.diagnostics));
  const stderr = new PassThrough();
  let logged = '';
  stderr.on('data', (d: Buffer) => (logged += d.toString()));
  const daemon: RunningDaemon = await startDaemon(loaded.model, { stderr, stdout: new PassThrough() });
  cleanups.push(() => daemon.stop(100));
  const port = daemon.listening.get('fe')?.[0]?.port ?? 0;
  assert.ok(port > 0);

  // Checks carry the forced v1 header (check-send-proxy with port), built for the check port.
  await waitFor(() => checkA.connections.filter((c) => c.closed).length >= 1, 3000, 'a first check');
  const first = checkA.connections.find((c) => c.closed);
  assert.equal(first?.bytes.toString('latin1'), `PROXY TCP4 127.0.0.1 127.0.0.1 ${first?.remotePort} ${checkA.port}\r\n`);

  // All UP: the actives share the load, the backup gets nothing.
  const allUp = await requests(port, 6);
  assert.deepEqual([...new Set(allUp)].sort(), ['a', 'b']);
  assert.equal(k.clients, 0);

  // a's checks fail → a DOWN; from then on no client reaches a.
  await checkA.close();
  await waitFor(() => logged.includes('Server be/a is DOWN'), 3000, 'a DOWN');
  const aBefore = a.clients;
  assert.deepEqual(new Set(await requests(port, 6)), new Set(['b']));
  assert.equal(a.clients, aBefore, 'no client connection to DOWN server a');
  assert.equal(k.clients, 0, 'the backup stays idle while b is UP');

  // b DOWN too → the backup takes over.
  await checkB.close();
  await waitFor(() => logged.includes('Server be/b is DOWN'), 3000, 'b DOWN');
  assert.match(logged, /Server be\/b is DOWN, reason: Layer4 connection problem, info: "Connection refused", check duration: \d+ms\. 0 active and 1 backup servers left\. Running on backup\./);
  const aDown = a.clients;
  const bDown = b.clients;
  assert.deepEqual(new Set(await requests(port, 4)), new Set(['k']));
  assert.equal(a.clients, aDown);
  assert.equal(b.clients, bDown);

  // a's checks come back → a UP after rise checks → the backup hands back.
  const checkA2 = await new RecordingServer().listen(checkA.port);
  cleanups.push(() => checkA2.close());
  await waitFor(() => logged.includes('Server be/a is UP'), 3000, 'a UP');
  assert.equal(checkA2.connections.length, 2, 'UP after exactly rise = 2 checks');
  const kBefore = k.clients;
  assert.deepEqual(new Set(await requests(port, 4)), new Set(['a']));
  assert.equal(k.clients, kBefore, 'the backup gets nothing once an active server is UP');
  assert.equal(b.clients, bDown, 'b is still DOWN');

  // Everything DOWN: new connections are closed at once, and logged.
  await checkA2.close();
  await checkK.close();
  await waitFor(() => logged.includes('backend be has no server available!'), 3000, 'all DOWN');
  const counts = [a.clients, b.clients, k.clients];
  const answers = await requests(port, 3);
  assert.deepEqual(answers, ['', '', ''], 'closed without an answer, not hung');
  assert.deepEqual([a.clients, b.clients, k.clients], counts);
});
