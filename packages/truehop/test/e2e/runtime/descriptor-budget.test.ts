// A daemon with few descriptors (prlimit --nofile 256, as `ulimit -n 256` would give it) under
// many more clients than it can hold: it sizes its global maxconn to the limit at start-up,
// warns when the configured maxconn cannot be met, never runs out of descriptors (no EMFILE,
// where Node's runtime would close every pending connection), and every client is either
// served or closed with a line and a counter saying so. HAProxy 2.6 runs the same beside it.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI } from '../../support/cli-process.js';
import { waitListening } from '../../support/listening.js';
import { haproxyBin, haproxySkip } from '../../support/haproxy.js';
import { peerSkip, requirePeer } from '../../support/require-peer.js';
import { descriptorBudget, effectiveMaxconn, readOpenFilesLimit } from '../../../src/runtime/descriptor-budget.js';

const NOFILE = 256;
const CLIENTS = 600;
const PORT = 61690;
const HOLD_MS = 150;

/** A server that answers 'ok' after HOLD_MS and closes: slots free up steadily. */
async function slowServer(): Promise<{ port: number; close(): Promise<void> }> {
  const server = net.createServer((s) => {
    s.on('error', () => {});
    setTimeout(() => s.end('ok'), HOLD_MS);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as net.AddressInfo).port, close: () => new Promise((r) => { server.close(() => r()); }) };
}

function config(backendPort: number, maxconn: string): string {
  return `global\n${maxconn}defaults\n  mode tcp\n  timeout connect 2s\n  timeout client 20s\n  timeout server 20s\n` +
    `frontend fe\n  bind 127.0.0.1:${PORT}\n  default_backend be\nbackend be\n  server s1 127.0.0.1:${backendPort}\n`;
}

/** CLIENTS connect at once and wait; how many read 'ok', how many were closed without it. */
async function flood(): Promise<{ served: number; closed: number }> {
  let served = 0;
  let closed = 0;
  await Promise.all(Array.from({ length: CLIENTS }, () => new Promise<void>((resolve) => {
    const c = net.connect(PORT, '127.0.0.1');
    let got = '';
    c.setEncoding('latin1');
    c.on('data', (d: string) => (got += d));
    const done = (): void => {
      if (got === 'ok') served++;
      else closed++;
      c.destroy();
      resolve();
    };
    c.on('close', done);
    c.on('error', () => {});
    setTimeout(() => c.destroy(), 30_000).unref();
  })));
  return { served, closed };
}

interface Limited {
  child: ChildProcess;
  stderr: () => string;
  /** SIGKILL, and wait for the exit: the next test binds the same port. */
  kill(): Promise<void>;
}

function startLimited(argv: string[]): Limited {
  const child = spawn(requirePeer('prlimit'), [`--nofile=${NOFILE}:${NOFILE}`, ...argv], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    stderr: () => err,
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

async function stderrMatch(lb: Limited, re: RegExp, timeoutMs = 5000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!re.test(lb.stderr()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  return re.test(lb.stderr());
}

const cleanups: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const c of cleanups.splice(0)) await c();
});

describe('descriptor budget', () => {
  it('reads RLIMIT_NOFILE from /proc/self/limits and leaves 2 per session and 0.5 per waiting connection', () => {
    const text = 'Limit                     Soft Limit           Hard Limit           Units     \n' +
      'Max open files            256                  4096                 files     \n';
    assert.equal(readOpenFilesLimit(text), 256);
    assert.equal(readOpenFilesLimit('Max open files            unlimited            unlimited            files\n'), undefined);
    const model = { frontends: new Map(), backends: new Map(), global: { logs: [], statsSockets: [] } } as never;
    const b = descriptorBudget(model, 256, 20);
    assert.equal(b.reserved, 36);
    assert.equal(b.maxconn, 88); // (256 - 36) / 2.5
    assert.equal(b.waiting, 44);
    // Off Linux (no /proc) nothing is derived: the configured maxconn stands.
    assert.deepEqual(effectiveMaxconn(1000, { limit: undefined, reserved: 36, maxconn: undefined, waiting: undefined }), { maxconn: 1000, warning: null });
    assert.equal(effectiveMaxconn(1000, b).maxconn, 88);
    assert.match(effectiveMaxconn(1000, b).warning ?? '', /FD limit \(256\) too low for maxconn=1000/);
    assert.deepEqual(effectiveMaxconn(50, b), { maxconn: 50, warning: null });
    assert.deepEqual(effectiveMaxconn(undefined, b), { maxconn: 88, warning: null });
  });

  for (const maxconn of ['', '  maxconn 1000\n']) {
    it(`truehop under ulimit-n ${NOFILE}, ${CLIENTS} clients, ${maxconn === '' ? 'no maxconn' : 'maxconn 1000'}: no EMFILE, every close said`, { skip: peerSkip('prlimit') }, async (t) => {
      const be = await slowServer();
      const dir = mkdtempSync(join(tmpdir(), 'truehop-fd-'));
      const file = join(dir, 'truehop.cfg');
      writeFileSync(file, config(be.port, maxconn + '  nbthread 1\n'));
      const lb = startLimited([process.execPath, CLI, '-f', file]);
      cleanups.push(async () => {
        await lb.kill();
        rmSync(dir, { recursive: true, force: true });
        await be.close();
      });
      // truehop says it listens once every listener is bound (the port alone could still be
      // the previous test's daemon on its way out).
      assert.ok(await stderrMatch(lb, /listening on/, 15_000), lb.stderr());
      assert.equal(await waitListening(PORT, 15_000, 50), 'listening', lb.stderr());
      if (maxconn !== '') assert.match(lb.stderr(), /FD limit \(256\) too low for maxconn=1000/);
      const r = await flood();
      t.diagnostic(`truehop: served ${r.served}, closed ${r.closed}`);
      assert.equal(r.served + r.closed, CLIENTS);
      assert.doesNotMatch(lb.stderr(), /EMFILE|ENFILE/);
      // Clients the waiting line could not hold were closed with a line saying so.
      if (r.closed > 0) assert.match(lb.stderr(), /connection closed at once, \d+ already waiting for a slot/);
      assert.ok(r.served >= 80, `only ${r.served} served`);
      await lb.kill();
    });
  }

  it(`HAProxy 2.6 beside it (figures): ulimit-n ${NOFILE}, ${CLIENTS} clients`, { skip: haproxySkip || peerSkip('prlimit') }, async (t) => {
    const be = await slowServer();
    const dir = mkdtempSync(join(tmpdir(), 'truehop-fd-'));
    const file = join(dir, 'haproxy.cfg');
    writeFileSync(file, config(be.port, '  nbthread 1\n'));
    const lb = startLimited([haproxyBin(), '-db', '-f', file]);
    cleanups.push(async () => {
      await lb.kill();
      rmSync(dir, { recursive: true, force: true });
      await be.close();
    });
    assert.equal(await waitListening(PORT, 15_000, 50), 'listening', lb.stderr());
    const r = await flood();
    t.diagnostic(`HAProxy: served ${r.served}, closed ${r.closed}`);
    assert.equal(r.served + r.closed, CLIENTS);
    await lb.kill();
  });
});
