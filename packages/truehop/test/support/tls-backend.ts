// A TLS server for the tests of TLS to servers: it records, per connection, the SNI and ALPN
// it got and the PROXY header read in clear before the handshake, and answers the sha256 of
// everything it received once the client ends.
import { createHash } from 'node:crypto';
import net from 'node:net';
import tls from 'node:tls';
import { decode } from '@truehop/proxy-protocol';
import type { TestPki } from './tls-pki.js';

export interface TlsBackend {
  port: number;
  /** Per connection: the SNI it got, the PROXY header bytes read in clear (if any), the ALPN, whether it resumed a session. */
  seen: { servername: string | false; header: Buffer | null; alpn: string | false; reused: boolean }[];
  close(): Promise<void>;
}

/**
 * A TLS server that answers `sha256(everything received)` at the client's FIN. With
 * `proxy`, it first reads a PROXY header in clear (as nginx `listen … ssl proxy_protocol`),
 * then does the handshake on the rest.
 */
export async function tlsBackend(pki: TestPki, proxy: boolean): Promise<TlsBackend> {
  const seen: TlsBackend['seen'] = [];
  // One context for every connection: its session ticket keys are what lets a client resume.
  const secureContext = tls.createSecureContext({ cert: pki.cert, key: pki.key });
  const sockets = new Set<net.Socket>();
  const serve = (raw: net.Socket, header: Buffer | null, rest: Buffer): void => {
    if (rest.length > 0) raw.unshift(rest);
    const s = new tls.TLSSocket(raw, { isServer: true, secureContext, ALPNProtocols: ['h2', 'http/1.1'] });
    s.on('error', () => raw.destroy());
    const hash = createHash('sha256');
    s.on('secure', () => seen.push({ servername: (s as tls.TLSSocket & { servername: string | false }).servername, header, alpn: s.alpnProtocol ?? false, reused: s.isSessionReused() }));
    s.on('data', (d: Buffer) => hash.update(d));
    s.on('end', () => s.end(hash.digest('hex')));
  };
  const server = net.createServer({ allowHalfOpen: true }, (raw) => {
    sockets.add(raw);
    raw.on('close', () => sockets.delete(raw));
    raw.on('error', () => {});
    if (!proxy) return serve(raw, null, Buffer.alloc(0));
    let got = Buffer.alloc(0);
    const onData = (d: Buffer): void => {
      got = Buffer.concat([got, d]);
      const r = decode(got);
      if (r.status === 'incomplete') return;
      raw.removeListener('data', onData);
      raw.pause();
      if (r.status !== 'complete') return void raw.destroy();
      serve(raw, got.subarray(0, r.length), got.subarray(r.length));
    };
    raw.on('data', onData);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    seen,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}
