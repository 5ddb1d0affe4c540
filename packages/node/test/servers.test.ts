// Every kind of Node server, on real loopback sockets: after acceptProxyProtocol() the
// application sees the address the header advertised, on the socket it is given.
import assert from 'node:assert/strict';
import { createServer as createHttpServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect as http2Connect, createSecureServer, createServer as createH2cServer } from 'node:http2';
import type { Http2ServerRequest, Http2ServerResponse, Http2Session } from 'node:http2';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer as createNetServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { connect as tlsConnect, createServer as createTlsServer } from 'node:tls';
import type { TLSSocket } from 'node:tls';
import { encode, readAlpn } from '@truehop/proxy-protocol';
import { acceptProxyProtocol, getProxyInfo, getStats, isProxyServerError } from '../src/index.js';
import { testCertificate } from './helpers/cert.js';
import { peerSkip } from './helpers/require-peer.js';
import { closeServer, exchange, httpBody, httpGet, listen } from './helpers/net.js';

const V1 = encode({ version: 1, src: '192.0.2.1', srcPort: 5555, dst: '198.51.100.2', dstPort: 443 });
const V2 = encode({
  version: 2, src: '2001:db8::1', srcPort: 4321, dst: '2001:db8::2', dstPort: 8443,
  tlvs: [{ type: 0x01, value: Buffer.from('h2') }],
});
const LOCAL = encode({ version: 2, command: 'LOCAL' });
const UNKNOWN = encode({ version: 1 });

interface Seen {
  remoteAddress: string | undefined;
  remotePort: number | undefined;
  remoteFamily: string | undefined;
  localAddress: string | undefined;
  localPort: number | undefined;
  headerSrc: string | null | undefined;
  proxyAddress: string | undefined;
  alpnTlv: string | null;
}

function seen(socket: object & { remoteAddress?: string | undefined; remotePort?: number | undefined; remoteFamily?: string | undefined; localAddress?: string | undefined; localPort?: number | undefined }): Seen {
  const info = getProxyInfo(socket);
  return {
    remoteAddress: socket.remoteAddress,
    remotePort: socket.remotePort,
    remoteFamily: socket.remoteFamily,
    localAddress: socket.localAddress,
    localPort: socket.localPort,
    headerSrc: info?.header.src,
    proxyAddress: info?.proxy.address,
    alpnTlv: (info === undefined ? undefined : readAlpn(info.header)) ?? null,
  };
}

const ADVERTISED_V1 = {
  remoteAddress: '192.0.2.1', remotePort: 5555, remoteFamily: 'IPv4', localAddress: '198.51.100.2', localPort: 443,
  headerSrc: '192.0.2.1', proxyAddress: '127.0.0.1', alpnTlv: null,
};
const ADVERTISED_V2 = {
  remoteAddress: '2001:db8::1', remotePort: 4321, remoteFamily: 'IPv6', localAddress: '2001:db8::2', localPort: 8443,
  headerSrc: '2001:db8::1', proxyAddress: '127.0.0.1', alpnTlv: 'h2',
};

const httpHandler = (req: IncomingMessage | Http2ServerRequest, res: ServerResponse | Http2ServerResponse): void => {
  const body = JSON.stringify({ ...seen(req.socket), path: req.url });
  (res as ServerResponse).writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
};

const servers: Server[] = [];
after(async () => {
  for (const server of servers) await closeServer(server);
});

async function start<S extends Server>(server: S): Promise<number> {
  servers.push(server);
  return listen(server);
}

/** Listens on a UNIX socket path (closed with the others at the end). */
async function startOnPath(server: Server, path: string): Promise<void> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(path, resolve));
}

/** Runs `use` with a fresh directory for UNIX socket paths, removed afterwards. */
async function withSocketDir(use: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'truehop-node-unix-'));
  try {
    await use(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A TLS client over a raw TCP connection that first sends `header` in clear (what a proxy does). */
async function tlsOverProxy(target: number | string, header: Uint8Array, alpn?: string[]): Promise<TLSSocket> {
  const raw = typeof target === 'number' ? connect({ port: target, host: '127.0.0.1' }) : connect({ path: target });
  await new Promise<void>((resolve, reject) => { raw.once('connect', resolve); raw.once('error', reject); });
  raw.write(header);
  const tls = tlsConnect({ socket: raw, servername: 'localhost', ca: testCertificate().cert, ...(alpn === undefined ? {} : { ALPNProtocols: alpn }) });
  await new Promise<void>((resolve, reject) => { tls.once('secureConnect', resolve); tls.once('error', reject); });
  return tls;
}

async function readAll(socket: Socket | TLSSocket, request?: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const done = new Promise<void>((resolve, reject) => {
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.once('end', resolve);
    socket.once('error', reject);
  });
  if (request !== undefined) socket.write(request);
  await done;
  socket.destroy();
  return Buffer.concat(chunks);
}

async function http2Get(port: number, path: string, createConnection: () => Socket | TLSSocket, authority: string): Promise<Seen & { path: string }> {
  const client = http2Connect(authority, { createConnection });
  try {
    const request = client.request({ ':path': path });
    request.setEncoding('utf8');
    let body = '';
    request.on('data', (chunk: string) => { body += chunk; });
    await new Promise<void>((resolve, reject) => { request.once('end', resolve); request.once('error', reject); });
    return JSON.parse(body) as Seen & { path: string };
  } finally {
    client.close();
  }
}

describe('net.Server', () => {
  it('the connection listener sees the advertised addresses and the bytes after the header', async () => {
    const server = acceptProxyProtocol(createNetServer((socket) => {
      socket.once('data', (data) => socket.end(JSON.stringify({ ...seen(socket), data: data.toString() })));
    }));
    const port = await start(server);
    const { received } = await exchange(port, [Buffer.concat([V1, Buffer.from('hello')])]);
    assert.deepEqual(JSON.parse(received.toString()), { ...ADVERTISED_V1, data: 'hello' });
    const v2 = await exchange(port, [V2, 'world'], { gapMs: 20 });
    assert.deepEqual(JSON.parse(v2.received.toString()), { ...ADVERTISED_V2, data: 'world' });
  });

  it('works when called after listen(), and moves listeners added later behind the header', async () => {
    const server = createNetServer();
    const port = await start(server);
    acceptProxyProtocol(server);
    const order: string[] = [];
    server.on('connection', (socket: Socket) => {
      order.push(`on:${socket.remoteAddress}`);
      socket.end(String(socket.remoteAddress));
    });
    server.once('connection', (socket: Socket) => order.push(`once:${socket.remoteAddress}`));
    const first = await exchange(port, [V1]);
    const second = await exchange(port, [V1]);
    assert.equal(first.received.toString(), '192.0.2.1');
    assert.equal(second.received.toString(), '192.0.2.1');
    assert.deepEqual(order, ['on:192.0.2.1', 'once:192.0.2.1', 'on:192.0.2.1']);
  });

  it('LOCAL and v1 UNKNOWN keep the real addresses; getProxyInfo still has the header', async () => {
    const server = acceptProxyProtocol(createNetServer((socket) => {
      const info = getProxyInfo(socket);
      socket.end(JSON.stringify({ remote: socket.remoteAddress, local: socket.localAddress, command: info?.header.command, version: info?.header.version }));
    }));
    const port = await start(server);
    const local = JSON.parse((await exchange(port, [LOCAL])).received.toString()) as unknown;
    assert.deepEqual(local, { remote: '127.0.0.1', local: '127.0.0.1', command: 'LOCAL', version: 2 });
    const unknown = JSON.parse((await exchange(port, [UNKNOWN])).received.toString()) as unknown;
    assert.deepEqual(unknown, { remote: '127.0.0.1', local: '127.0.0.1', command: 'PROXY', version: 1 });
    const stats = getStats(server);
    assert.equal(stats?.local, 2);
    assert.equal(stats?.proxied, 0);
  });

  it('refuses trusted: [] at call time (it would refuse every connection), leaving the server untouched', () => {
    const server = createNetServer(() => {});
    const before = server.listeners('connection');
    assert.throws(() => acceptProxyProtocol(server, { trusted: [] }), (error: unknown) => {
      assert.ok(isProxyServerError(error));
      assert.equal(error.code, 'INVALID_OPTION');
      return true;
    });
    assert.deepEqual(server.listeners('connection'), before);
    assert.equal(getStats(server), undefined);
    acceptProxyProtocol(server, { trusted: ['127.0.0.1'] }); // and it can still be set up properly
  });

  it('refuses to wrap a server twice or something that is not a server', () => {
    const server = acceptProxyProtocol(createNetServer());
    assert.throws(() => acceptProxyProtocol(server), { code: 'ALREADY_ACCEPTING' });
    assert.throws(() => acceptProxyProtocol({} as Server), { code: 'NOT_A_SERVER' });
  });
});

describe('http.Server', () => {
  it('req.socket reports the advertised client (v1, v2, header and request in one segment or apart)', async () => {
    const port = await start(acceptProxyProtocol(createHttpServer(httpHandler)));
    const together = await exchange(port, [Buffer.concat([V1, Buffer.from(httpGet('/a'))])]);
    assert.deepEqual(JSON.parse(httpBody(together.received)), { ...ADVERTISED_V1, path: '/a' });
    const apart = await exchange(port, [V2, httpGet('/b')], { gapMs: 20 });
    assert.deepEqual(JSON.parse(httpBody(apart.received)), { ...ADVERTISED_V2, path: '/b' });
  });

  it('keeps the advertised client for every request of a keep-alive connection', async () => {
    const port = await start(acceptProxyProtocol(createHttpServer(httpHandler)));
    const keepAlive = 'GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\n';
    const { received } = await exchange(port, [V1, keepAlive, httpGet('/3')], { gapMs: 10 });
    const bodies = received.toString().match(/\{[^}]*\}/g) ?? [];
    assert.equal(bodies.length, 3);
    for (const [i, body] of bodies.entries()) assert.deepEqual(JSON.parse(body), { ...ADVERTISED_V1, path: `/${i + 1}` });
  });
});

describe('http.Server on a UNIX socket (HAProxy → unix@ → Node)', () => {
  it('believes the header without a trusted list; with one, a peer without an IP is untrusted (fails closed)', async () => {
    await withSocketDir(async (dir) => {
      for (const [trusted, expected] of [[undefined, '192.0.2.1'], [['127.0.0.1'], '']] as const) {
        const path = join(dir, `s${expected === '' ? 't' : 'u'}.sock`);
        const server = acceptProxyProtocol(createHttpServer(httpHandler), trusted === undefined ? {} : { trusted: [...trusted] });
        await startOnPath(server, path);
        const client = connect({ path });
        const chunks: Buffer[] = [];
        client.on('data', (c: Buffer) => chunks.push(c));
        client.on('error', () => {});
        client.write(Buffer.concat([V1, Buffer.from(httpGet('/unix'))]));
        await new Promise<void>((resolve) => client.once('close', () => resolve()));
        const body = httpBody(Buffer.concat(chunks));
        assert.equal(body === '' ? '' : (JSON.parse(body) as Seen).remoteAddress, expected);
        if (expected === '') assert.equal(getStats(server)?.rejectedBy.UNTRUSTED_SOURCE, 1);
        await closeServer(server);
      }
    });
  });
});

describe('TLS servers: the header is read before the handshake', { skip: peerSkip('openssl') }, () => {
  it('https: req.socket (the TLSSocket) reports the advertised client', async () => {
    const { key, cert } = testCertificate();
    const port = await start(acceptProxyProtocol(createHttpsServer({ key, cert }, httpHandler)));
    const tls = await tlsOverProxy(port, V2);
    const body = httpBody(await readAll(tls, httpGet('/secure')));
    assert.deepEqual(JSON.parse(body), { ...ADVERTISED_V2, path: '/secure' });
  });

  it("https in optional mode: a trusted client without a header does TLS directly and keeps its address", async () => {
    const { key, cert } = testCertificate();
    const server = acceptProxyProtocol(createHttpsServer({ key, cert }, httpHandler), { mode: 'optional', trusted: ['127.0.0.1'] });
    const port = await start(server);
    const tls = tlsConnect({ port, host: '127.0.0.1', servername: 'localhost', ca: cert });
    await new Promise<void>((resolve, reject) => { tls.once('secureConnect', resolve); tls.once('error', reject); });
    const body = JSON.parse(httpBody(await readAll(tls, httpGet('/direct')))) as Seen;
    assert.equal(body.remoteAddress, '127.0.0.1');
    assert.equal(body.headerSrc, undefined);
    assert.equal(getStats(server)?.direct, 1);
    // and a proxied one on the same server
    const proxied = await tlsOverProxy(port, V1);
    assert.equal((JSON.parse(httpBody(await readAll(proxied, httpGet('/p')))) as Seen).remoteAddress, '192.0.2.1');
  });

  it('tls.Server: the secure connection listener sees the advertised client', async () => {
    const { key, cert } = testCertificate();
    const server = acceptProxyProtocol(createTlsServer({ key, cert }, (socket) => socket.end(JSON.stringify(seen(socket)))));
    const port = await start(server);
    const tls = await tlsOverProxy(port, V1);
    assert.deepEqual(JSON.parse((await readAll(tls)).toString()), ADVERTISED_V1);
  });

  it('https on a UNIX socket: the TLSSocket reports the header as well (found through its raw socket, no 4-tuple)', async () => {
    await withSocketDir(async (dir) => {
      const { key, cert } = testCertificate();
      const server = acceptProxyProtocol(createHttpsServer({ key, cert }, httpHandler));
      const path = join(dir, 'tls.sock');
      await startOnPath(server, path);
      const tls = await tlsOverProxy(path, V1);
      const body = JSON.parse(httpBody(await readAll(tls, httpGet('/unix-tls')))) as Seen;
      // the proxy (a UNIX peer) has no address: JSON leaves proxyAddress out
      const { proxyAddress, ...advertised } = ADVERTISED_V1;
      assert.equal(typeof proxyAddress, 'string');
      assert.deepEqual(body, { ...advertised, path: '/unix-tls' });
      await closeServer(server);
    });
  });

  it('concurrent TLS connections each report their own header, whatever order their handshakes end in', async () => {
    const { key, cert } = testCertificate();
    const server = acceptProxyProtocol(createTlsServer({ key, cert }, (socket) => socket.end(JSON.stringify(seen(socket)))));
    const port = await start(server);
    const ports = [1001, 1002, 1003, 1004, 1005, 1006];
    const results = await Promise.all(ports.map(async (srcPort) => {
      const header = encode({ version: 2, src: '192.0.2.1', srcPort, dst: '198.51.100.2', dstPort: 443 });
      const tls = await tlsOverProxy(port, header);
      return (JSON.parse((await readAll(tls)).toString()) as Seen).remotePort;
    }));
    assert.deepEqual(results, ports);
  });

  it('tls.Server: a client that fails the handshake is reported by tlsClientError with the advertised address', async () => {
    const { key, cert } = testCertificate();
    const server = acceptProxyProtocol(createTlsServer({ key, cert }));
    const errored = new Promise<string | undefined>((resolve) => server.once('tlsClientError', (_error, socket) => resolve(socket.remoteAddress)));
    const port = await start(server);
    await exchange(port, [V1, 'this is not a TLS ClientHello\r\n'], { gapMs: 10, end: true });
    assert.equal(await errored, '192.0.2.1');
  });

  it('http2 secure server: compat req.socket, the session and its socket report the advertised client', async () => {
    const { key, cert } = testCertificate();
    const server = acceptProxyProtocol(createSecureServer({ key, cert }, httpHandler));
    const sessions: Http2Session[] = [];
    server.on('session', (session: Http2Session) => sessions.push(session));
    const port = await start(server);
    const tls = await tlsOverProxy(port, V2, ['h2']);
    const seenByApp = await http2Get(port, '/h2', () => tls, `https://localhost:${port}`);
    assert.deepEqual(seenByApp, { ...ADVERTISED_V2, path: '/h2' });
    const session = sessions.at(-1);
    assert.ok(session);
    assert.equal(getProxyInfo(session)?.header.src, '2001:db8::1');
    assert.equal(session.socket.remoteAddress, '2001:db8::1');
    assert.equal(getProxyInfo(session.socket)?.proxy.address, '127.0.0.1');
  });

});

// h2c needs no certificate: kept out of the openssl-gated suite above so it runs everywhere.
describe('http2 without TLS', () => {
  it('h2c (http2 without TLS) sees the advertised client', async () => {
    const port = await start(acceptProxyProtocol(createH2cServer(httpHandler)));
    const seenByApp = await http2Get(port, '/h2c', () => {
      const socket = connect({ port, host: '127.0.0.1' });
      socket.write(V1);
      return socket;
    }, `http://localhost:${port}`);
    assert.deepEqual(seenByApp, { ...ADVERTISED_V1, path: '/h2c' });
  });
});
