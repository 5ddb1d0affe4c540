// TLS termination's data path with node:tls clients: what a TLS stream must do besides the
// handshake — large transfers both ways (sha256), backpressure against a client that stops
// reading, half-close (close_notify + FIN forwarded as FIN, the server's answer after it still
// delivered), session resumption (TLS 1.2 and 1.3 tickets), and renegotiation refused (closed,
// others served). The runner runs this file in both lanes, so it proves both TLS paths: raw TLS
// (OpenSSL's TLSWrap on the raw transport's libuv handles) and tls.TLSSocket (net.Socket).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import net from 'node:net';
import tls from 'node:tls';
import { daemonFromText, type ConfigDaemon } from '../../support/config-daemon.js';
import { recordingServer, type RecordingServer } from '../../support/peers.js';
import { makeTestPki, type TestPki } from '../../support/tls-bind-pki.js';

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

function pattern(n: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = (i * 131 + (i >> 11)) & 0xff;
  return b;
}

interface Client {
  socket: tls.TLSSocket;
  received: Buffer[];
  /** Session tickets the server sent (TLS 1.2: during the handshake; 1.3: after it). */
  sessions: Buffer[];
  ended: Promise<void>;
  closed: Promise<void>;
}

/** A TLS client to `port` (half-open: it keeps reading after its own end()), connected. */
async function tlsClient(port: number, options: tls.ConnectionOptions = {}): Promise<Client> {
  const socket = tls.connect({ port, host: '127.0.0.1', servername: 'a.test', rejectUnauthorized: false, allowHalfOpen: true, ...options } as tls.ConnectionOptions);
  const received: Buffer[] = [];
  socket.on('data', (c: Buffer) => received.push(c));
  const sessions: Buffer[] = [];
  socket.on('session', (t: Buffer) => sessions.push(t));
  socket.on('error', () => {});
  const ended = new Promise<void>((resolve) => socket.once('end', resolve));
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no TLS handshake within 5 s')), 5000);
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.once('close', () => {
      clearTimeout(timer);
      reject(new Error('closed before the handshake completed'));
    });
  });
  return { socket, received, sessions, ended, closed };
}

function bounded<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: not within ${String(ms)} ms`)), ms);
    }),
  ]);
}

describe('TLS termination: the data path', () => {
  let pki: TestPki;
  let echo: net.Server;
  let rec: RecordingServer;
  let d: ConfigDaemon;

  before(async () => {
    pki = makeTestPki();
    // Echoes everything, ends when the client's FIN arrived (half-close kept).
    echo = net.createServer({ allowHalfOpen: true }, (s) => {
      s.on('error', () => {});
      s.pipe(s);
    });
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
    // Answers only after the client's FIN (half-close): its bytes must still reach the client.
    rec = await recordingServer((c) => void c.ended.then(() => c.socket.end(`got ${String(c.bytes().length)} bytes after your FIN`)), '127.0.0.1', true);
    const [a] = pki.servers;
    d = await daemonFromText([
      'defaults',
      '  mode tcp',
      '  timeout connect 2s',
      '  timeout client 10s',
      '  timeout client-hs 2s',
      '  timeout server 10s',
      'frontend echo',
      '  log stdout format raw local0',
      '  log-format "tls %[ssl_fc_protocol] %[ssl_fc_sni] %ts %B %U"',
      `  bind 127.0.0.1:0 ssl crt ${a.pem} ssl-min-ver TLSv1.2`,
      '  default_backend echo',
      'frontend halfclose',
      `  bind 127.0.0.1:0 ssl crt ${a.pem}`,
      '  default_backend rec',
      'backend echo',
      `  server s1 127.0.0.1:${String((echo.address() as net.AddressInfo).port)}`,
      'backend rec',
      `  server s1 127.0.0.1:${String(rec.port)}`,
      '',
    ].join('\n'));
  });

  after(async () => {
    await d?.daemon.stop(100);
    await new Promise<void>((resolve) => (echo ? echo.close(() => resolve()) : resolve()));
    await rec?.close();
    pki?.cleanup();
  });

  it('runs on the TLS path of its lane', () => {
    assert.equal(d.daemon.tlsTransport, process.env['TRUEHOP_TRANSPORT'] === 'raw' && process.env['TRUEHOP_TLS'] !== 'socket' ? 'raw' : 'socket');
  });

  it('8 MB each way through TLS 1.3 and 1.2: the bytes are intact (sha256), then both sides close', async () => {
    for (const maxVersion of ['TLSv1.3', 'TLSv1.2'] as const) {
      const data = pattern(8 * 1024 * 1024);
      const c = await tlsClient(d.port('echo'), { maxVersion });
      assert.equal(c.socket.getProtocol(), maxVersion);
      c.socket.end(data);
      await bounded(c.ended, 20_000, `${maxVersion}: echo end`);
      const back = Buffer.concat(c.received);
      assert.equal(back.length, data.length, maxVersion);
      assert.equal(sha(back), sha(data), maxVersion);
      await bounded(c.closed, 5000, `${maxVersion}: close`);
    }
  });

  it('backpressure: a client that stops reading for a while loses nothing, and the daemon does not buffer it all', async () => {
    // More than the kernel's loopback buffers of the four sockets on the way can hold.
    const data = pattern(64 * 1024 * 1024);
    const c = await tlsClient(d.port('echo'));
    c.socket.pause();
    c.socket.write(data);
    // The echo server writes back as fast as it can; with nobody reading the client side, the
    // daemon must stop reading the server (and the client must stop being able to write).
    await new Promise((resolve) => setTimeout(resolve, 1000));
    assert.ok(c.socket.writableLength > 0, 'the client could write all 64 MB although nobody read the echo: no backpressure');
    c.socket.resume();
    c.socket.end();
    await bounded(c.ended, 30_000, 'echo end after resume');
    const back = Buffer.concat(c.received);
    assert.equal(back.length, data.length);
    assert.equal(sha(back), sha(data));
  });

  it('half-close: the client\'s close_notify + FIN reach the server as FIN, and its answer after that still arrives', async () => {
    const c = await tlsClient(d.port('halfclose'));
    c.socket.end('12345');
    await bounded(c.ended, 5000, 'the answer after our FIN');
    assert.equal(Buffer.concat(c.received).toString(), 'got 5 bytes after your FIN');
    await bounded(c.closed, 5000, 'close');
  });

  it('resumption: a TLS 1.3 and a TLS 1.2 session ticket resume the session on the next connection', async () => {
    for (const maxVersion of ['TLSv1.3', 'TLSv1.2'] as const) {
      const first = await tlsClient(d.port('echo'), { maxVersion });
      assert.equal(first.socket.isSessionReused(), false);
      first.socket.end('one');
      await bounded(first.ended, 5000, `${maxVersion}: first echo`);
      const ticket = first.sessions.at(-1);
      assert.ok(ticket !== undefined, `${maxVersion}: no session ticket`);
      const second = await tlsClient(d.port('echo'), { maxVersion, session: ticket });
      assert.equal(second.socket.isSessionReused(), true, `${maxVersion}: not resumed`);
      second.socket.end('two');
      await bounded(second.ended, 5000, `${maxVersion}: second echo`);
      assert.equal(Buffer.concat(second.received).toString(), 'two');
    }
  });

  it('renegotiation: never completes, the connection ends; the next client is served', async () => {
    const c = await tlsClient(d.port('echo'), { maxVersion: 'TLSv1.2' });
    let renegotiated = false;
    // The connection ends for the client: the daemon's FIN, or an error (OpenSSL's alert).
    const gone = new Promise<void>((resolve) => {
      for (const event of ['error', 'end', 'close']) c.socket.once(event, () => resolve());
    });
    const answered = new Promise<void>((resolve) => {
      const asked = c.socket.renegotiate({}, (err) => {
        renegotiated = err === null || err === undefined;
        resolve();
      });
      assert.equal(asked, true, 'renegotiate() refused locally');
      void gone.then(resolve);
    });
    await bounded(answered, 5000, 'an answer to the renegotiation');
    // Raw TLS closes at the renegotiation's start (as HAProxy); tls.TLSSocket's OpenSSL answers
    // no_renegotiation and the connection fails at its next record. It ends either way, and
    // nothing sent after the attempt is echoed.
    if (!c.socket.destroyed) c.socket.write('after the renegotiation');
    await bounded(gone, 5000, 'the renegotiating connection ending');
    await new Promise((resolve) => setTimeout(resolve, 100));
    c.socket.destroy();
    assert.equal(renegotiated, false, 'the renegotiation succeeded');
    assert.equal(Buffer.concat(c.received).length, 0, 'bytes sent after the renegotiation attempt were forwarded');
    const next = await tlsClient(d.port('echo'));
    next.socket.end('still served');
    await bounded(next.ended, 5000, 'next client');
    assert.equal(Buffer.concat(next.received).toString(), 'still served');
  });
});
