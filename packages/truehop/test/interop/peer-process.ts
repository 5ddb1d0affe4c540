// Starts a real peer daemon (nginx, Apache, Postfix…) in the foreground from its own minimal
// config in a temporary directory, waits until it accepts on its port, and stops it (SIGTERM,
// then SIGKILL after a bound). Never the system service.
import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { mkdtempSync, rmSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitListening } from '../support/listening.js';

/** Time a peer gets to accept connections after spawn (trafficserver and MariaDB are slow). */
export const PEER_START_TIMEOUT_MS = 20_000;
/** Time a peer gets to exit after SIGTERM before SIGKILL. */
export const PEER_STOP_TIMEOUT_MS = 3_000;

export interface PeerProcess {
  readonly child: ChildProcess;
  /** Everything the peer wrote on stdout and stderr so far. */
  output(): string;
  stop(): Promise<void>;
}

/**
 * A fresh temporary directory, world-readable so peers dropping privileges (Varnish, Squid,
 * Apache, Postfix) can read it. The test runner's own temporary directory (TMPDIR) is private
 * (0700): it gets the search bit for others (o+x: traverse, not list), set by `chmod` since the
 * runner's sandbox lets a test change only what is inside that directory.
 */
export function peerDir(name: string): string {
  const parent = tmpdir();
  if (parent !== '/tmp') spawnSync('chmod', ['o+x', parent], { stdio: 'ignore' });
  const dir = mkdtempSync(join(parent, `truehop-interop-${name}-`));
  chmodSync(dir, 0o755);
  return dir;
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** Spawns `command args`, resolves once `port` on 127.0.0.1 accepts a connection. */
export async function startPeer(command: string, args: readonly string[], port: number, options: SpawnOptions = {}): Promise<PeerProcess> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  child.on('error', (e) => (output += `spawn error: ${e.message}\n`));
  const peer: PeerProcess = { child, output: () => output, stop: () => stopChild(child) };
  const up = await waitListening(port, PEER_START_TIMEOUT_MS, 50, () => child.exitCode !== null || child.signalCode !== null);
  if (up !== 'listening') {
    await peer.stop();
    throw new Error(`${command} ${up === 'exited' ? `exited (${String(child.exitCode)})` : `did not listen on ${port}`}: ${output.slice(-2000)}`);
  }
  return peer;
}

/** Runs a command to completion (setup steps such as mariadb-install-db); rejects on failure. */
export function runToEnd(command: string, args: readonly string[], timeoutMs: number, options: SpawnOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
    let output = '';
    child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => reject(e));
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(output);
      else reject(new Error(`${command} ${args.join(' ')} failed (${String(code)}): ${output.slice(-2000)}`));
    });
  });
}

export function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), PEER_STOP_TIMEOUT_MS);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill(signal);
  });
}
