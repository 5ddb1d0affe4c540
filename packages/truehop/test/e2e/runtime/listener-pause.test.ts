// A full daemon stops accepting (HAProxy's paused listener) instead of accepting and dropping:
// under a descriptor limit whose derived maxconn is about 120, 1,000 clients at once are all
// served as slots free, none closed; the ones that do not fit wait in the kernel's accept queue
// (seen with `ss`: the listening socket's Recv-Q), and a paused listener resumes by itself when
// a slot frees, with no new connection to wake it. Single process (which pauses through a
// second descriptor, process/listening-copy.ts) and master-worker (workers get pausable
// handles from node:cluster); HAProxy 2.6 beside it under the same limit.
import { after, describe, it } from 'node:test';
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

/** (336 - 36 reserved) × 2 / 5 = 120 sessions per process. */
const NOFILE = 336;
const CLIENTS = 1000;
const FLOOD_PORT = 61800;
const IDLE_PORT = 61801;
const HOLD_MS = 150;

interface Backend {
  port: number;
  /** Connections the backend holds unanswered. */
  held(): number;
  /** Answers every held connection, and every later one at once. */
  release(): void;
  close(): Promise<void>;
}

/** Answers 'ok' after `holdMs`, or (holdMs null) holds every connection until release(). */
async function backend(holdMs: number | null): Promise<Backend> {
  const held: net.Socket[] = [];
  let holding = holdMs === null;
  const server = net.createServer((s) => {
    s.on('error', () => {});
    if (holding) held.push(s);
    else setTimeout(() => s.end('ok'), holdMs ?? 0);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    held: () => held.length,
    release: () => {
      holding = false;
      for (const s of held.splice(0)) s.end('ok');
    },
    close: () => new Promise((r) => {
      server.close(() => r());
    }),
  };
}

function config(port: number, backendPort: number, global: string, frontend = ''): string {
  return `global\n${global}defaults\n  mode tcp\n  timeout connect 2s\n  timeout client 30s\n  timeout server 30s\n` +
    `frontend fe\n  bind 127.0.0.1:${port}\n${frontend}  default_backend be\nbackend be\n  server s1 127.0.0.1:${backendPort}\n`;
}

interface Outcome {
  answered: boolean;
  done: Promise<void>;
}

/** One client: connects, reads to the end; answered when it read 'ok'. */
function client(port: number): Outcome {
  const out = { answered: false } as Outcome;
  out.done = new Promise<void>((resolve) => {
    const c = net.connect(port, '127.0.0.1');
    let got = '';
    c.setEncoding('latin1');
    c.on('data', (d: string) => (got += d));
    c.on('error', () => {});
    c.on('close', () => {
      out.answered = got === 'ok';
      resolve();
    });
    setTimeout(() => c.destroy(), 20_000).unref();
  });
  return out;
}

async function flood(port: number): Promise<{ served: number; closed: number; ms: number }> {
  const t0 = Date.now();
  const all = Array.from({ length: CLIENTS }, () => client(port));
  await Promise.all(all.map((o) => o.done));
  const served = all.filter((o) => o.answered).length;
  return { served, closed: CLIENTS - served, ms: Date.now() - t0 };
}

/** Connections waiting in the kernel's accept queue of the socket listening on `port` (ss's Recv-Q). */
function acceptQueue(port: number): number {
  const out = execFileSync(requirePeer('ss'), ['-ltnH', `sport = :${port}`], { encoding: 'latin1' });
  const fields = out.trim().split(/\s+/);
  const recvQ = Number(fields[1]);
  assert.ok(fields[0] === 'LISTEN' && Number.isInteger(recvQ), `unexpected ss output: ${out}`);
  return recvQ;
}

interface Daemon {
  stderr(): string;
  /** SIGTERM (graceful: the master logs the workers' counters), SIGKILL after 10 s. */
  stop(): Promise<void>;
}

function start(argv: string[], nofile?: number, env: NodeJS.ProcessEnv = process.env): Daemon {
  const cmd = nofile === undefined ? argv : [requirePeer('prlimit'), `--nofile=${nofile}:${nofile}`, ...argv];
  const child = spawn(cmd[0] as string, cmd.slice(1), { stdio: ['ignore', 'ignore', 'pipe'], env });
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let stopped = false;
  return {
    stderr: () => err,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(t);
    },
  };
}

async function waitFor(what: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!what() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  return what();
}

const cleanups: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const c of cleanups.splice(0)) await c();
});

function tempConfig(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'truehop-pause-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'lb.cfg');
  writeFileSync(file, text);
  return file;
}

const MODES = [
  { name: 'single process', global: '  nbthread 1\n', args: [] as string[] },
  { name: 'master-worker, 2 workers', global: '  nbthread 2\n', args: ['-W'] },
];

describe('listeners pause when full', () => {
  for (const mode of MODES) {
    it(`${mode.name}, ulimit-n ${NOFILE} (maxconn about 120 per process), ${CLIENTS} clients at once: none closed, all served`, { skip: peerSkip('prlimit') }, async (t) => {
      const be = await backend(HOLD_MS);
      cleanups.push(() => be.close());
      const file = tempConfig(config(FLOOD_PORT, be.port, mode.global));
      const lb = start([process.execPath, CLI, ...mode.args, '-f', file], NOFILE);
      t.after(() => lb.stop());
      assert.ok(await waitFor(() => /listening on/.test(lb.stderr()), 15_000), lb.stderr());
      assert.equal(await waitListening(FLOOD_PORT, 15_000, 50), 'listening', lb.stderr());
      assert.doesNotMatch(lb.stderr(), /cannot stop accepting/);
      const r = await flood(FLOOD_PORT);
      t.diagnostic(`truehop ${mode.name}: served ${r.served}, closed ${r.closed}, in ${r.ms} ms`);
      assert.equal(r.closed, 0, lb.stderr());
      assert.equal(r.served, CLIENTS);
      assert.doesNotMatch(lb.stderr(), /closed at once|EMFILE|ENFILE/);
      await lb.stop();
      // The master logs the workers' counters when it stops: they paused.
      if (mode.args.includes('-W')) assert.match(lb.stderr(), /counters of all workers: .*listenerPauses=[1-9]/);
    });
  }

  it(`the fallback (TRUEHOP_LISTEN_COPY=off: no second descriptor, so no pause) is said at start-up and keeps the old behaviour`, { skip: peerSkip('prlimit') }, async (t) => {
    const be = await backend(HOLD_MS);
    cleanups.push(() => be.close());
    const file = tempConfig(config(FLOOD_PORT, be.port, '  nbthread 1\n'));
    const lb = start([process.execPath, CLI, '-f', file], NOFILE, { ...process.env, TRUEHOP_LISTEN_COPY: 'off' });
    t.after(() => lb.stop());
    assert.ok(await waitFor(() => /listening on/.test(lb.stderr()), 15_000), lb.stderr());
    assert.match(lb.stderr(), /warning: listeners cannot stop accepting when full \(TRUEHOP_LISTEN_COPY=off\).*master-worker mode \(-W\) pauses them/);
    const r = await flood(FLOOD_PORT);
    t.diagnostic(`truehop without pausing: served ${r.served}, closed ${r.closed}, in ${r.ms} ms`);
    assert.equal(r.served + r.closed, CLIENTS);
    // What pausing replaced: past the waiting line, connections accepted and closed at once.
    assert.ok(r.closed > 0, 'without pausing, some clients should have been closed');
    assert.match(lb.stderr(), /connection closed at once, \d+ already waiting for a slot/);
  });

  it(`HAProxy 2.6 beside it (figures): ulimit-n ${NOFILE}, ${CLIENTS} clients at once`, { skip: haproxySkip || peerSkip('prlimit') }, async (t) => {
    const be = await backend(HOLD_MS);
    cleanups.push(() => be.close());
    const file = tempConfig(config(FLOOD_PORT, be.port, '  nbthread 1\n'));
    const lb = start([haproxyBin(), '-db', '-f', file], NOFILE);
    t.after(() => lb.stop());
    assert.equal(await waitListening(FLOOD_PORT, 15_000, 50), 'listening', lb.stderr());
    const r = await flood(FLOOD_PORT);
    t.diagnostic(`HAProxy: served ${r.served}, closed ${r.closed}, in ${r.ms} ms`);
    assert.equal(r.served + r.closed, CLIENTS);
    await lb.stop();
  });

  for (const mode of MODES) {
    it(`${mode.name}, frontend maxconn 1: the rest wait in the kernel's queue, and the paused listener resumes with no new connection`, { skip: peerSkip('ss') }, async (t) => {
      const be = await backend(null);
      cleanups.push(() => be.close());
      const file = tempConfig(config(IDLE_PORT, be.port, mode.global, '  maxconn 1\n'));
      const lb = start([process.execPath, CLI, ...mode.args, '-f', file]);
      t.after(() => lb.stop());
      assert.ok(await waitFor(() => /listening on/.test(lb.stderr()), 15_000), lb.stderr());
      const first = client(IDLE_PORT);
      assert.ok(await waitFor(() => be.held() === 1, 5000), 'the first client never reached the server');
      // Each process admits up to its maxconn (1) and takes at most one more connection, which
      // waits for the slot, before it pauses; the others stay in the kernel's accept queue.
      const workers = mode.args.includes('-W') ? 2 : 1;
      const rest = Array.from({ length: 6 }, () => client(IDLE_PORT));
      const queued = 6 - (2 * workers - 1);
      assert.ok(await waitFor(() => acceptQueue(IDLE_PORT) >= queued, 5000), `accept queue ${acceptQueue(IDLE_PORT)}, expected ${queued}`);
      // Still paused a moment later: nothing accepted them meanwhile, no server saw more.
      await new Promise((r) => setTimeout(r, 300));
      assert.ok(acceptQueue(IDLE_PORT) >= queued);
      assert.ok(be.held() <= workers, `the server holds ${be.held()}`);
      // A slot frees: the waiting connection is admitted and the listener resumes by itself.
      be.release();
      await Promise.all([first.done, ...rest.map((o) => o.done)]);
      assert.ok(first.answered && rest.every((o) => o.answered), 'a client was not served');
      assert.equal(acceptQueue(IDLE_PORT), 0);
    });
  }
});
