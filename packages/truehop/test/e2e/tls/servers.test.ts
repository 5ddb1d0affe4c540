// TLS to servers through the real loader: truehop re-encrypts to TLS backends, verifies them
// against ca-file (and the SNI it sends), sends the PROXY header in clear before the
// handshake, refuses and logs a server whose certificate a wrong CA signed, and checks TLS
// servers over TLS (check-ssl): a TLS server UP, a plain one DOWN with HAProxy's reason.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import diagnosticsChannel from 'node:diagnostics_channel';
import { decode } from '@truehop/proxy-protocol';
import { loadConfigText } from '../../../src/config/load-config.js';
import { createHealthMonitor } from '../../../src/health/monitor.js';
import { CHANNEL_NAMES } from '../../../src/observe/events.js';
import { daemonFromText, type ConfigDaemon } from '../../support/config-daemon.js';
import { closedWithin, connect, readAll, recordingServer, waitFor, type RecordingServer } from '../../support/peers.js';
import { makeTestPki, type TestPki } from '../../support/tls-pki.js';
import { tlsBackend, type TlsBackend } from '../../support/tls-backend.js';

const BULK_BYTES = 8 * 1024 * 1024;

const DEFAULTS = 'defaults\n  mode tcp\n  timeout connect 2s\n  timeout client 10s\n  timeout server 10s\n  retries 0\n';

describe('TLS to servers', () => {
  let pki: TestPki;
  const cleanups: (() => Promise<void>)[] = [];
  before(() => {
    pki = makeTestPki(['backend.test']);
  });
  after(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  async function daemon(text: string): Promise<ConfigDaemon> {
    const d = await daemonFromText(text);
    cleanups.push(() => d.daemon.stop(100));
    return d;
  }

  async function backend(proxy: boolean): Promise<TlsBackend> {
    const b = await tlsBackend(pki, proxy);
    cleanups.push(() => b.close());
    return b;
  }

  async function exchange(port: number, payload: Buffer): Promise<string> {
    const c = await connect(port);
    c.end(payload);
    return (await readAll(c, 15_000)).toString();
  }

  it('re-encrypts with verify required + ca-file, sends the SNI, carries a large transfer intact', async () => {
    const b = await backend(false);
    const d = await daemon(`${DEFAULTS}listen li\n  bind 127.0.0.1:0\n` +
      `  server s1 127.0.0.1:${b.port} ssl verify required ca-file ${pki.caFile} sni str(backend.test) alpn h2,http/1.1\n`);
    const payload = randomBytes(BULK_BYTES);
    assert.equal(await exchange(d.port('li'), payload), createHash('sha256').update(payload).digest('hex'));
    assert.equal(b.seen[0]?.servername, 'backend.test');
    assert.equal(b.seen[0]?.alpn, 'h2');
  });

  it('ssl-reuse (the default): the next connection resumes the last TLS session; no-ssl-reuse: full handshakes', async () => {
    const b = await backend(false);
    const server = (name: string, extra: string): string =>
      `  server ${name} 127.0.0.1:${b.port} ssl verify required ca-file ${pki.caFile} sni str(backend.test) ${extra}\n`;
    // The same server twice: `li` with the default, `nr` with no-ssl-reuse.
    const d = await daemon(`${DEFAULTS}listen li\n  bind 127.0.0.1:0\n${server('s1', '')}listen nr\n  bind 127.0.0.1:0\n${server('s2', 'no-ssl-reuse')}`);
    const hash = createHash('sha256').update('x').digest('hex');
    // One after the other: each answer comes after the session ticket of that connection.
    for (let i = 0; i < 3; i++) assert.equal(await exchange(d.port('li'), Buffer.from('x')), hash);
    assert.deepEqual(b.seen.map((s) => s.reused), [false, true, true], 'the first is a full handshake, the next ones resume');
    for (let i = 0; i < 2; i++) assert.equal(await exchange(d.port('nr'), Buffer.from('x')), hash);
    assert.deepEqual(b.seen.slice(3).map((s) => s.reused), [false, false], 'no-ssl-reuse: every connection a full handshake');
  });

  it('sends the PROXY v2 header in clear before the handshake (send-proxy-v2 ssl)', async () => {
    const b = await backend(true);
    const d = await daemon(`${DEFAULTS}listen li\n  bind 127.0.0.1:0\n` +
      `  server s1 127.0.0.1:${b.port} ssl verify required ca-file ${pki.caFile} sni str(backend.test) send-proxy-v2\n`);
    const c = await connect(d.port('li'));
    const clientPort = c.localPort;
    c.end('hello');
    assert.equal((await readAll(c)).toString(), createHash('sha256').update('hello').digest('hex'));
    const header = b.seen[0]?.header;
    assert.ok(header !== null && header !== undefined);
    const r = decode(header);
    assert.equal(r.status, 'complete');
    assert.equal(r.status === 'complete' && r.header.version, 2);
    assert.equal(r.status === 'complete' && r.header.srcPort, clientPort);
  });

  it('refuses a server whose certificate the ca-file did not sign, or that does not carry the SNI; logs SC', async () => {
    const b = await backend(false);
    const d = await daemon(`${DEFAULTS}global\n  log stdout format raw local0\n` +
      `listen wrong_ca\n  log global\n  option tcplog\n  bind 127.0.0.1:0\n` +
      `  server s1 127.0.0.1:${b.port} ssl verify required ca-file ${pki.otherCaFile} sni str(backend.test)\n` +
      `listen wrong_name\n  log global\n  option tcplog\n  bind 127.0.0.1:0\n` +
      `  server s1 127.0.0.1:${b.port} ssl verify required ca-file ${pki.caFile} sni str(other.test)\n` +
      `listen verify_none\n  log global\n  option tcplog\n  bind 127.0.0.1:0\n` +
      `  server s1 127.0.0.1:${b.port} ssl verify none\n`);
    const errors: string[] = [];
    const onError = (m: unknown): void => void errors.push((m as { error: string }).error);
    diagnosticsChannel.subscribe(CHANNEL_NAMES.serverConnectError, onError);
    try {
      for (const fe of ['wrong_ca', 'wrong_name']) {
        const c = await connect(d.port(fe));
        c.write('secret');
        assert.equal(await closedWithin(c, 5000), true, `${fe}: client closed`);
      }
      await waitFor(() => d.logs.text.split('\n').filter((l) => / SC /.test(l)).length >= 2, 3000, 'two SC log lines');
      assert.match(errors[0] ?? '', /certificate/i);
      assert.match(errors[1] ?? '', /altnames|does not match|Hostname/i);
      // Nothing reached the server in the clear or after a failed verification.
      assert.equal(b.seen.length, 0);
      // verify none: the same server is used.
      assert.equal(await exchange(d.port('verify_none'), Buffer.from('x')), createHash('sha256').update('x').digest('hex'));
    } finally {
      diagnosticsChannel.unsubscribe(CHANNEL_NAMES.serverConnectError, onError);
    }
  });

  it('check-ssl: a TLS server is UP (L6OK), a plain one DOWN ("SSL handshake failure")', async () => {
    const b = await backend(false);
    // A plain server (HTTP here) answers the ClientHello with something that is not TLS.
    const plain: RecordingServer = await recordingServer((c) => c.socket.once('data', () => c.socket.end('HTTP/1.0 400 Bad Request\r\n\r\n')));
    cleanups.push(() => plain.close());
    const loaded = loadConfigText([{ file: 't.cfg', text: `${DEFAULTS}backend be\n  timeout check 1s\n` +
      `  server tls_s 127.0.0.1:${b.port} check inter 200ms rise 1 fall 1 ssl verify required ca-file ${pki.caFile} check-sni backend.test\n` +
      `  server plain_s 127.0.0.1:${plain.port} check inter 200ms rise 1 fall 1 check-ssl verify none\n` }]);
    assert.equal(loaded.ok, true, JSON.stringify(loaded.diagnostics));
    const logs: string[] = [];
    const monitor = createHealthMonitor(loaded.model, { log: (l) => logs.push(l) });
    cleanups.push(() => monitor.stop());
    monitor.start();
    await waitFor(() => monitor.snapshot().every((s) => (s.lastCheck !== null)), 5000, 'both checked');
    await waitFor(() => monitor.snapshot().find((s) => s.server === 'plain_s')?.status === 'DOWN', 5000, 'plain DOWN');
    const tlsS = monitor.snapshot().find((s) => s.server === 'tls_s');
    assert.equal(tlsS?.status, 'UP');
    assert.equal(tlsS?.lastCheck?.status, 'L6OK');
    assert.equal(b.seen[0]?.servername, 'backend.test');
    assert.ok(logs.some((l) => /plain_s is DOWN, reason: Layer6 invalid response, info: "SSL handshake failure"/.test(l)), logs.join('\n'));
  });
});

describe('TLS server options at load time', () => {
  let pki: TestPki;
  before(() => {
    pki = makeTestPki(['backend.test']);
  });
  const load = (text: string) => loadConfigText([{ file: 'tls.cfg', text: `${DEFAULTS}${text}` }]);
  const codes = (r: ReturnType<typeof load>) => r.diagnostics.filter((x) => x.severity === 'alert').map((x) => `${x.pos.line}:${x.code}`);

  it("verify is 'required' by default: without a ca-file an alert at the server line (HAProxy's text)", () => {
    const r = load('backend be\n  server s1 127.0.0.1:1 ssl\n');
    assert.deepEqual(codes(r), ['8:TLS_VERIFY_NO_CA']);
    assert.match(r.diagnostics.find((x) => x.code === 'TLS_VERIFY_NO_CA')?.message ?? '', /verify is enabled by default but no CA file specified/);
    assert.deepEqual(codes(load('backend be\n  server s1 127.0.0.1:1 ssl verify required\n')), ['8:TLS_VERIFY_NO_CA']);
    assert.deepEqual(codes(load('backend be\n  server s1 127.0.0.1:1 ssl verify none\n')), []);
    assert.deepEqual(codes(loadConfigText([{ file: 'g.cfg', text: `global\n  ssl-server-verify none\n${DEFAULTS}backend be\n  server s1 127.0.0.1:1 ssl\n` }])), []);
  });

  it('a missing or broken file is an alert naming it; a private key never appears in a message', () => {
    assert.deepEqual(codes(load(`backend be\n  server s1 127.0.0.1:1 ssl ca-file ${pki.dir}/nope.pem\n`)), ['8:BAD_TLS_FILE']);
    // The key file given as a CA: refused, and the message shows no byte of the key.
    const r = load(`backend be\n  server s1 127.0.0.1:1 ssl verify none crt ${pki.keyFile}\n`);
    assert.deepEqual(codes(r), ['8:BAD_TLS_FILE']);
    const keyBody = pki.key.split('\n')[1] as string;
    for (const d of r.diagnostics) assert.ok(!d.message.includes(keyBody.slice(0, 16)), d.message);
    assert.deepEqual(codes(load(`backend be\n  server s1 127.0.0.1:1 ssl verify none crt ${pki.pemFile}\n`)), []);
  });

  it('a content rule on the client bytes without inspect-delay is a warning at the rule', () => {
    const fe = (delay: string) => load(`frontend fe\n  bind 127.0.0.1:61621\n${delay}  tcp-request content accept if { req.ssl_hello_type 1 }\n  default_backend be\nbackend be\n  server s1 127.0.0.1:1\n`);
    const warned = (r: ReturnType<typeof load>) => r.diagnostics.filter((x) => x.code === 'CONTENT_WITHOUT_INSPECT_DELAY').map((x) => `${x.pos.line}:${x.pos.col}`);
    assert.deepEqual(warned(fe('')), ['9:15']);
    assert.deepEqual(warned(fe('  tcp-request inspect-delay 1s\n')), []);
  });

  it('global ssl-default-server-options and unsupported options', () => {
    const r = loadConfigText([{ file: 'g.cfg', text: `global\n  ssl-default-server-options ssl-min-ver TLSv1.3 no-tls-tickets\n${DEFAULTS}backend be\n  server s1 127.0.0.1:1 ssl verify none ssl-max-ver TLSv1.9\n` }]);
    assert.deepEqual(codes(r), ['2:NOT_SUPPORTED_YET', '10:BAD_VALUE']);
  });
});
