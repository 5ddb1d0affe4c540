// Runs the real HAProxy (Debian's package, 2.6) in the foreground with a config
// text, on loopback ports 63000–63999, for differential tests. Tests declare
// `{ skip: peerSkip('haproxy') }`: skipped and counted when it is missing, a failure in CI.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitListening } from './listening.js';
import { peerSkip, requirePeer } from './require-peer.js';

export const PORT_RANGE_START = 63000;
export const PORT_RANGE_END = 63999;

/** The HAProxy binary ($HAPROXY_BIN, else the registered peer); throws when it is missing. */
export function haproxyBin(): string {
  return process.env['HAPROXY_BIN'] ?? requirePeer('haproxy');
}

/** The `skip` option of a test that runs HAProxy (never skipped when $HAPROXY_BIN is set). */
export const haproxySkip: false | string = process.env['HAPROXY_BIN'] === undefined && peerSkip('haproxy');

export interface RunningHaproxy {
  ports: number[];
  /** The HAProxy process (for signals: SIGUSR1 soft stop, and descriptor/RSS sampling). */
  pid: number;
  stderr(): string;
  stop(): Promise<void>;
}

/**
 * Starts HAProxy with `config(ports)`, where `ports` are `count` consecutive free ports of
 * the range; retries with other ports if HAProxy cannot bind (another test holds them).
 */
export async function startHaproxy(count: number, config: (ports: number[]) => string): Promise<RunningHaproxy> {
  const bin = haproxyBin();
  const dir = mkdtempSync(join(tmpdir(), 'truehop-haproxy-'));
  for (let attempt = 0; attempt < 5; attempt++) {
    const base = PORT_RANGE_START + Math.floor(Math.random() * (PORT_RANGE_END - PORT_RANGE_START - count));
    const ports = Array.from({ length: count }, (_, i) => base + i);
    const file = join(dir, 'haproxy.cfg');
    writeFileSync(file, config(ports));
    const child: ChildProcess = spawn(bin, ['-db', '-f', file], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    let exited = false;
    child.once('exit', () => (exited = true));
    const up = (await waitListening(ports[ports.length - 1] as number, 5000, 50, () => exited)) === 'listening';
    if (up) {
      return {
        ports,
        pid: child.pid as number,
        stderr: () => err,
        stop: () =>
          new Promise<void>((resolve) => {
            const done = (): void => {
              rmSync(dir, { recursive: true, force: true });
              resolve();
            };
            if (exited) return done();
            const kill = setTimeout(() => child.kill('SIGKILL'), 2000);
            child.once('exit', () => {
              clearTimeout(kill);
              done();
            });
            child.kill('SIGTERM');
          }),
      };
    }
    child.kill('SIGKILL');
    if (!/cannot bind|Address already in use/i.test(err) && attempt > 0) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`HAProxy did not start: ${err}`);
    }
  }
  rmSync(dir, { recursive: true, force: true });
  throw new Error('HAProxy could not bind a free port range in 63000–63999');
}
