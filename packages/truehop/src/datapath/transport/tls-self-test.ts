// Raw TLS's start-up self-test (run after the raw transport's own, self-test.ts): on a loopback
// pair, a node:tls client against a RawTlsConn over an accepted raw handle must show that
// every TLSWrap call raw-tls.ts relies on (tls-binding.ts) behaves — the ClientHello read by
// us and handed over with receive(), the handshake callbacks, ALPN, SNI, protocol, cipher,
// session reuse, reads, queued writes (several at once, past the high-water mark), close_notify
// and FIN both ways, and a clean close; then a TLSWrap that reads the ClientHello itself,
// driven through its owner and reader as the data path drives it. Any difference and ssl
// binds keep the TLSSocket path (transport.ts logs why, once).
import { Buffer } from 'node:buffer';
import { createHash } from 'node:crypto';
import net from 'node:net';
import tls from 'node:tls';
import type { TlsConnHandler } from './conn.js';
import type { LibuvBindings } from './libuv.js';
import { takeOverAccepts } from './raw-accept.js';
import type { RawConn } from './raw-conn.js';
import { RawTlsConn, useTlsBindings, type RawTlsOptions } from './raw-tls.js';
import { loadTlsWrapBinding, type TlsWrapBinding } from './tls-binding.js';
import { rethrow } from '../internal-error.js';

/** The whole TLS self-test must finish within this (it normally takes a few milliseconds). */
export const TLS_SELF_TEST_TIMEOUT_MS = 3000;
/** Bytes each side sends: several TLS records, more than one write queued at once. */
const TLS_TEST_BYTES = 256 * 1024;

// A throwaway self-signed P-256 certificate for the loopback self-test only (it never leaves
// this process; its key protects nothing).
const SELF_TEST_PEM = `
-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQghpNIHlZ44N5gJH9t
mxFco4PAM/40hmS6E1ry7aiFjVehRANCAASIOHJ+gOdYwouShcHW3z/DtGUUS3sY
x/n6VBeTB3M5RS17y17BE0IfyCzbw6qCOOOWQtuLmo1GykLIzX3jfQE0
-----END PRIVATE KEY-----
-----BEGIN CERTIFICATE-----
MIIBjzCCATWgAwIBAgIUBLAv2+WiWrA2ZNHKPE8GCo61kzowCgYIKoZIzj0EAwIw
HDEaMBgGA1UEAwwRdHJ1ZWhvcC1zZWxmLXRlc3QwIBcNMjYxMjA1MDgyMzA3WhgP
MjEyNjExMTEwODIzMDdaMBwxGjAYBgNVBAMMEXRydWVob3Atc2VsZi10ZXN0MFkw
EwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEiDhyfoDnWMKLkoXB1t8/w7RlFEt7GMf5
+lQXkwdzOUUte8tewRNCH8gs28OqgjjjlkLbi5qNRspCyM19430BNKNTMFEwHQYD
VR0OBBYEFHhkaTGxX/mflRHQNVtMK7Nqj0wrMB8GA1UdIwQYMBaAFHhkaTGxX/mf
lRHQNVtMK7Nqj0wrMA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZIzj0EAwIDSAAwRQIg
QQivxsoxERP/CMtM5m1nockkXpg1LiD9DuUxm91lVP8CIQDRZuzCi1fstYxnpPeP
OqOUSOXiAcu5yIefuC8qs7t1ng==
-----END CERTIFICATE-----
`;

function expect(ok: boolean, what: string): void {
  if (!ok) throw new Error(what);
}

function pattern(n: number, seed: number): Buffer {
  const data = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) data[i] = (i * seed + (i >> 9)) & 0xff;
  return data;
}

interface Opened {
  servers: net.Server[];
  conns: { destroy(): unknown }[];
}

async function exercise(opened: Opened): Promise<void> {
  const secureContext = tls.createSecureContext({ key: SELF_TEST_PEM, cert: SELF_TEST_PEM, minVersion: 'TLSv1.2' });
  const options: RawTlsOptions = { secureContext, requestCert: false, rejectUnauthorized: false, alpnWire: Buffer.from('\x02h2\x08http/1.1', 'latin1') };
  const server = net.createServer({ pauseOnConnect: true });
  opened.servers.push(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: 0, host: '127.0.0.1', exclusive: true }, () => resolve());
  });
  const { port } = server.address() as net.AddressInfo;
  // The first accepted connection reads the ClientHello's first bytes itself, then hands them
  // to TLSWrap (a bind choosing its certificate by SNI); the next ones go to TLSWrap at once.
  let direct: ((raw: RawConn) => void) | null = null;
  const wrapped = new Promise<RawTlsConn>((resolve, reject) => {
    expect(takeOverAccepts(server, (raw: RawConn) => {
      opened.conns.push(raw);
      if (direct !== null) return direct(raw);
      raw.reader = {
        onSocketRead(chunk, reusable) {
          raw.reader = null;
          const hello = reusable ? Buffer.from(chunk) : chunk;
          const conn = RawTlsConn.accept(raw.releaseHandle(), options, hello);
          opened.conns.push(conn);
          resolve(conn);
          return false;
        },
        onInternalError: rethrow,
        ownReadBuffer: () => null,
      };
      raw.once('error', reject);
      raw.resume();
    }), "net.Server's handle has no onconnection to take over");
  });
  const client = tls.connect({ port, host: '127.0.0.1', servername: 'self-test.invalid', ALPNProtocols: ['h2'], rejectUnauthorized: false });
  opened.conns.push(client);
  const conn = await wrapped;
  await Promise.all([
    new Promise<void>((resolve, reject) => {
      conn.once('secure', resolve);
      conn.once('error', reject);
    }),
    new Promise<void>((resolve, reject) => {
      client.once('secureConnect', resolve);
      client.once('error', reject);
    }),
  ]);
  expect(conn.alpnProtocol === 'h2', `ALPN: ${String(conn.alpnProtocol)}`);
  expect(conn.servername === 'self-test.invalid', `SNI: ${String(conn.servername)}`);
  expect(conn.getProtocol() === client.getProtocol(), `protocol: ${conn.getProtocol()}`);
  expect(conn.getCipherName() === client.getCipher().name, `cipher: ${conn.getCipherName()}`);
  expect(!conn.isSessionReused() && conn.peerX509Certificate() === undefined, 'session reuse or a peer certificate on a fresh anonymous-client handshake');

  // client → server then EOF; server → client in several writes (queued), then end().
  const up = pattern(TLS_TEST_BYTES, 131);
  const down = pattern(TLS_TEST_BYTES, 197);
  const upHash = createHash('sha256');
  let upBytes = 0;
  conn.on('data', (chunk: Buffer) => {
    upHash.update(chunk);
    upBytes += chunk.length;
  });
  const serverEnd = new Promise<void>((resolve) => conn.once('end', resolve));
  const downHash = createHash('sha256');
  let downBytes = 0;
  client.on('data', (chunk: Buffer) => {
    downHash.update(chunk);
    downBytes += chunk.length;
  });
  const clientEnd = new Promise<void>((resolve) => client.once('end', resolve));
  const closed = Promise.all([
    new Promise<boolean>((resolve) => conn.once('close', resolve)),
    new Promise<boolean>((resolve) => client.once('close', resolve)),
  ]);
  client.end(up);
  let written = 0;
  let sawBackpressure = false;
  const chunk = 16 * 1024;
  for (let at = 0; at < down.length; at += chunk) {
    if (!conn.write(down.subarray(at, at + chunk), () => { written++; })) sawBackpressure = true;
  }
  conn.end();
  await Promise.all([serverEnd, clientEnd]);
  expect(upBytes === TLS_TEST_BYTES && upHash.digest('hex') === createHash('sha256').update(up).digest('hex'), 'reads: the bytes differ');
  expect(downBytes === TLS_TEST_BYTES && downHash.digest('hex') === createHash('sha256').update(down).digest('hex'), 'writes: the bytes differ');
  expect(sawBackpressure, 'write() never reported the high-water mark');
  const hadErrors = await closed;
  expect(written === TLS_TEST_BYTES / chunk, `${String(written)} write callbacks of ${String(TLS_TEST_BYTES / chunk)}`);
  expect(!hadErrors[0] && !hadErrors[1], 'a clean close reported an error');
  await exerciseDirect(port, options, opened, (accept) => { direct = accept; });
}

/**
 * A TLSWrap that reads the ClientHello from the socket itself (a bind with one certificate),
 * driven as the data path drives it: its owner hears the handshake's end, the client's end
 * and the close; the reader gets the request, the answer goes back.
 */
async function exerciseDirect(port: number, options: RawTlsOptions, opened: Opened, onAccept: (accept: (raw: RawConn) => void) => void): Promise<void> {
  const heard: string[] = [];
  let request = '';
  const done = new Promise<void>((resolve) => {
    onAccept((raw) => {
      const owner: TlsConnHandler = {
        onConnSecure: () => heard.push('secure'),
        onConnConnect: () => heard.push('connect'),
        onConnDrain: () => heard.push('drain'),
        onConnEnd: () => {
          heard.push('end');
          conn.write(Buffer.from(`answer to ${request}`));
          conn.end();
        },
        onConnError: (_c, err) => heard.push(`error ${String((err as { code?: string }).code)}`),
        onConnClose: (_c, hadError) => {
          heard.push(`close ${String(hadError)}`);
          resolve();
        },
        onInternalError: (err) => heard.push(`internal ${String(err)}`),
      };
      const conn = RawTlsConn.accept(raw.releaseHandle(), options, Buffer.alloc(0), owner);
      conn.reader = {
        onSocketRead: (chunk, reusable) => {
          request += chunk.toString('latin1');
          return !reusable;
        },
        ownReadBuffer: () => null,
        onInternalError: (err) => heard.push(`internal ${String(err)}`),
      };
      opened.conns.push(conn);
    });
  });
  const client = tls.connect({ port, host: '127.0.0.1', rejectUnauthorized: false });
  opened.conns.push(client);
  let answer = '';
  client.on('data', (d: Buffer) => { answer += d.toString('latin1'); });
  const clientClosed = new Promise<void>((resolve, reject) => {
    client.once('close', () => resolve());
    client.once('error', reject);
  });
  client.end('request');
  await Promise.all([done, clientClosed]);
  expect(answer === 'answer to request', `a TLSWrap reading its own ClientHello answered ${JSON.stringify(answer)}`);
  expect(heard.join(',') === 'secure,end,close false', `its owner heard ${heard.join(',')}`);
}

/**
 * Null when raw TLS works on this Node (and installs its bindings), else why not. Needs the raw
 * transport's bindings, already self-tested; `load` is the TLSWrap loader (tests pass a broken one).
 */
export async function selfTestRawTls(uv: LibuvBindings, load: () => TlsWrapBinding | string = loadTlsWrapBinding): Promise<string | null> {
  let tlsBinding: TlsWrapBinding | string;
  try {
    tlsBinding = load();
  } catch (err) {
    return `loading the TLSWrap binding threw: ${err instanceof Error ? err.message : String(err)}`;
  }
  if (typeof tlsBinding === 'string') return tlsBinding;
  useTlsBindings({ uv, tls: tlsBinding });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`no answer within ${String(TLS_SELF_TEST_TIMEOUT_MS)} ms`), TLS_SELF_TEST_TIMEOUT_MS);
  });
  const opened: Opened = { servers: [], conns: [] };
  let outcome: string | null;
  try {
    outcome = await Promise.race([exercise(opened).then(() => null), timeout]);
  } catch (err) {
    outcome = err instanceof Error ? err.message : String(err);
  } finally {
    clearTimeout(timer);
    for (const s of opened.servers) s.close();
    for (const c of opened.conns) c.destroy();
  }
  if (outcome !== null) useTlsBindings(null);
  return outcome;
}
