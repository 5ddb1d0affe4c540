// Interop with the real HAProxy (Debian's package), on loopback only:
//   HAProxy `send-proxy` / `send-proxy-v2 proxy-v2-options crc32c,unique-id` → our decoder, and
//   our encoder → HAProxy `accept-proxy`, which relays what it understood with `send-proxy`.
// Also checks that re-encoding what HAProxy sent gives HAProxy's exact bytes (§1.6, §2.8).
// Skipped (and counted in the run's summary) when HAProxy is not installed, a failure under
// CI=true. Every process and socket is closed in `after`.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { authorityTlv, encode, findTlv, PP2_TYPE, ProxyHeaderDecoder } from './index.js';
import type { ProxyHeader } from './index.js';
import { peerSkip, requirePeer } from '../test/require-peer.js';

const skip = peerSkip('haproxy');
const STEP_TIMEOUT_MS = 5000;

interface Received {
  header: ProxyHeader;
  headerBytes: Buffer;
  payload: Buffer;
}

/** A backend that decodes the PROXY header of each connection and collects what follows. */
class Backend {
  readonly server = net.createServer((socket) => this.#accept(socket));
  readonly #waiting: ((r: Received) => void)[] = [];
  readonly #sockets = new Set<net.Socket>();

  #accept(socket: net.Socket): void {
    this.#sockets.add(socket);
    socket.on('close', () => this.#sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    const decoder = new ProxyHeaderDecoder();
    const seen: Buffer[] = [];
    let done: Received | null = null;
    socket.on('data', (chunk: Buffer) => {
      if (done !== null) {
        done.payload = Buffer.concat([done.payload, chunk]);
        if (done.payload.length >= 4) this.#waiting.shift()?.(done);
        return;
      }
      seen.push(chunk);
      const step = decoder.push(chunk);
      if (step.status === 'incomplete') return;
      assert.equal(step.status, 'complete');
      if (step.status !== 'complete') return;
      done = { header: step.header, headerBytes: Buffer.concat(seen).subarray(0, step.length), payload: step.rest };
      if (done.payload.length >= 4) this.#waiting.shift()?.(done);
    });
  }

  /** The next connection's header and its first 4 payload bytes. */
  next(): Promise<Received> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no PROXY connection within the step timeout')), STEP_TIMEOUT_MS);
      this.#waiting.push((r) => {
        clearTimeout(timer);
        resolve(r);
      });
    });
  }

  close(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

function listen(server: net.Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port));
  });
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  const port = await listen(s);
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

/** Connects, writes `bytes`, returns the socket's local port; the socket stays open until `after`. */
function send(port: number, bytes: Buffer, sockets: Set<net.Socket>): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1' }, () => {
      socket.write(bytes);
      resolve(socket.localPort!);
    });
    sockets.add(socket);
    socket.on('error', reject);
    socket.setTimeout(STEP_TIMEOUT_MS, () => socket.destroy());
  });
}

async function waitForPort(port: number): Promise<void> {
  const deadline = Date.now() + STEP_TIMEOUT_MS;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect({ port, host: '127.0.0.1' }, () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`HAProxy did not listen on ${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('interop with HAProxy', { skip }, () => {
  const backend = new Backend();
  const clients = new Set<net.Socket>();
  let haproxy: ChildProcess | undefined;
  let dir = '';
  let backendPort = 0;
  const port = { v1: 0, v2: 0, accept: 0 };
  let stderr = '';

  before(async () => {
    backendPort = await listen(backend.server);
    port.v1 = await freePort();
    port.v2 = await freePort();
    port.accept = await freePort();
    dir = mkdtempSync(join(tmpdir(), 'truehop-pp-interop-'));
    const cfg = join(dir, 'haproxy.cfg');
    writeFileSync(
      cfg,
      [
        'global',
        '  maxconn 100',
        'defaults',
        '  mode tcp',
        '  timeout connect 2s',
        '  timeout client 5s',
        '  timeout server 5s',
        `frontend fe_v1`,
        `  bind 127.0.0.1:${port.v1}`,
        '  default_backend be_v1',
        `frontend fe_v2`,
        `  bind 127.0.0.1:${port.v2}`,
        '  unique-id-format truehop-%ci-%cp',
        '  default_backend be_v2',
        `frontend fe_accept`,
        `  bind 127.0.0.1:${port.accept} accept-proxy`,
        '  default_backend be_v1',
        'backend be_v1',
        `  server s1 127.0.0.1:${backendPort} send-proxy`,
        'backend be_v2',
        `  server s1 127.0.0.1:${backendPort} send-proxy-v2 proxy-v2-options crc32c,unique-id`,
        '',
      ].join('\n'),
    );
    haproxy = spawn(requirePeer('haproxy'), ['-db', '-f', cfg], { stdio: ['ignore', 'ignore', 'pipe'] });
    haproxy.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    await Promise.all([waitForPort(port.v1), waitForPort(port.v2), waitForPort(port.accept)]).catch((e: unknown) => {
      throw new Error(`${String(e)}\n${stderr}`);
    });
  });

  after(async () => {
    for (const s of clients) s.destroy();
    if (haproxy !== undefined && haproxy.exitCode === null) {
      const exited = new Promise((r) => haproxy!.once('exit', r));
      haproxy.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 2000))]);
      if (haproxy.exitCode === null) haproxy.kill('SIGKILL');
    }
    await backend.close();
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  test('send-proxy (v1): decoded, and our encoder writes the same line', async () => {
    const next = backend.next();
    const clientPort = await send(port.v1, Buffer.from('ping'), clients);
    const r = await next;
    assert.deepEqual(
      { ...r.header },
      { version: 1, command: 'PROXY', protocol: 'TCP4', family: 'INET', transport: 'STREAM', src: '127.0.0.1', srcPort: clientPort, dst: '127.0.0.1', dstPort: port.v1, tlvs: [] },
    );
    assert.equal(r.payload.toString(), 'ping');
    assert.equal(encode(r.header).toString('hex'), r.headerBytes.toString('hex'));
  });

  test('send-proxy-v2 with crc32c,unique-id: CRC verified, TLVs in HAProxy order, re-encoded byte for byte', async () => {
    const next = backend.next();
    const clientPort = await send(port.v2, Buffer.from('ping'), clients);
    const r = await next;
    assert.equal(r.header.version, 2);
    assert.equal(r.header.command, 'PROXY');
    assert.equal(r.header.family, 'INET');
    assert.equal(r.header.src, '127.0.0.1');
    assert.equal(r.header.srcPort, clientPort);
    assert.equal(r.header.dstPort, port.v2);
    assert.deepEqual(r.header.tlvs.map((t) => t.type), [PP2_TYPE.CRC32C, PP2_TYPE.UNIQUE_ID]);
    assert.equal(Buffer.from(findTlv(r.header, PP2_TYPE.UNIQUE_ID)!.value).toString(), `truehop-127.0.0.1-${clientPort}`);
    assert.equal(r.payload.toString(), 'ping');
    assert.equal(encode(r.header).toString('hex'), r.headerBytes.toString('hex'));
  });

  test('our v2 header (with CRC32C and AUTHORITY) is accepted by HAProxy, which relays our addresses', async () => {
    const next = backend.next();
    const header = encode({ version: 2, src: '203.0.113.9', srcPort: 4242, dst: '198.51.100.1', dstPort: 443, tlvs: [authorityTlv('example.com')] }, { crc32c: true });
    await send(port.accept, Buffer.concat([header, Buffer.from('pong')]), clients);
    const r = await next;
    assert.equal(r.headerBytes.toString(), 'PROXY TCP4 203.0.113.9 198.51.100.1 4242 443\r\n');
    assert.equal(r.payload.toString(), 'pong');
  });

  test('our v1 line with mixed families (mapped IPv6) is accepted by HAProxy', async () => {
    const next = backend.next();
    const line = encode({ version: 1, src: '192.0.2.55', srcPort: 60864, dst: '2001:db8::1', dstPort: 23021 });
    assert.equal(line.toString(), 'PROXY TCP6 ::ffff:192.0.2.55 2001:db8::1 60864 23021\r\n');
    await send(port.accept, Buffer.concat([line, Buffer.from('pong')]), clients);
    const r = await next;
    assert.equal(r.header.protocol, 'TCP6');
    assert.deepEqual([r.header.src, r.header.dst, r.header.srcPort, r.header.dstPort], ['::ffff:192.0.2.55', '2001:db8::1', 60864, 23021]);
  });

  test('our v2 IPv6 header is accepted by HAProxy', async () => {
    const next = backend.next();
    const header = encode({ version: 2, src: '2001:db8::7', srcPort: 1, dst: '::1', dstPort: 2 });
    await send(port.accept, Buffer.concat([header, Buffer.from('pong')]), clients);
    const r = await next;
    assert.equal(r.headerBytes.toString(), 'PROXY TCP6 2001:db8::7 ::1 1 2\r\n');
  });
});
