// The transport switch (datapath/transport/transport.ts, docs/transport.md): unset, the daemon
// runs on the raw libuv-handle transport; TRUEHOP_TRANSPORT=socket forces net.Socket; when the
// raw transport's start-up self-test fails (here: a Node whose bindings are missing a piece, or
// whose user-buffer reads do not deliver the bytes), the daemon falls back to net.Socket and
// says so once per process, however many daemons it starts; TRUEHOP_TRANSPORT=raw with a
// failing self-test refuses to start. The choice is made once per process, so each case runs
// in its own child process (not confined by the test sandbox, which refuses process.binding).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CONFIG_DAEMON = fileURLToPath(new URL('../../support/config-daemon.js', import.meta.url));
const PEERS = fileURLToPath(new URL('../../support/peers.js', import.meta.url));

/** Breaks one piece of the bindings before the daemon loads (none = leave Node alone). */
const SABOTAGE = {
  none: '',
  // A Node whose stream_wrap lost ShutdownWrap: found by the presence check.
  missing: `const real = process.binding.bind(process);
process.binding = (name) => name === 'stream_wrap' ? { ...real(name), ShutdownWrap: undefined } : real(name);`,
  // A Node where useUserBuffer exists but does nothing useful: found only by behaving wrong.
  // (A subclass seen only through process.binding: net.Socket, built on Node's own copy of
  // the bindings, keeps working.)
  behaviour: `const real = process.binding.bind(process);
process.binding = (name) => {
  const b = real(name);
  if (name !== 'tcp_wrap') return b;
  class TCP extends b.TCP { useUserBuffer() {} }
  return { ...b, TCP };
};`,
} as const;

// Starts two daemons in turn in front of a server that answers what it received, sends 200 KB
// through each (several reads, some past the own-buffer threshold) and prints what it saw.
function child(sabotage: keyof typeof SABOTAGE): string {
  return `${SABOTAGE[sabotage]}
const { daemonFromText } = await import(${JSON.stringify(CONFIG_DAEMON)});
const { connect, readAll, recordingServer } = await import(${JSON.stringify(PEERS)});
const rec = await recordingServer((c) => void c.ended.then(() => c.socket.end(c.bytes())), "127.0.0.1", true);
const config = 'defaults\\n  mode tcp\\n  timeout connect 2s\\n  timeout client 5s\\n  timeout server 5s\\n' +
  'frontend fe\\n  bind 127.0.0.1:0\\n  default_backend be\\nbackend be\\n  server s1 127.0.0.1:' + rec.port + '\\n';
const payload = Buffer.alloc(200 * 1024, 'truehop');
const seen = [];
for (let round = 0; round < 2; round++) {
  const d = await daemonFromText(config);
  const c = await connect(d.port('fe'));
  c.end(payload);
  const back = await readAll(c);
  await d.daemon.stop(100);
  seen.push({ transport: d.daemon.transport, echoed: back.equals(payload) });
  process.stderr.write(d.logs.text);
}
await rec.close();
process.stdout.write(JSON.stringify(seen));
`;
}

interface Outcome {
  seen: { transport: string; echoed: boolean }[] | null;
  stderr: string;
  failed: boolean;
}

function runChild(sabotage: keyof typeof SABOTAGE, transport: string | undefined): Promise<Outcome> {
  const env = { ...process.env };
  delete env['TRUEHOP_TRANSPORT'];
  if (transport !== undefined) env['TRUEHOP_TRANSPORT'] = transport;
  return new Promise((resolve) => {
    execFile(process.execPath, ['--input-type=module', '-e', child(sabotage)], { env, timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ seen: err ? null : (JSON.parse(stdout) as Outcome['seen']), stderr, failed: err !== null });
    });
  });
}

const warnings = (stderr: string): string[] => stderr.split('\n').filter((l) => l.includes('net.Socket transport'));

// Node 22 passes the permission model on to child processes, and it refuses process.binding:
// under the test sandbox (the runner's main pass) these children could only ever fall back.
// The runner's raw lane runs this file outside the sandbox.
const SANDBOXED = (process as { permission?: unknown }).permission !== undefined;

describe('TRUEHOP_TRANSPORT', { skip: SANDBOXED && 'in the permission sandbox (refuses process.binding): runs in the raw lane' }, () => {
  it('unset: the raw transport; =socket: net.Socket; the same bytes either way, no warning', async () => {
    const raw = await runChild('none', undefined);
    const socket = await runChild('none', 'socket');
    assert.deepEqual(raw.seen, [{ transport: 'raw', echoed: true }, { transport: 'raw', echoed: true }], raw.stderr);
    assert.deepEqual(socket.seen, [{ transport: 'socket', echoed: true }, { transport: 'socket', echoed: true }], socket.stderr);
    assert.deepEqual(warnings(raw.stderr), []);
    assert.deepEqual(warnings(socket.stderr), []);
  });

  it('a binding missing: the self-test fails, net.Socket carries the traffic, one warning for two daemons', async () => {
    const r = await runChild('missing', undefined);
    assert.deepEqual(r.seen, [{ transport: 'socket', echoed: true }, { transport: 'socket', echoed: true }], r.stderr);
    const lines = warnings(r.stderr);
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0] ?? '', /self-test failed: stream_wrap lacks WriteWrap or ShutdownWrap/);
  });

  it('a binding that misbehaves (reads not in the user buffer): the self-test catches it and falls back', async () => {
    const r = await runChild('behaviour', undefined);
    assert.deepEqual(r.seen, [{ transport: 'socket', echoed: true }, { transport: 'socket', echoed: true }], r.stderr);
    const lines = warnings(r.stderr);
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0] ?? '', /raw transport self-test failed/);
  });

  it('=raw with a failing self-test refuses to start instead of falling back', async () => {
    const r = await runChild('missing', 'raw');
    assert.equal(r.failed, true);
    assert.match(r.stderr, /TRUEHOP_TRANSPORT=raw, but the raw transport self-test failed: stream_wrap lacks/);
  });
});

// ssl binds on the raw transport: OpenSSL's TLSWrap over the raw handles (raw TLS) when its own
// self-test passes; when it fails (a binding missing, or one that misbehaves), tls.TLSSocket
// carries them, said once per process; TRUEHOP_TLS=socket asks for tls.TLSSocket.
const TLS_SABOTAGE = {
  none: '',
  // A Node whose tls_wrap no longer exposes TLSWrap (node:tls itself uses its own copy).
  missing: `const real = process.binding.bind(process);
process.binding = (name) => name === 'tls_wrap' ? { wrap: real(name).wrap } : real(name);`,
  // A Node where receive() loses the bytes handed to it: the ClientHello never reaches OpenSSL.
  behaviour: `const real = process.binding.bind(process);
process.binding = (name) => {
  const b = real(name);
  if (name !== 'tls_wrap') return b;
  return { ...b, TLSWrap: b.TLSWrap, wrap: (...args) => { const h = b.wrap(...args); h.receive = () => {}; return h; } };
};`,
} as const;

const PKI = fileURLToPath(new URL('../../support/tls-bind-pki.js', import.meta.url));

function tlsChild(sabotage: keyof typeof TLS_SABOTAGE): string {
  return `${TLS_SABOTAGE[sabotage]}
const tls = await import('node:tls');
const { daemonFromText } = await import(${JSON.stringify(CONFIG_DAEMON)});
const { recordingServer } = await import(${JSON.stringify(PEERS)});
const { makeTestPki } = await import(${JSON.stringify(PKI)});
const pki = makeTestPki();
const rec = await recordingServer((c) => void c.ended.then(() => c.socket.end(c.bytes())), "127.0.0.1", true);
const config = 'defaults\\n  mode tcp\\n  timeout connect 2s\\n  timeout client 5s\\n  timeout server 5s\\n' +
  'frontend fe\\n  bind 127.0.0.1:0 ssl crt ' + pki.servers[0].pem + ' alpn h2\\n  default_backend be\\nbackend be\\n  server s1 127.0.0.1:' + rec.port + '\\n';
const payload = Buffer.alloc(200 * 1024, 'truehop');
const seen = [];
for (let round = 0; round < 2; round++) {
  const d = await daemonFromText(config);
  const c = tls.connect({ port: d.port('fe'), host: '127.0.0.1', servername: 'a.test', ALPNProtocols: ['h2'], rejectUnauthorized: false });
  const chunks = [];
  c.on('data', (b) => chunks.push(b));
  await new Promise((resolve, reject) => { c.once('secureConnect', resolve); c.once('error', reject); });
  const alpn = c.alpnProtocol;
  c.end(payload);
  await new Promise((resolve) => c.once('close', resolve));
  await d.daemon.stop(100);
  seen.push({ transport: d.daemon.transport, tls: d.daemon.tlsTransport, alpn, echoed: Buffer.concat(chunks).equals(payload) });
  process.stderr.write(d.logs.text);
}
await rec.close();
pki.cleanup();
process.stdout.write(JSON.stringify(seen));
`;
}

interface TlsOutcome {
  seen: { transport: string; tls: string; alpn: string; echoed: boolean }[] | null;
  stderr: string;
}

function runTlsChild(sabotage: keyof typeof TLS_SABOTAGE, env: Record<string, string>): Promise<TlsOutcome> {
  const childEnv = { ...process.env };
  delete childEnv['TRUEHOP_TRANSPORT'];
  delete childEnv['TRUEHOP_TLS'];
  Object.assign(childEnv, env);
  return new Promise((resolve) => {
    execFile(process.execPath, ['--input-type=module', '-e', tlsChild(sabotage)], { env: childEnv, timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ seen: err ? null : (JSON.parse(stdout) as TlsOutcome['seen']), stderr });
    });
  });
}

const tlsWarnings = (stderr: string): string[] => stderr.split('\n').filter((l) => l.includes('ssl binds use tls.TLSSocket'));

describe('ssl binds: raw TLS, or tls.TLSSocket', { skip: SANDBOXED && 'in the permission sandbox (refuses process.binding): runs in the raw lane' }, () => {
  const both = (tls: string, transport = 'raw'): TlsOutcome['seen'] => [0, 1].map(() => ({ transport, tls, alpn: 'h2', echoed: true }));

  it('raw transport: raw TLS; TRUEHOP_TLS=socket or the socket transport: tls.TLSSocket; the same bytes, no warning', async () => {
    const raw = await runTlsChild('none', {});
    const asked = await runTlsChild('none', { TRUEHOP_TLS: 'socket' });
    const socket = await runTlsChild('none', { TRUEHOP_TRANSPORT: 'socket' });
    assert.deepEqual(raw.seen, both('raw'), raw.stderr);
    assert.deepEqual(asked.seen, both('socket'), asked.stderr);
    assert.deepEqual(socket.seen, both('socket', 'socket'), socket.stderr);
    assert.deepEqual([...tlsWarnings(raw.stderr), ...tlsWarnings(asked.stderr), ...tlsWarnings(socket.stderr)], []);
  });

  it('TLSWrap missing: raw TLS falls back to tls.TLSSocket, one warning for two daemons; plain TCP stays raw', async () => {
    const r = await runTlsChild('missing', {});
    assert.deepEqual(r.seen, both('socket'), r.stderr);
    const lines = tlsWarnings(r.stderr);
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0] ?? '', /raw TLS self-test failed: tls_wrap lacks TLSWrap/);
  });

  it('a TLSWrap that loses the ClientHello handed to it: the self-test catches it and falls back', async () => {
    const r = await runTlsChild('behaviour', {});
    assert.deepEqual(r.seen, both('socket'), r.stderr);
    const lines = tlsWarnings(r.stderr);
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0] ?? '', /raw TLS self-test failed: no answer within/);
  });
});
