// Memory that comes back (issue 15): after a load cycle — short connections at concurrency 64,
// then IDLE_CONNS idle sessions held and closed — the daemon's RSS returns near its idle
// baseline within a bounded time once the data path is quiet (process/idle-collect.ts). RSS,
// not the JS heap, because RSS is what an operator sees; it is read with `ps` (the sandboxed
// test cannot read /proc). The same cycle with TRUEHOP_IDLE_GC=off runs beside it for the
// figure (its RSS stays near the peak), and HAProxy 2.6's where it can run.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI } from '../../support/cli-process.js';
import { waitListening } from '../../support/listening.js';
import { haproxyBin, haproxySkip } from '../../support/haproxy.js';
import { peerSkip, requirePeer } from '../../support/require-peer.js';

const PORT = 61802;
const SHORT_CONNS = 6000;
const CONCURRENCY = 64;
const IDLE_CONNS = 4000;
/** RSS must come back within this much of the idle baseline… */
const BOUND_MB = 8;
/** …within this long after the last connection closed (3 s quiet, one check, the kernel's unmap). */
const WITHIN_MS = 12_000;

function rssMB(pid: number): number {
  return Number(execFileSync(requirePeer('ps'), ['-o', 'rss=', '-p', String(pid)], { encoding: 'latin1' }).trim()) / 1024;
}

async function backend(): Promise<{ port: number; close(): Promise<void> }> {
  const server = net.createServer((s) => {
    s.on('error', () => {});
    s.end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as net.AddressInfo).port, close: () => new Promise((r) => { server.close(() => r()); }) };
}

function shortConnection(): Promise<void> {
  return new Promise((resolve) => {
    const c = net.connect(PORT, '127.0.0.1');
    c.on('data', () => {});
    c.on('error', () => {});
    c.on('close', () => resolve());
    setTimeout(() => c.destroy(), 10_000).unref();
  });
}

/** The load cycle; returns the RSS seen with the idle sessions open (the peak). */
async function loadCycle(pid: number): Promise<number> {
  let started = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (started < SHORT_CONNS) {
      started++;
      await shortConnection();
    }
  }));
  const idle: net.Socket[] = [];
  for (let i = 0; i < IDLE_CONNS; i++) {
    const s = net.connect(PORT, '127.0.0.1');
    s.on('error', () => {});
    idle.push(s);
    if (i % 500 === 499) await new Promise((r) => setTimeout(r, 50));
  }
  await new Promise((r) => setTimeout(r, 1500));
  const peak = rssMB(pid);
  for (const s of idle) s.destroy();
  return peak;
}

interface Figures { start: number; peak: number; after: number; comeBackMs: number | null }

async function measure(argv: string[], env: NodeJS.ProcessEnv, bound: number): Promise<Figures> {
  const be = await backend();
  const dir = mkdtempSync(join(tmpdir(), 'truehop-mem-'));
  const file = join(dir, 'lb.cfg');
  writeFileSync(file, `global\n  nbthread 1\n  maxconn 4500\ndefaults\n  mode tcp\n  timeout connect 2s\n  timeout client 30s\n  timeout server 30s\n` +
    `frontend fe\n  bind 127.0.0.1:${PORT}\n  default_backend be\nbackend be\n  server s1 127.0.0.1:${be.port}\n`);
  const child = spawn(argv[0] as string, [...argv.slice(1), '-f', file], { stdio: ['ignore', 'ignore', 'pipe'], env });
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    assert.equal(await waitListening(PORT, 15_000, 50), 'listening', err);
    await new Promise((r) => setTimeout(r, 1000));
    // A fixed port another process already holds answers waitListening too: make sure the
    // daemon measured is the one listening (it exits on EADDRINUSE), with its words if not.
    assert.equal(child.exitCode, null, `the daemon exited at start-up: ${err}`);
    const pid = child.pid as number;
    const start = rssMB(pid);
    const peak = await loadCycle(pid);
    const closedAt = Date.now();
    // The whole window, so the figure is where RSS settles, not the first dip under the bound.
    let after = rssMB(pid);
    let comeBackMs: number | null = null;
    // Within `bound` of the start, or — when the cycle added more than twice that (the socket
    // transport's sessions are bigger, and V8 keeps some freed pages a while) — half of what
    // it added: an RSS that stays near its peak fails either way.
    const limit = start + Math.max(bound, (peak - start) / 2);
    while (Date.now() - closedAt < WITHIN_MS) {
      await new Promise((r) => setTimeout(r, 250));
      after = rssMB(pid);
      if (after <= limit) comeBackMs ??= Date.now() - closedAt;
      else comeBackMs = null;
    }
    return { start, peak, after, comeBackMs };
  } finally {
    child.kill('SIGKILL');
    await exited;
    rmSync(dir, { recursive: true, force: true });
    await be.close();
  }
}

const fmt = (f: Figures): string =>
  `RSS MB at start ${f.start.toFixed(1)}, with ${IDLE_CONNS} idle ${f.peak.toFixed(1)}, ${f.comeBackMs === null ? `still ${f.after.toFixed(1)} after ${WITHIN_MS} ms` : `${f.after.toFixed(1)} ${WITHIN_MS} ms after the last close (within the bound from ${f.comeBackMs} ms)`}`;

describe('memory after a load cycle', { skip: peerSkip('ps') }, () => {
  it(`truehop: RSS back within ${BOUND_MB} MB of its idle baseline (or half the load's growth, when more) within ${WITHIN_MS / 1000} s`, async (t) => {
    const f = await measure([process.execPath, CLI], process.env, BOUND_MB);
    t.diagnostic(`truehop: ${fmt(f)}`);
    assert.ok(f.peak > f.start + BOUND_MB, `the cycle should raise RSS past the bound first (${fmt(f)})`);
    assert.notEqual(f.comeBackMs, null, fmt(f));
  });

  it('truehop with TRUEHOP_IDLE_GC=off beside it (figure)', async (t) => {
    const f = await measure([process.execPath, CLI], { ...process.env, TRUEHOP_IDLE_GC: 'off' }, BOUND_MB);
    t.diagnostic(`truehop, TRUEHOP_IDLE_GC=off: ${fmt(f)}`);
    // Not asserted to stay high (V8 sometimes gives memory back on its own); asserted: the same
    // cycle really loaded this daemon, so the figure beside the first test compares like with like.
    assert.ok(f.peak > f.start + BOUND_MB, `the cycle should raise RSS past the bound (${fmt(f)})`);
  });

  it('HAProxy 2.6 beside it (figure)', { skip: haproxySkip }, async (t) => {
    const f = await measure([haproxyBin(), '-db'], process.env, BOUND_MB);
    t.diagnostic(`HAProxy: ${fmt(f)}`);
    // The cycle reached HAProxy too (its sessions raise its RSS), so its figure is of the same load.
    assert.ok(f.peak > f.start, `the cycle should raise HAProxy's RSS (${fmt(f)})`);
  });
});
