// TLS termination end to end: `bind … accept-proxy ssl crt a crt b crt c alpn … ca-file …
// verify optional` with real clients (openssl s_client, curl) behind a relay that writes the
// PROXY header first, as an AWS NLB does. A recording server behind truehop receives
// `send-proxy-v2` with every TLS option, and the SSL TLV, its sub-TLVs, the ALPN and
// AUTHORITY TLVs are checked against what the client itself reports it negotiated. Hostile
// clients (junk, a stalled handshake, bad certificates) are closed, counted and logged while
// others are served.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { decode, PP2_CLIENT, PP2_TYPE, readSsl, type ProxyHeader } from '@truehop/proxy-protocol';
import { daemonFromText, type ConfigDaemon } from '../../support/config-daemon.js';
import { closedWithin, recordingServer, waitFor, type RecordingServer } from '../../support/peers.js';
import { peerSkip, requirePeer } from '../../support/require-peer.js';
import { makeTestPki, type TestPki } from '../../support/tls-bind-pki.js';
import { proxyHeaderRelay, runTool, sClient, V1_HEADER, type Relay } from '../../support/tls-clients.js';

const skip = peerSkip('openssl') || peerSkip('curl');

function header(bytes: Buffer): ProxyHeader {
  const r = decode(bytes);
  assert.equal(r.status, 'complete', `no complete PROXY header in ${bytes.subarray(0, 64).toString('hex')}`);
  return (r as { header: ProxyHeader }).header;
}

function tlvText(h: ProxyHeader, type: number): string | undefined {
  const t = h.tlvs.find((x) => x.type === type);
  return t === undefined ? undefined : Buffer.from(t.value).toString('latin1');
}

describe('TLS termination behind accept-proxy', { skip }, () => {
  let pki: TestPki;
  let rec: RecordingServer;
  let d: ConfigDaemon;
  let relay: Relay;
  let strictRelay: Relay;

  before(async () => {
    pki = makeTestPki();
    // Answer once the client's first bytes arrived, then close: s_client -ign_eof exits then.
    rec = await recordingServer((c) => {
      c.socket.once('data', () => c.socket.end('HTTP/1.1 200 OK\r\ncontent-length: 3\r\nconnection: close\r\n\r\nok\n'));
    });
    const [a, b, c] = pki.servers;
    d = await daemonFromText([
      'defaults',
      '  mode tcp',
      '  timeout connect 2s',
      '  timeout client 10s',
      '  timeout client-hs 500ms',
      '  timeout server 10s',
      'frontend fe',
      '  log stdout format raw local0',
      '  log-format "tls %[ssl_fc] %[ssl_fc_protocol] %[ssl_fc_sni] %[ssl_fc_alpn] %[ssl_c_used] %[ssl_c_s_dn(CN)] %[ssl_c_i_dn] %[ssl_c_sig_alg] %[ssl_c_key_alg] %[ssl_c_verify] %[ssl_fc_has_crt] %[ssl_c_serial,hex] %[ssl_c_sha1,hex] src=%ci"',
      `  bind 127.0.0.1:0 accept-proxy ssl crt ${a.pem} crt ${b.pem} crt ${c.pem} alpn h2,http/1.1 ca-file ${pki.caFile} verify optional`,
      '  tcp-request content reject if { ssl_fc_sni -m str reject.test }',
      '  default_backend be',
      'frontend strict',
      '  log stdout format raw local0',
      `  bind 127.0.0.1:0 accept-proxy ssl crt ${a.pem} crt ${b.pem} strict-sni`,
      '  default_backend be',
      'backend be',
      `  server s1 127.0.0.1:${rec.port} send-proxy-v2 proxy-v2-options ssl,cert-cn,ssl-cipher,cert-sig,cert-key,authority`,
      '',
    ].join('\n'));
    relay = await proxyHeaderRelay(d.port('fe'), () => V1_HEADER);
    strictRelay = await proxyHeaderRelay(d.port('strict'), () => V1_HEADER);
  });

  after(async () => {
    await relay?.close();
    await strictRelay?.close();
    await d?.daemon.stop();
    await rec?.close();
    pki?.cleanup();
  });

  it('runs on the TLS path of its lane: raw TLS (TLSWrap on libuv handles) on the raw transport, tls.TLSSocket on net.Socket', () => {
    // The runner runs this file in both lanes: every test below then proves both paths.
    assert.equal(d.daemon.tlsTransport, process.env['TRUEHOP_TRANSPORT'] === 'raw' && process.env['TRUEHOP_TLS'] !== 'socket' ? 'raw' : 'socket');
  });

  it('TLS 1.3, SNI b.test, ALPN h2, valid client certificate: every TLV says what the client negotiated', async () => {
    const before = rec.connections.length;
    const r = await sClient(relay.port, { servername: 'b.test', alpn: 'h2', version: '-tls1_3', cert: pki.clientValid });
    assert.match(r.stdout, /ok\n/, r.stderr);
    assert.equal(r.protocol, 'TLSv1.3');
    assert.equal(r.alpn, 'h2');
    assert.match(r.stdout, /subject=CN = b\.test/, 'SNI b.test chose the b.test certificate');
    const h = header((await rec.connection(before)).bytes());
    assert.equal(h.version, 2);
    assert.equal((h as { src?: string }).src ?? '', '192.0.2.10', 'the advertised client, not the relay');
    assert.equal(tlvText(h, PP2_TYPE.ALPN), 'h2');
    assert.equal(tlvText(h, PP2_TYPE.AUTHORITY), 'b.test');
    const ssl = readSsl(h);
    assert.ok(ssl);
    assert.equal(ssl.client, PP2_CLIENT.SSL | PP2_CLIENT.CERT_CONN | PP2_CLIENT.CERT_SESS);
    assert.equal(ssl.verify, 0);
    // HAProxy's order: VERSION, CN, KEY_ALG, SIG_ALG, CIPHER.
    assert.deepEqual(ssl.subTlvs.map((t) => t.type), [0x21, 0x22, 0x25, 0x24, 0x23]);
    assert.equal(ssl.version, r.protocol);
    assert.equal(ssl.cipher, r.cipher);
    assert.equal(ssl.cn, 'client-valid');
    assert.equal(ssl.keyAlg, 'RSA2048', 'cert-key describes the certificate truehop served (b.test)');
    assert.equal(ssl.sigAlg, 'ecdsa-with-SHA256', 'cert-sig: b.test is signed by the EC test CA');
    await waitFor(() => d.logs.text.includes('tls 1 TLSv1.3 b.test h2 1 client-valid'), 5000, 'the log line');
    const line = d.logs.lines().find((l) => l.startsWith('tls 1 TLSv1.3 b.test')) as string;
    assert.match(line, / \/O=Truehop Test\/CN=Truehop Test CA ecdsa-with-SHA256 id-ecPublicKey 0 1 [0-9A-F]+ [0-9A-F]{40} src=192\.0\.2\.10$/);
  });

  it('TLS 1.2, SNI c.test, ALPN http/1.1, no client certificate: client = SSL only, no CN', async () => {
    const before = rec.connections.length;
    const r = await sClient(relay.port, { servername: 'c.test', alpn: 'http/1.1', version: '-tls1_2' });
    assert.match(r.stdout, /ok\n/, r.stderr);
    assert.equal(r.protocol, 'TLSv1.2');
    const h = header((await rec.connection(before)).bytes());
    assert.equal(tlvText(h, PP2_TYPE.ALPN), 'http/1.1');
    const ssl = readSsl(h);
    assert.ok(ssl);
    assert.equal(ssl.client, PP2_CLIENT.SSL);
    assert.equal(ssl.verify, 0);
    assert.deepEqual(ssl.subTlvs.map((t) => t.type), [0x21, 0x25, 0x24, 0x23]);
    assert.equal(ssl.version, 'TLSv1.2');
    assert.equal(ssl.cipher, r.cipher);
    assert.equal(ssl.keyAlg, 'EC384');
  });

  it('no SNI: the first crt is the default; no ALPN offered: no ALPN TLV', async () => {
    const before = rec.connections.length;
    const r = await sClient(relay.port, {});
    assert.match(r.stdout, /subject=CN = a\.test/, r.stderr);
    const h = header((await rec.connection(before)).bytes());
    assert.equal(tlvText(h, PP2_TYPE.ALPN), undefined);
    assert.equal(tlvText(h, PP2_TYPE.AUTHORITY), undefined);
    assert.equal(readSsl(h)?.keyAlg, 'EC256');
  });

  it('curl --haproxy-protocol over HTTPS reaches the server with its SNI and ALPN', async () => {
    const before = rec.connections.length;
    const r = await runTool(requirePeer('curl'), [
      '-sS', '--max-time', '10', '--haproxy-protocol', '--cacert', pki.caFile, '--http1.1',
      '--resolve', `a.test:${d.port('fe')}:127.0.0.1`, `https://a.test:${d.port('fe')}/`,
    ], '');
    assert.equal(r.stdout, 'ok\n', r.stderr);
    const h = header((await rec.connection(before)).bytes());
    assert.equal(tlvText(h, PP2_TYPE.AUTHORITY), 'a.test');
    assert.equal(tlvText(h, PP2_TYPE.ALPN), 'http/1.1');
    assert.match((await rec.connection(before)).bytes().toString('latin1'), /GET \/ HTTP\/1\.1\r\nHost: a\.test/);
  });

  it('client certificates: expired and unknown-CA ones are refused and logged; the connection never reaches the server', async () => {
    const before = rec.connections.length;
    const failuresBefore = d.daemon.counters.sslHandshakeFailures;
    for (const cert of [pki.clientExpired, pki.clientUnknownCa]) {
      const r = await sClient(relay.port, { servername: 'a.test', cert });
      assert.doesNotMatch(r.stdout, /ok\n/);
    }
    await waitFor(() => d.daemon.counters.sslHandshakeFailures === failuresBefore + 2, 5000, 'two counted failures');
    assert.equal(rec.connections.length, before, unexpected(rec, before));
    assert.match(d.logs.text, /fe\/1: SSL client certificate not trusted \[SSL_CRT_FAIL CERT_HAS_EXPIRED\]/);
    assert.match(d.logs.text, /fe\/1: SSL client certificate not trusted \[SSL_CRT_FAIL UNABLE_TO_VERIFY_LEAF_SIGNATURE\]/);
  });

  it('tcp-request content rules see the SNI', async () => {
    const before = rec.connections.length;
    const r = await sClient(relay.port, { servername: 'reject.test' });
    assert.doesNotMatch(r.stdout, /ok\n/);
    assert.equal(rec.connections.length, before, unexpected(rec, before));
  });

  it('strict-sni: no SNI, or an unknown name, fails the handshake; a known name is served', async () => {
    const failuresBefore = d.daemon.counters.sslHandshakeFailures;
    assert.doesNotMatch((await sClient(strictRelay.port, {})).stdout, /ok\n/);
    assert.doesNotMatch((await sClient(strictRelay.port, { servername: 'zzz.test' })).stdout, /ok\n/);
    assert.match((await sClient(strictRelay.port, { servername: 'b.test' })).stdout, /ok\n/);
    await waitFor(() => d.daemon.counters.sslHandshakeFailures === failuresBefore + 2, 5000, 'two handshake failures');
    assert.match(d.logs.text, /strict\/1: SSL handshake failure \[SSL_HANDSHAKE/);
  });

  it('junk instead of a ClientHello and a stalled handshake are closed and logged while a client is served', async () => {
    const junk = await connectRaw(d.port('fe'));
    junk.write(Buffer.concat([V1_HEADER, Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n')]));
    const stalled = await connectRaw(d.port('fe'));
    stalled.write(V1_HEADER); // then nothing: timeout client-hs (500 ms) ends it
    const r = await sClient(relay.port, { servername: 'a.test' });
    assert.match(r.stdout, /ok\n/, 'served while the others hang');
    assert.equal(await closedWithin(junk, 3000), true);
    assert.equal(await closedWithin(stalled, 3000), true);
    await waitFor(() => /SSL handshake failure \[SSL_HANDSHAKE/.test(d.logs.text) && /Timeout during SSL handshake \[SSL_TIMEOUT\]/.test(d.logs.text), 5000, 'both log lines');
  });

  it('many half-done handshakes are all closed by the handshake timeout and counted', async () => {
    const failuresBefore = d.daemon.counters.sslHandshakeFailures;
    const sockets: net.Socket[] = [];
    for (let i = 0; i < 200; i++) {
      const s = await connectRaw(d.port('fe'));
      s.write(V1_HEADER);
      sockets.push(s);
    }
    assert.match((await sClient(relay.port, { servername: 'a.test' })).stdout, /ok\n/);
    const closed = await Promise.all(sockets.map((s) => closedWithin(s, 5000)));
    assert.equal(closed.filter(Boolean).length, 200);
    await waitFor(() => d.daemon.counters.sslHandshakeFailures >= failuresBefore + 200, 5000, '200 counted failures');
  });
});

/** What reached the recording server since `before`: the start of each connection's bytes. */
function unexpected(rec: RecordingServer, before: number): string {
  const extra = rec.connections.slice(before).map((c) => c.bytes().subarray(0, 48).toString('hex') || '(no bytes)');
  return `connections that reached the server: ${extra.join(', ')}`;
}

function connectRaw(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1' }, () => {
      s.removeListener('error', reject);
      s.on('error', () => {});
      resolve(s);
    });
    s.once('error', reject);
  });
}
