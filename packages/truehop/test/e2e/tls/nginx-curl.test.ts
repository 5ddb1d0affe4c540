// Real TLS peers around truehop. curl (plain HTTP) → truehop → nginx with `ssl proxy_protocol`
// on its listen line: truehop sends the PROXY header in clear, then re-encrypts with verify
// required + ca-file + SNI; nginx reports the client address the header carried and the SNI
// it got, and the TLS checks never break a header. `openssl s_client` → truehop in passthrough → nginx:
// the backend is chosen by SNI and the client verifies nginx's own certificate end to end.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { daemonFromText, type ConfigDaemon } from '../../support/config-daemon.js';
import { waitListening } from '../../support/listening.js';
import { nginxPreamble, nginxTempPaths } from '../../support/nginx.js';
import { peerSkip, requirePeer } from '../../support/require-peer.js';
import { makeTestPki, type TestPki } from '../../support/tls-pki.js';

/** This suite's fixed ports (the h14s range 61600–61649): nginx with and without PROXY. */
const NGINX_PP_PORT = 61610;
const NGINX_PORT = 61611;
const skip = peerSkip('nginx') || peerSkip('curl') || peerSkip('openssl');

function run(bin: string, args: string[], input = ''): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = execFile(bin, args, { timeout: 15_000 }, (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : 1, out: `${stdout}${stderr}` });
    });
    child.stdin?.end(input);
  });
}

describe('TLS with nginx, curl and openssl s_client', { skip }, () => {
  let pki: TestPki;
  let nginx: ChildProcess | null = null;
  let output = '';
  let d: ConfigDaemon | undefined;

  before(async () => {
    pki = makeTestPki(['backend.test', 'sni.example.com']);
    const dir = pki.dir;
    mkdirSync(join(dir, 'logs'));
    writeFileSync(join(dir, 'nginx.conf'), `
${nginxPreamble(dir)}
http {
  access_log off;
  ${nginxTempPaths(dir)}
  ssl_certificate ${pki.certFile};
  ssl_certificate_key ${pki.keyFile};
  server {
    listen 127.0.0.1:${NGINX_PP_PORT} ssl proxy_protocol;
    location / { return 200 "pp:$proxy_protocol_addr sni:$ssl_server_name proto:$ssl_protocol\\n"; }
  }
  server {
    listen 127.0.0.1:${NGINX_PORT} ssl;
    location / { return 200 "nginx sni:$ssl_server_name\\n"; }
  }
}
`);
    nginx = spawn(requirePeer('nginx'), ['-p', dir, '-c', join(dir, 'nginx.conf')], { stdio: ['ignore', 'pipe', 'pipe'] });
    nginx.stdout?.on('data', (x: Buffer) => (output += x.toString()));
    nginx.stderr?.on('data', (x: Buffer) => (output += x.toString()));
    const child = nginx;
    for (const port of [NGINX_PORT, NGINX_PP_PORT]) {
      const started = await waitListening(port, 5000, 25, () => child.exitCode !== null);
      if (started !== 'listening') throw new Error(`nginx did not start: ${output}`);
    }
    d = await daemonFromText(`global\n  log stdout format raw local0\n` +
      `defaults\n  mode tcp\n  log global\n  option tcplog\n  timeout connect 2s\n  timeout client 10s\n  timeout server 10s\n` +
      `frontend fe\n  bind 127.0.0.1:0\n  default_backend be_tls\n` +
      `backend be_tls\n  server ng 127.0.0.1:${NGINX_PP_PORT} send-proxy ssl verify required ca-file ${pki.caFile} sni str(backend.test) check inter 300ms\n` +
      `frontend fe_pass\n  bind 127.0.0.1:0\n  tcp-request inspect-delay 2s\n  tcp-request content accept if { req.ssl_hello_type 1 }\n` +
      `  use_backend be_pass if { req.ssl_sni -i sni.example.com }\n  default_backend be_tls\n` +
      `backend be_pass\n  server ng 127.0.0.1:${NGINX_PORT}\n`);
  });

  after(async () => {
    await d?.daemon.stop(100);
    if (nginx !== null && nginx.exitCode === null) {
      const exited = new Promise((resolve) => nginx?.once('exit', resolve));
      nginx.kill('SIGTERM');
      const timer = setTimeout(() => nginx?.kill('SIGKILL'), 2000);
      await exited;
      clearTimeout(timer);
    }
    if (pki !== undefined) rmSync(pki.dir, { recursive: true, force: true });
  });

  it('curl → truehop → nginx `ssl proxy_protocol`: header in clear, then TLS with the SNI, verified', async () => {
    const r = await run(requirePeer('curl'), ['-sS', '--max-time', '10', `http://127.0.0.1:${d?.port('fe') ?? 0}/`]);
    assert.equal(r.code, 0, `${r.out}\n${d?.logs.text ?? ''}\n${readFileSync(join(pki.dir, 'logs', 'error.log'), 'utf8')}`);
    assert.match(r.out, /^pp:127\.0\.0\.1 sni:backend\.test proto:TLSv1\.[23]\n$/);
    // The TLS health checks (inherited from ssl, with the header in clear too) never broke a
    // header (the empty one is this test's own probe that nginx listens).
    assert.doesNotMatch(readFileSync(join(pki.dir, 'logs', 'error.log'), 'utf8'), /broken header: "[^"]/);
  });

  it('openssl s_client → truehop passthrough → nginx chosen by SNI, its certificate verified by the client', async () => {
    const r = await run(requirePeer('openssl'), ['s_client', '-connect', `127.0.0.1:${d?.port('fe_pass') ?? 0}`,
      '-servername', 'sni.example.com', '-CAfile', pki.caFile, '-verify_return_error', '-verify_hostname', 'sni.example.com', '-quiet', '-ign_eof'],
    'GET / HTTP/1.0\r\nHost: sni.example.com\r\n\r\n');
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /nginx sni:sni\.example\.com/);
  });
});
