// TLS against HAProxy 2.6 with the same configuration text: for TLS passthrough, the same
// backend is chosen for the same SNI (and for no SNI); for TLS to servers, the TLS server
// receives the same things from both — the PROXY v2 header in clear (equal apart from the
// ports), then the same SNI, ALPN and decrypted bytes.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type net from 'node:net';
import tls from 'node:tls';
import { decode, type ProxyHeader } from '@truehop/proxy-protocol';
import { daemonFromText, type ConfigDaemon } from '../../support/config-daemon.js';
import { haproxySkip, startHaproxy, type RunningHaproxy } from '../../support/haproxy.js';
import { connect, readAll } from '../../support/peers.js';
import { tlsBackend, type TlsBackend } from '../../support/tls-backend.js';
import { makeTestPki, type TestPki } from '../../support/tls-pki.js';

const DEFAULTS = 'defaults\n  mode tcp\n  timeout connect 2s\n  timeout client 10s\n  timeout server 10s\n';

/** A TLS server that only says its name and the SNI it got. */
async function namedTlsServer(pki: TestPki, name: string, open: Set<net.Socket>): Promise<tls.Server> {
  const server = tls.createServer({ cert: pki.cert, key: pki.key }, (s) => {
    s.on('error', () => {});
    s.end(`${name}:${s.servername === false || s.servername === undefined ? '-' : s.servername}`);
  });
  server.on('connection', (s: net.Socket) => {
    open.add(s);
    s.on('close', () => open.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return server;
}

function answer(port: number, pki: TestPki, servername: string | undefined): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host: '127.0.0.1', port, ca: pki.ca, checkServerIdentity: () => undefined, ...(servername === undefined ? {} : { servername }) });
    let text = '';
    const timer = setTimeout(() => s.destroy(new Error('no answer')), 5000);
    s.on('data', (d: Buffer) => (text += d.toString()));
    s.on('error', (e: Error) => { clearTimeout(timer); reject(e); });
    s.on('close', () => { clearTimeout(timer); resolve(text); });
  });
}

describe('TLS differential against HAProxy 2.6', { skip: haproxySkip }, () => {
  let pki: TestPki;
  const cleanups: (() => Promise<void>)[] = [];
  before(() => {
    pki = makeTestPki(['a.example.com', 'www.b.example.com', 'c.example.com', 'backend.test']);
  });
  after(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  async function both(body: (bind: string) => string): Promise<{ haproxy: number; truehop: number }> {
    const h: RunningHaproxy = await startHaproxy(1, (ports) => `${DEFAULTS}${body(`127.0.0.1:${ports[0] as number}`)}`);
    cleanups.push(() => h.stop());
    const d: ConfigDaemon = await daemonFromText(`${DEFAULTS}${body('127.0.0.1:0')}`);
    cleanups.push(() => d.daemon.stop(100));
    return { haproxy: h.ports[0] as number, truehop: d.port('fe') };
  }

  it('passthrough: the same backend for the same SNI, and for none', async () => {
    const open = new Set<net.Socket>();
    const servers = await Promise.all(['A', 'B', 'C', 'D'].map((n) => namedTlsServer(pki, n, open)));
    cleanups.push(async () => {
      for (const s of open) s.destroy();
      for (const s of servers) await new Promise<void>((r) => s.close(() => r()));
    });
    const [a, b, c, dflt] = servers.map((s) => (s.address() as net.AddressInfo).port);
    const ports = await both((bind) => `frontend fe\n  bind ${bind}\n  tcp-request inspect-delay 2s\n` +
      `  tcp-request content accept if { req.ssl_hello_type 1 }\n` +
      `  use_backend be_a if { req.ssl_sni -i a.example.com }\n` +
      `  use_backend be_b if { req.ssl_sni -m end .b.example.com }\n` +
      `  use_backend be_c if { req_ssl_sni c.example.com } { req.ssl_ver ge 3.3 }\n` +
      `  default_backend be_d\n` +
      `backend be_a\n  server a 127.0.0.1:${a}\nbackend be_b\n  server b 127.0.0.1:${b}\n` +
      `backend be_c\n  server c 127.0.0.1:${c}\nbackend be_d\n  server d 127.0.0.1:${dflt}\n`);
    for (const sni of ['a.example.com', 'A.EXAMPLE.COM', 'www.b.example.com', 'b.example.com', 'c.example.com', 'backend.test', undefined]) {
      const fromHaproxy = await answer(ports.haproxy, pki, sni);
      const fromTruehop = await answer(ports.truehop, pki, sni);
      assert.equal(fromTruehop, fromHaproxy, `SNI ${sni ?? '(none)'}`);
    }
  });

  it('TLS to a server with send-proxy-v2: the same header in clear (but ports), SNI, ALPN and bytes', async () => {
    const backend: TlsBackend = await tlsBackend(pki, true);
    cleanups.push(() => backend.close());
    const ports = await both((bind) => `frontend fe\n  bind ${bind}\n  default_backend be\n` +
      `backend be\n  server s1 127.0.0.1:${backend.port} ssl verify required ca-file ${pki.caFile} sni str(backend.test) alpn http/1.1 send-proxy-v2\n`);
    const results: { digest: string; header: ProxyHeader }[] = [];
    for (const port of [ports.haproxy, ports.truehop]) {
      const c = await connect(port);
      c.end('the same bytes');
      const digest = (await readAll(c)).toString();
      const seen = backend.seen[backend.seen.length - 1];
      const r = decode(seen?.header ?? Buffer.alloc(0));
      assert.equal(r.status, 'complete');
      if (r.status !== 'complete') return;
      assert.equal(seen?.servername, 'backend.test');
      assert.equal(seen?.alpn, 'http/1.1');
      results.push({ digest, header: r.header });
    }
    const [h, t] = results as [(typeof results)[0], (typeof results)[0]];
    assert.equal(t.digest, createHash('sha256').update('the same bytes').digest('hex'));
    assert.equal(t.digest, h.digest);
    const sansPorts = (x: ProxyHeader): unknown => ({ ...x, srcPort: 0, dstPort: 0 });
    assert.deepEqual(sansPorts(t.header), sansPorts(h.header));
  });
});
