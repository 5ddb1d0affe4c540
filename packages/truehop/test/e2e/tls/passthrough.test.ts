// TLS passthrough with SNI routing, through the real loader: truehop never terminates TLS; it
// waits (tcp-request inspect-delay) for the ClientHello, routes on req.ssl_sni, and forwards
// the bytes intact to TLS servers that hold the certificate. Junk, a slow hello, a hello
// fragmented over records and a client without SNI each end where HAProxy sends them.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import type net from 'node:net';
import tls from 'node:tls';
import { daemonFromText, type ConfigDaemon } from '../../support/config-daemon.js';
import { connect, readAll, recordingServer, waitFor, type RecordingServer } from '../../support/peers.js';
import { makeTestPki, type TestPki } from '../../support/tls-pki.js';

const NAMES = ['a.example.com', 'www.b.example.com', 'c.example.com', 'default.test'];
const BULK_BYTES = 8 * 1024 * 1024;

/** Every TLS server connection still open, destroyed at the end (tls.Server.close waits for them). */
const open = new Set<net.Socket>();

/** A TLS server that answers `<name>:<sni>` then, after the client's FIN, the sha256 of what it got. */
async function tlsServer(pki: TestPki, name: string): Promise<tls.Server> {
  const server = tls.createServer({ cert: pki.cert, key: pki.key, allowHalfOpen: true }, (s) => {
    s.on('error', () => {});
    const hash = createHash('sha256');
    s.write(`${name}:${s.servername === false || s.servername === undefined ? '-' : s.servername}\n`);
    s.on('data', (d: Buffer) => hash.update(d));
    s.on('end', () => s.end(`${hash.digest('hex')}\n`));
  });
  // Raw sockets, so a client that left mid-handshake is closed too.
  server.on('connection', (s: net.Socket) => {
    open.add(s);
    s.on('close', () => open.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return server;
}

function portOf(s: net.Server): number {
  return (s.address() as net.AddressInfo).port;
}

/** A TLS client through truehop: returns what the server wrote (its name line, then the hash). */
function tlsExchange(port: number, pki: TestPki, servername: string | undefined, payload: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const options: tls.ConnectionOptions & { allowHalfOpen: boolean } = {
      host: '127.0.0.1', port, ca: pki.ca, allowHalfOpen: true,
      ...(servername === undefined ? {} : { servername }),
      // The chain is verified against the test CA; the name is what the route is about.
      checkServerIdentity: () => undefined,
    };
    const s = tls.connect(options);
    const timer = setTimeout(() => s.destroy(new Error('TLS exchange timed out')), 15_000);
    let text = '';
    s.on('secureConnect', () => s.end(payload));
    s.on('data', (d: Buffer) => (text += d.toString('latin1')));
    s.on('error', (e: Error) => { clearTimeout(timer); reject(e); });
    s.on('close', () => { clearTimeout(timer); resolve(text); });
  });
}

/** A ClientHello from a Node TLS client, captured by a plain server. */
async function captureHello(servername: string): Promise<Buffer> {
  const rec = await recordingServer();
  try {
    const c = tls.connect({ host: '127.0.0.1', port: rec.port, servername });
    c.on('error', () => {});
    const conn = await rec.connection(0);
    await waitFor(() => conn.bytes().length >= 5 && conn.bytes().length >= 5 + conn.bytes().readUInt16BE(3), 5000, 'ClientHello');
    c.destroy();
    return conn.bytes();
  } finally {
    await rec.close();
  }
}

describe('TLS passthrough: SNI routing without terminating', () => {
  let pki: TestPki;
  const servers: tls.Server[] = [];
  let plain: RecordingServer;
  let d: ConfigDaemon;

  before(async () => {
    pki = makeTestPki(NAMES);
    for (const n of ['A', 'B', 'C', 'D']) servers.push(await tlsServer(pki, n));
    plain = await recordingServer();
    const [a, b, c, dflt] = servers.map(portOf);
    d = await daemonFromText(
      `defaults\n  mode tcp\n  timeout connect 2s\n  timeout client 10s\n  timeout server 10s\n` +
      `frontend fe\n  bind 127.0.0.1:0\n  tcp-request inspect-delay 2s\n` +
      `  tcp-request content accept if { req.ssl_hello_type 1 }\n` +
      `  use_backend be_a if { req.ssl_sni -i a.example.com }\n` +
      `  use_backend be_b if { req.ssl_sni -m end .b.example.com }\n` +
      `  use_backend be_c if { req.ssl_sni c.example.com }\n` +
      `  default_backend be_d\n` +
      `frontend fe_short\n  bind 127.0.0.1:0\n  tcp-request inspect-delay 300ms\n` +
      `  tcp-request content accept if { req.ssl_hello_type 1 }\n` +
      `  use_backend be_a if { req.ssl_sni -i a.example.com }\n  default_backend be_plain\n` +
      `frontend fe_wait_end\n  bind 127.0.0.1:0\n  tcp-request inspect-delay 300ms\n` +
      `  tcp-request content accept if WAIT_END\n  default_backend be_plain\n` +
      `backend be_a\n  server a 127.0.0.1:${a}\n` +
      `backend be_b\n  server b 127.0.0.1:${b}\n` +
      `backend be_c\n  server c 127.0.0.1:${c}\n` +
      `backend be_d\n  server d 127.0.0.1:${dflt}\n` +
      `backend be_plain\n  server p 127.0.0.1:${plain.port}\n`,
    );
  });

  after(async () => {
    await d?.daemon.stop(100);
    for (const s of open) s.destroy();
    for (const s of servers) await new Promise<void>((r) => s.close(() => r()));
    await plain?.close();
  });

  it('chooses among three backends by SNI; a client without SNI goes to the default', async () => {
    const port = d.port('fe');
    const empty = createHash('sha256').digest('hex');
    assert.equal(await tlsExchange(port, pki, 'a.example.com', Buffer.alloc(0)), `A:a.example.com\n${empty}\n`);
    assert.equal(await tlsExchange(port, pki, 'www.b.example.com', Buffer.alloc(0)), `B:www.b.example.com\n${empty}\n`);
    assert.equal(await tlsExchange(port, pki, 'c.example.com', Buffer.alloc(0)), `C:c.example.com\n${empty}\n`);
    assert.equal(await tlsExchange(port, pki, 'default.test', Buffer.alloc(0)), `D:default.test\n${empty}\n`);
    assert.equal(await tlsExchange(port, pki, undefined, Buffer.alloc(0)), `D:-\n${empty}\n`);
  });

  it('carries a large transfer intact through the TLS it does not terminate (sha256)', async () => {
    const payload = randomBytes(BULK_BYTES);
    const answer = await tlsExchange(d.port('fe'), pki, 'c.example.com', payload);
    assert.equal(answer, `C:c.example.com\n${createHash('sha256').update(payload).digest('hex')}\n`);
  });

  it('waits for a ClientHello that arrives slowly, in pieces, within inspect-delay', async () => {
    const hello = await captureHello('a.example.com');
    const c = await connect(d.port('fe'));
    for (const [from, to] of [[0, 3], [3, 40], [40, hello.length]] as const) {
      c.write(hello.subarray(from, to));
      await new Promise((r) => setTimeout(r, 150));
    }
    // Backend A answers its name line first: the hello reached it whole.
    const first = await new Promise<string>((resolve) => c.once('data', (x: Buffer) => resolve(x.toString('latin1'))));
    c.destroy();
    assert.notEqual(first.length, 0);
    // A TLS server sends a ServerHello (record type 22): the route chose a TLS backend, and
    // which one is checked by SNI in the test above; here, that waiting worked at all.
    assert.equal(first.charCodeAt(0), 0x16);
  });

  it('routes a hello fragmented over several records by its SNI, bytes forwarded intact', async () => {
    const hello = await captureHello('a.example.com');
    const body = hello.subarray(5);
    const parts: Buffer[] = [];
    for (let i = 0; i < body.length; i += 50) {
      const part = body.subarray(i, i + 50);
      parts.push(Buffer.from([0x16, 3, 1, part.length >> 8, part.length & 0xff]), part);
    }
    const fragmented = Buffer.concat(parts);
    // fe_short sends what is not A to the plain recorder: routed to A, the recorder sees nothing.
    const before = plain.connections.length;
    const c = await connect(d.port('fe_short'));
    c.write(fragmented);
    const first = await new Promise<Buffer>((resolve) => c.once('data', resolve));
    c.destroy();
    assert.equal(first[0], 0x16, 'a TLS server answered');
    assert.equal(plain.connections.length, before);
  });

  it('junk instead of a ClientHello: decided at once, forwarded intact to the default backend', async () => {
    const n = plain.connections.length;
    const c = await connect(d.port('fe_short'));
    const started = Date.now();
    c.write('GET / HTTP/1.0\r\n\r\n');
    const conn = await plain.connection(n);
    await waitFor(() => conn.bytes().length >= 18, 2000, 'junk forwarded');
    assert.ok(Date.now() - started < 250, 'not held for the inspect-delay');
    c.destroy();
    assert.equal(conn.bytes().toString(), 'GET / HTTP/1.0\r\n\r\n');
  });

  it('a hello that stalls: decided when inspect-delay expires, its bytes forwarded intact', async () => {
    const hello = await captureHello('a.example.com');
    const n = plain.connections.length;
    const c = await connect(d.port('fe_short'));
    const started = Date.now();
    c.write(hello.subarray(0, 20));
    const conn = await plain.connection(n, 3000);
    const waited = Date.now() - started;
    await waitFor(() => conn.bytes().length >= 20, 2000, 'partial hello forwarded');
    c.destroy();
    assert.ok(waited >= 280, `waited ${waited} ms for the 300 ms inspect-delay`);
    assert.deepEqual(conn.bytes(), hello.subarray(0, 20));
  });

  it('WAIT_END holds every connection for the inspect-delay, then forwards', async () => {
    const n = plain.connections.length;
    const c = await connect(d.port('fe_wait_end'));
    const started = Date.now();
    c.write('hello');
    const conn = await plain.connection(n, 3000);
    assert.ok(Date.now() - started >= 280);
    await waitFor(() => conn.bytes().length >= 5, 2000, 'bytes forwarded');
    c.end();
    assert.equal(conn.bytes().toString(), 'hello');
    await readAll(c).catch(() => Buffer.alloc(0));
  });
});
