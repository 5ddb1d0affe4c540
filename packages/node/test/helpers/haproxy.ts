// Runs Debian's HAProxy as a child process in the foreground (`-db`) with a config written to
// a temporary directory, waits until its frontends accept connections, and stops it.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { requirePeer } from './require-peer.js';

export interface RunningHaproxy {
  stop(): Promise<void>;
  /** Everything HAProxy printed (for failure messages). */
  output(): string;
}

export async function startHaproxy(config: string, frontendPorts: readonly number[]): Promise<RunningHaproxy> {
  const haproxy = requirePeer('haproxy');
  const dir = mkdtempSync(join(tmpdir(), 'truehop-node-haproxy-'));
  const file = join(dir, 'haproxy.cfg');
  writeFileSync(file, config);
  let output = '';
  const child: ChildProcess = spawn(haproxy, ['-db', '-f', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (d: Buffer) => { output += d.toString(); });
  child.stderr?.on('data', (d: Buffer) => { output += d.toString(); });
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => { exited = true; resolve(); }));

  const stop = async (): Promise<void> => {
    if (!exited) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
      await exit;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    for (const port of frontendPorts) {
      const deadline = Date.now() + 5000;
      while (!(await canConnect(port))) {
        if (exited) throw new Error(`haproxy exited before listening on ${port}:\n${output}`);
        if (Date.now() > deadline) throw new Error(`haproxy did not listen on ${port} within 5 s:\n${output}`);
        await sleep(25);
      }
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { stop, output: () => output };
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => { socket.destroy(); resolve(false); });
  });
}

/** A minimal HAProxy config: one TCP frontend → one server line per (port, server options). */
export function tcpRelayConfig(routes: readonly { frontendPort: number; backendPort: number; serverOptions: string }[]): string {
  const lines = [
    'global',
    '  maxconn 4096',
    'defaults',
    '  mode tcp',
    '  timeout connect 5s',
    '  timeout client 30s',
    '  timeout server 30s',
  ];
  routes.forEach((route, i) => {
    lines.push(
      `frontend fe${i}`,
      `  bind 127.0.0.1:${route.frontendPort}`,
      `  default_backend be${i}`,
      `backend be${i}`,
      `  server s${i} 127.0.0.1:${route.backendPort} ${route.serverOptions}`.trimEnd(),
    );
  });
  return lines.join('\n') + '\n';
}
