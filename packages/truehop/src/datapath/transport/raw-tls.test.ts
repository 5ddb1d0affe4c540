// Raw TLS (raw-tls.ts) on real loopback connections, and the handshake phase that drives it
// (tls-handshake.ts; runs in the test runner's raw lane: the permission sandbox refuses
// process.binding). A RawTlsConn has RawConn's shape: one owner hears the handshake's end,
// drain, end, error and close by method calls, in net.Socket's order, and the cleartext goes to
// one reader, each read a buffer of its own; it is not an EventEmitter and the data path never
// makes it one. With one certificate the handshake starts at once (OpenSSL reads the
// ClientHello); with a certificate per name truehop reads the ClientHello first and picks by SNI.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import net from 'node:net';
import tls from 'node:tls';
import type { BindTlsModel, TlsCertificate } from '../../model/tls.js';
import type { SslErrorName } from '../../model/connection-errors.js';
import type { TlsSession } from '../../model/session.js';
import { BindTls } from '../bind-tls.js';
import type { SocketReader } from '../reused-read-buffers.js';
import { TlsHandshakePhase, type TlsHandshakeOwner } from '../tls-handshake.js';
import type { Conn } from './conn.js';
import { loadLibuvBindings } from './libuv.js';
import { takeOverAccepts } from './raw-accept.js';
import { useBindings, type RawConn } from './raw-conn.js';
import { RawTlsConn, rawTlsEnabled, type RawTlsOptions } from './raw-tls.js';
import { selfTestRawTls } from './tls-self-test.js';
import { handlerOf } from './transport.js';
import { ConnRecorder } from '../../../test/support/conn-recorder.js';

// Two throwaway self-signed P-256 certificates (CN a.test and b.test), for loopback tests only.
const A_PEM = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgULJwr24bvJxTr9h2
Jh9mp97S3xpGOXZAJxSQLNg1PImhRANCAASXExaIpyg8J/RQndrr4gQkviZZwQoh
2q3QD0Kv4zFobC0/EWk9Y0ruCasD9zF49u6++jSo0HhY4d6vWcm6krQW
-----END PRIVATE KEY-----
-----BEGIN CERTIFICATE-----
MIIBejCCAR+gAwIBAgIUT0nFaerSUoZ2845qM6KC9j5u7eAwCgYIKoZIzj0EAwIw
ETEPMA0GA1UEAwwGYS50ZXN0MCAXDTI2MTIwNTEwNTEwN1oYDzIxMjYxMTExMTA1
MTA3WjARMQ8wDQYDVQQDDAZhLnRlc3QwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNC
AASXExaIpyg8J/RQndrr4gQkviZZwQoh2q3QD0Kv4zFobC0/EWk9Y0ruCasD9zF4
9u6++jSo0HhY4d6vWcm6krQWo1MwUTAdBgNVHQ4EFgQUhq4eUL2oqAO7n0Ua8zNb
b8JGRiEwHwYDVR0jBBgwFoAUhq4eUL2oqAO7n0Ua8zNbb8JGRiEwDwYDVR0TAQH/
BAUwAwEB/zAKBggqhkjOPQQDAgNJADBGAiEA99P2DPHJyuNLeQavz1yehleQYpCT
iiHZv4uBqVj0Cq0CIQC9pNPUKPnGIVSD4wWr4bZQN18LBO4GUNYGEsD8TTPMjQ==
-----END CERTIFICATE-----
`;
const B_PEM = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgV+DOeHepB+7uxwFO
QetxVJ/KTNa/4lDu4K1r8jxtCFKhRANCAASSyeI0Rg5D+vogpElO41igbwTWDg7q
oWw4qEnSdZwWEsq5gPmQJvF06X3j+imadchpAjRbMZ4BiYETXKN9dr+q
-----END PRIVATE KEY-----
-----BEGIN CERTIFICATE-----
MIIBeTCCAR+gAwIBAgIUQakjmqnXmkFqa0jjCkVUFU144ZUwCgYIKoZIzj0EAwIw
ETEPMA0GA1UEAwwGYi50ZXN0MCAXDTI2MTIwNTEwNTEwN1oYDzIxMjYxMTExMTA1
MTA3WjARMQ8wDQYDVQQDDAZiLnRlc3QwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNC
AASSyeI0Rg5D+vogpElO41igbwTWDg7qoWw4qEnSdZwWEsq5gPmQJvF06X3j+ima
dchpAjRbMZ4BiYETXKN9dr+qo1MwUTAdBgNVHQ4EFgQUhM63xtwQlPO1OTQsFQBn
8hxOEnkwHwYDVR0jBBgwFoAUhM63xtwQlPO1OTQsFQBn8hxOEnkwDwYDVR0TAQH/
BAUwAwEB/zAKBggqhkjOPQQDAgNIADBFAiEAvGtvBukChIr1yGqWvqC/HzKosDZK
bKATUvxHfQLH31MCIEzOFMPNanJFHITCTPCI+ne1dFChe38WM3hBR8aCTsZ2
-----END CERTIFICATE-----
`;

function certificate(pem: string, file: string): TlsCertificate {
  return { context: tls.createSecureContext({ key: pem, cert: pem, minVersion: 'TLSv1.2' }), file, keyAlg: 'EC256', sigAlg: 'ecdsa-with-SHA256' };
}

function bindModel(certs: readonly TlsCertificate[], names: readonly string[]): BindTlsModel {
  const first = certs[0] as TlsCertificate;
  return {
    defaultCertificate: first,
    handshakeContext: first.context,
    byName: new Map(names.map((n, i) => [n, certs[i] ?? first])),
    byWildcard: new Map(),
    strictSni: false,
    verify: 'none',
    alpn: undefined,
  };
}

/** A TLS connection's owner (as the session is) and reader that records what it hears, in order. */
class Recorder extends ConnRecorder implements TlsHandshakeOwner, SocketReader {
  readonly chunks: Buffer[] = [];
  stream: Conn | null = null;
  tls: TlsSession | null = null;
  onSocketRead(chunk: Buffer, reusable: boolean): boolean {
    assert.equal(reusable, false, 'TLS reads are buffers of their own');
    this.chunks.push(chunk);
    this.record(`data ${String(chunk.length)}`);
    return true;
  }
  ownReadBuffer(): null {
    return null;
  }
  onConnSecure(): void {
    this.record('secure');
  }
  onTlsWrapped(stream: Conn): void {
    this.stream = stream;
    // What the session does: the cleartext comes to it; the phase keeps the events until done.
    if (stream instanceof RawTlsConn) stream.reader = this;
    this.record('wrapped');
  }
  onTlsReady(info: TlsSession): void {
    this.tls = info;
    this.record('ready');
  }
  onTlsFailed(reason: SslErrorName, detail: string | null): void {
    this.record(`failed ${reason} ${String(detail)}`);
  }
}

interface Accepted {
  server: net.Server;
  port: number;
  next(): Promise<RawConn>;
}

/** A listener whose connections arrive as RawConns (the raw accept take-over). */
async function listen(): Promise<Accepted> {
  const server = net.createServer({ pauseOnConnect: true });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const queue: RawConn[] = [];
  const waiting: ((c: RawConn) => void)[] = [];
  assert.ok(takeOverAccepts(server, (c: RawConn) => {
    const w = waiting.shift();
    if (w !== undefined) w(c);
    else queue.push(c);
  }));
  return {
    server,
    port: (server.address() as net.AddressInfo).port,
    next: () => new Promise((resolve) => {
      const c = queue.shift();
      if (c !== undefined) resolve(c);
      else waiting.push(resolve);
    }),
  };
}

function connect(port: number, servername?: string): tls.TLSSocket {
  const client = tls.connect({ port, host: '127.0.0.1', rejectUnauthorized: false, ...(servername === undefined ? {} : { servername }) });
  client.on('error', () => {});
  return client;
}

/**
 * A client that starts a ClientHello (a record header promising more) and resets the
 * connection: the server's next read is ECONNRESET.
 */
async function resetClient(port: number): Promise<void> {
  const tcp = net.connect(port, '127.0.0.1');
  tcp.on('error', () => {});
  await new Promise((r) => tcp.once('connect', r));
  tcp.write(Buffer.from([0x16, 0x03, 0x01, 0x00, 0x80]));
  await new Promise((r) => setTimeout(r, 20));
  tcp.resetAndDestroy();
}

const closeServer = (s: net.Server): Promise<void> => new Promise((r) => s.close(() => r()));

describe('raw TLS: one owner, one reader', () => {
  before(async () => {
    const uv = loadLibuvBindings();
    assert.notEqual(typeof uv, 'string', typeof uv === 'string' ? uv : '');
    if (typeof uv === 'string') return;
    useBindings(uv);
    assert.equal(await selfTestRawTls(uv), null);
    assert.ok(rawTlsEnabled());
  });

  it('the owner hears secure, end then close(false) by method calls; reads go to the reader; no EventEmitter anywhere', async () => {
    const a = await listen();
    try {
      const options: RawTlsOptions = { secureContext: certificate(A_PEM, 'a.pem').context, requestCert: false, rejectUnauthorized: false, alpnWire: null };
      const rec = new Recorder();
      const client = connect(a.port);
      const raw = await a.next();
      const conn = RawTlsConn.accept(raw.releaseHandle(), options, Buffer.alloc(0), rec);
      conn.reader = rec;
      assert.ok(!(conn instanceof EventEmitter), 'a RawTlsConn is not an EventEmitter');
      await rec.wait('secure');
      assert.equal(conn.getProtocol(), 'TLSv1.3');
      client.write('hello over tls');
      await rec.wait('data');
      assert.equal(Buffer.concat(rec.chunks).toString(), 'hello over tls');
      const answered = new Promise<string>((resolve) => client.once('data', (d: Buffer) => resolve(d.toString())));
      conn.write(Buffer.from('answer'));
      assert.equal(await answered, 'answer');
      client.end();
      await rec.wait('end');
      conn.end();
      await rec.wait('close');
      assert.deepEqual(rec.events, ['secure', 'data 14', 'end', 'close false']);
      assert.equal(conn.listenerCount('close'), 0, 'no listener table was made on the way');
    } finally {
      await closeServer(a.server);
    }
  });

  it('writes queue behind the one TLSWrap takes: false past the high-water mark, every callback in order, then one drain', async () => {
    const a = await listen();
    try {
      const options: RawTlsOptions = { secureContext: certificate(A_PEM, 'a.pem').context, requestCert: false, rejectUnauthorized: false, alpnWire: null };
      const rec = new Recorder();
      const client = connect(a.port);
      const conn = RawTlsConn.accept((await a.next()).releaseHandle(), options, Buffer.alloc(0), rec);
      await rec.wait('secure');
      client.pause();
      const chunk = Buffer.alloc(16 * 1024, 7);
      const done: number[] = [];
      const answers: boolean[] = [];
      for (let i = 0; i < 8; i++) answers.push(conn.write(chunk, () => done.push(i)));
      assert.equal(answers[0], false, 'one 16 KiB write already reaches the high-water mark');
      assert.equal(conn.writableLength, 8 * chunk.length);
      let received = 0;
      const all = new Promise<void>((resolve) => {
        client.on('data', (d: Buffer) => {
          received += d.length;
          if (received === 8 * chunk.length) resolve();
        });
      });
      client.resume();
      await rec.wait('drain');
      assert.deepEqual(done, [0, 1, 2, 3, 4, 5, 6, 7]);
      assert.equal(conn.writableLength, 0);
      assert.equal(rec.events.filter((e) => e === 'drain').length, 1);
      await all;
      conn.destroy();
      await rec.wait('close');
      assert.deepEqual(rec.events, ['secure', 'drain', 'close false']);
    } finally {
      await closeServer(a.server);
    }
  });

  it('a reset by the client is an error, then close(true), on the owner; nothing throws without one', async () => {
    const a = await listen();
    try {
      const options: RawTlsOptions = { secureContext: certificate(A_PEM, 'a.pem').context, requestCert: false, rejectUnauthorized: false, alpnWire: null };
      const rec = new Recorder();
      const reset = resetClient(a.port);
      const conn = RawTlsConn.accept((await a.next()).releaseHandle(), options, Buffer.alloc(0), rec);
      await reset;
      await rec.wait('close');
      assert.deepEqual(rec.events, ['error ECONNRESET', 'close true']);
      // No owner, no listener: the error is dropped, the process goes on.
      const orphanReset = resetClient(a.port);
      const orphan = RawTlsConn.accept((await a.next()).releaseHandle(), options, Buffer.alloc(0), null);
      const closed = new Promise<boolean>((resolve) => { orphan.once('close', resolve); });
      await orphanReset;
      assert.equal(await closed, true);
      assert.ok(conn.destroyed && orphan.destroyed);
    } finally {
      await closeServer(a.server);
    }
  });
});

describe('the handshake phase on raw TLS', () => {
  it('one certificate: TLS takes the connection at once (no ClientHello read by us), then the session owns its events', async () => {
    const a = await listen();
    try {
      const bind = new BindTls(bindModel([certificate(A_PEM, 'a.pem')], ['a.test']));
      assert.equal(bind.choosesBySni, false);
      const rec = new Recorder();
      const client = connect(a.port, 'a.test');
      const raw = await a.next();
      const phase = TlsHandshakePhase.start(raw, null, bind, rec, 5000);
      assert.deepEqual(rec.events, ['wrapped'], 'wrapped before any byte was read');
      assert.ok(raw.destroyed, 'the accepted RawConn was handed over');
      await rec.wait('ready');
      assert.equal(phase.kind, 'tls-handshake');
      const stream = rec.stream as RawTlsConn;
      assert.equal(handlerOf(stream), rec, 'the session owns the TLS stream once the handshake is over');
      assert.equal(rec.tls?.protocol, 'TLSv1.3');
      assert.equal(rec.tls?.sni, 'a.test');
      assert.equal(rec.tls?.certificate.file, 'a.pem');
      client.end();
      await rec.wait('end');
      stream.end();
      await rec.wait('close');
      assert.deepEqual(rec.events, ['wrapped', 'ready', 'end', 'close false']);
    } finally {
      await closeServer(a.server);
    }
  });

  it('a certificate per name: the ClientHello is read first and the SNI picks the certificate', async () => {
    const a = await listen();
    try {
      const certs = [certificate(A_PEM, 'a.pem'), certificate(B_PEM, 'b.pem')];
      const bind = new BindTls(bindModel(certs, ['a.test', 'b.test']));
      assert.equal(bind.choosesBySni, true);
      const rec = new Recorder();
      const client = connect(a.port, 'b.test');
      const raw = await a.next();
      TlsHandshakePhase.start(raw, null, bind, rec, 5000);
      assert.deepEqual(rec.events, [], 'nothing wrapped before the ClientHello arrived');
      await rec.wait('ready');
      assert.equal(rec.tls?.certificate.file, 'b.pem');
      const peer = await new Promise<tls.PeerCertificate>((resolve) => {
        if (client.getPeerCertificate().subject !== undefined) resolve(client.getPeerCertificate());
        else client.once('secureConnect', () => resolve(client.getPeerCertificate()));
      });
      assert.equal(peer.subject.CN, 'b.test');
      client.destroy();
      await rec.wait('end');
      (rec.stream as RawTlsConn).destroy();
      await rec.wait('close');
      assert.deepEqual(rec.events, ['wrapped', 'ready', 'end', 'close false']);
    } finally {
      await closeServer(a.server);
    }
  });

  it('a client that leaves during the handshake: SSL_EMPTY first, then the session hears end and close', async () => {
    const a = await listen();
    try {
      const bind = new BindTls(bindModel([certificate(A_PEM, 'a.pem')], []));
      const rec = new Recorder();
      const client = net.connect(a.port, '127.0.0.1');
      const raw = await a.next();
      TlsHandshakePhase.start(raw, null, bind, rec, 5000);
      client.end();
      await rec.wait('failed');
      const stream = rec.stream as RawTlsConn;
      assert.equal(handlerOf(stream), rec, 'after a failure the session owns the stream');
      stream.destroy();
      await rec.wait('close');
      assert.deepEqual(rec.events, ['wrapped', 'failed SSL_EMPTY null', 'end', 'close false']);
    } finally {
      await closeServer(a.server);
    }
  });

  it('BindTls: the SNI chooses only when another certificate answers to a name, or under strict-sni', () => {
    const a = certificate(A_PEM, 'a.pem');
    const b = certificate(B_PEM, 'b.pem');
    assert.equal(new BindTls(bindModel([a], ['a.test', 'www.a.test'])).choosesBySni, false);
    assert.equal(new BindTls(bindModel([a, b], ['a.test', 'b.test'])).choosesBySni, true);
    const strict = { ...bindModel([a], ['a.test']), strictSni: true, handshakeContext: tls.createSecureContext({}) };
    assert.equal(new BindTls(strict).choosesBySni, true);
  });
});
