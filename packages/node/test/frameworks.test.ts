// The real frameworks (devDependencies): express `req.ip` and fastify `request.ip` show the
// client the PROXY header advertised, with no framework setting changed, and a client's own
// X-Forwarded-For is not believed unless the app opts into it.
import assert from 'node:assert/strict';
import { createServer as createHttpServer } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import { connect as http2Connect } from 'node:http2';
import type { Http2Server } from 'node:http2';
import type { Server } from 'node:net';
import { connect } from 'node:net';
import { after, describe, it } from 'node:test';
import { connect as tlsConnect } from 'node:tls';
import express from 'express';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { encode } from '@truehop/proxy-protocol';
import { proxyProtocolServerFactory } from '../src/adapters/fastify.js';
import { acceptProxyProtocol, getProxyInfo, getStats } from '../src/index.js';
import { testCertificate } from './helpers/cert.js';
import { peerSkip } from './helpers/require-peer.js';
import { closeServer, exchange, httpBody, listen } from './helpers/net.js';

const HEADER = encode({ version: 2, src: '192.0.2.1', srcPort: 5555, dst: '198.51.100.2', dstPort: 443 });
const REQUEST = 'GET /ip HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 6.6.6.6\r\nConnection: close\r\n\r\n';

const servers: Server[] = [];
const apps: FastifyInstance[] = [];
after(async () => {
  for (const app of apps) await app.close();
  for (const server of servers) await closeServer(server);
});

async function ask(port: number): Promise<Record<string, unknown>> {
  const { received } = await exchange(port, [Buffer.concat([HEADER, Buffer.from(REQUEST)])]);
  return JSON.parse(httpBody(received)) as Record<string, unknown>;
}

describe('express', () => {
  function app() {
    const application = express();
    application.get('/ip', (req, res) => {
      res.json({ ip: req.ip, remote: req.socket.remoteAddress, proxy: getProxyInfo(req)?.proxy.address });
    });
    return application;
  }

  it('req.ip is the advertised client (http.createServer(app)); a client X-Forwarded-For is ignored', async () => {
    const server = acceptProxyProtocol(createHttpServer(app()), { trusted: ['127.0.0.1'] });
    servers.push(server);
    const port = await listen(server);
    assert.deepEqual(await ask(port), { ip: '192.0.2.1', remote: '192.0.2.1', proxy: '127.0.0.1' });
  });

  it('works on the server app.listen() returns', async () => {
    const server = app().listen(0, '127.0.0.1');
    acceptProxyProtocol(server);
    servers.push(server);
    await new Promise<void>((resolve) => server.once('listening', resolve));
    const port = (server.address() as { port: number }).port;
    assert.equal((await ask(port)).ip, '192.0.2.1');
  });
});

describe('fastify', () => {
  function routes(app: FastifyInstance): FastifyInstance {
    app.get('/ip', (request) => Promise.resolve({ ip: request.ip, remote: request.socket.remoteAddress, proxy: getProxyInfo(request)?.proxy.address }));
    return app;
  }

  it('recipe: acceptProxyProtocol(app.server) — request.ip is the advertised client', async () => {
    const app = routes(Fastify());
    apps.push(app);
    acceptProxyProtocol(app.server, { trusted: ['127.0.0.1'] });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const port = (app.server.address() as { port: number }).port;
    assert.deepEqual(await ask(port), { ip: '192.0.2.1', remote: '192.0.2.1', proxy: '127.0.0.1' });
    assert.equal(getStats(app.server)?.proxied, 1);
  });

  it('adapter: serverFactory: proxyProtocolServerFactory()', async () => {
    const app = routes(Fastify({ serverFactory: proxyProtocolServerFactory({ trusted: ['127.0.0.1'] }) }));
    apps.push(app);
    await app.listen({ port: 0, host: '127.0.0.1' });
    const port = (app.server.address() as { port: number }).port;
    assert.deepEqual(await ask(port), { ip: '192.0.2.1', remote: '192.0.2.1', proxy: '127.0.0.1' });
    // and the factory refuses what the policy refuses
    const { closed, received } = await exchange(port, [REQUEST]);
    assert.equal(closed, true);
    assert.equal(received.length, 0);
    assert.equal(getStats(app.server)?.rejectedBy.NOT_HDR, 1);
  });

  it('adapter with fastify https options builds an https server that reads the header before TLS', { skip: peerSkip('openssl') }, async () => {
    const { key, cert } = testCertificate();
    const app = routes(Fastify({ https: { key, cert }, serverFactory: proxyProtocolServerFactory<HttpsServer>() }));
    apps.push(app);
    await app.listen({ port: 0, host: '127.0.0.1' });
    const port = (app.server.address() as { port: number }).port;
    const raw = connect({ port, host: '127.0.0.1' });
    await new Promise<void>((resolve) => raw.once('connect', resolve));
    raw.write(HEADER);
    const tls = tlsConnect({ socket: raw, servername: 'localhost', ca: cert });
    const chunks: Buffer[] = [];
    tls.on('data', (c: Buffer) => chunks.push(c));
    await new Promise<void>((resolve, reject) => { tls.once('secureConnect', resolve); tls.once('error', reject); });
    tls.write(REQUEST);
    await new Promise<void>((resolve) => tls.once('end', resolve));
    tls.destroy();
    assert.deepEqual(JSON.parse(httpBody(Buffer.concat(chunks))), { ip: '192.0.2.1', remote: '192.0.2.1', proxy: '127.0.0.1' });
  });

  it('adapter with fastify http2 (h2c): request.ip is the advertised client', async () => {
    const app = Fastify({ http2: true, serverFactory: proxyProtocolServerFactory<Http2Server>() });
    app.get('/ip', (request) => Promise.resolve({ ip: request.ip, proxy: getProxyInfo(request.socket)?.proxy.address }));
    apps.push(app as unknown as FastifyInstance);
    await app.listen({ port: 0, host: '127.0.0.1' });
    const port = (app.server.address() as { port: number }).port;
    const client = http2Connect(`http://localhost:${port}`, {
      createConnection: () => {
        const socket = connect({ port, host: '127.0.0.1' });
        socket.write(HEADER);
        return socket;
      },
    });
    try {
      const request = client.request({ ':path': '/ip' });
      request.setEncoding('utf8');
      let body = '';
      request.on('data', (chunk: string) => { body += chunk; });
      await new Promise<void>((resolve, reject) => { request.once('end', resolve); request.once('error', reject); });
      assert.deepEqual(JSON.parse(body), { ip: '192.0.2.1', proxy: '127.0.0.1' });
    } finally {
      client.close();
    }
  });

  it('trustProxy is checked against the rewritten address: trusting the L4 proxy (127.0.0.1) does not make a client X-Forwarded-For believed', async () => {
    const app = routes(Fastify({ trustProxy: '127.0.0.1' }));
    apps.push(app);
    acceptProxyProtocol(app.server);
    await app.listen({ port: 0, host: '127.0.0.1' });
    const port = (app.server.address() as { port: number }).port;
    assert.equal((await ask(port)).ip, '192.0.2.1');
  });

  it('trustProxy naming the advertised client hop makes X-Forwarded-For used (opt-in only)', async () => {
    const app = routes(Fastify({ trustProxy: '192.0.2.0/24' }));
    apps.push(app);
    acceptProxyProtocol(app.server);
    await app.listen({ port: 0, host: '127.0.0.1' });
    const port = (app.server.address() as { port: number }).port;
    assert.equal((await ask(port)).ip, '6.6.6.6');
  });
});
