// The load balancer under soak, as an operator runs it: truehop's CLI or HAProxy 2.6 in the
// foreground, from the same configuration text, logging one line per session to stderr in a
// shared log-format (`SOAK %ts %rc %s %B`). Descriptors and RSS are read from /proc.
import process from 'node:process';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitListening } from '../../test/support/listening.js';

export const TRUEHOP_CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

export type BalancerName = 'truehop' | 'haproxy';

export interface SoakConfig {
  port: number;
  proxyPort: number;
  serverPorts: readonly number[];
  /** Health check rise (the DOWN-delivery count needs it). */
  rise: number;
  maxconn: number;
}

export function soakConfigText(c: SoakConfig): string {
  return [
    'global',
    `  maxconn ${c.maxconn}`,
    '  hard-stop-after 3s',
    'defaults',
    '  mode tcp',
    '  retries 3',
    '  option redispatch',
    '  timeout connect 1s',
    '  timeout client 5s',
    '  timeout server 2s',
    '  log stderr format raw local0',
    '  log-format "SOAK %ts %rc %s %B"',
    'frontend fe',
    `  bind 127.0.0.1:${c.port}`,
    '  default_backend be',
    'frontend fe_pp',
    `  bind 127.0.0.1:${c.proxyPort} accept-proxy`,
    '  default_backend be',
    'backend be',
    '  balance roundrobin',
    ...c.serverPorts.map((p, i) => `  server s${i + 1} 127.0.0.1:${p} check inter 200 fall 2 rise ${c.rise}`),
    '',
  ].join('\n');
}

export interface Usage {
  fds: number;
  rssKb: number;
}

/** How long a stop may take before SIGKILL: hard-stop-after (3 s) and some. */
const STOP_GRACE_MS = 5000;

function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'latin1').trim().split(' ').filter((c) => c !== '').map(Number);
  } catch {
    return [];
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Open descriptors and resident memory of `pid` and its children (truehop's workers), from /proc; -1 when unreadable. */
export function usageOf(pid: number): Usage {
  let fds = 0;
  let rssKb = 0;
  if (!alive(pid)) return { fds: -1, rssKb: -1 };
  const pids = [pid, ...childrenOf(pid)];
  for (const p of pids) {
    try {
      fds += readdirSync(`/proc/${p}/fd`).length;
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${p}/status`, 'latin1'));
      if (m) rssKb += Number(m[1]);
    } catch {
      // exited meanwhile
    }
  }
  return { fds, rssKb };
}

export interface BalancerProcess {
  readonly name: BalancerName;
  readonly pid: number;
  /** Termination state → sessions, from the log lines so far. */
  readonly states: Map<string, number>;
  /** Log lines whose retries field starts with '+' (a redispatch). */
  redispatched: number;
  logLines: number;
  /** Its other stderr lines (start-up, health, warnings), the first 10 KB. */
  otherOutput(): string;
  stop(): Promise<void>;
}

/** `Server be/s3 is DOWN, reason: …` (HAProxy's line, which truehop writes the same way). */
const SERVER_STATE_LINE = /Server be\/s(\d+) is (UP|DOWN)/;

/**
 * `onServerState(index, up)` hears every UP/DOWN line of server s<index+1> as it arrives.
 */
export async function startBalancer(
  name: BalancerName,
  config: SoakConfig,
  nodeFlags: readonly string[] = [],
  cli: string = TRUEHOP_CLI,
  onServerState: (index: number, up: boolean) => void = () => {},
): Promise<BalancerProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'truehop-soak-'));
  const file = join(dir, `${name}.cfg`);
  writeFileSync(file, soakConfigText(config));
  const child: ChildProcess = name === 'haproxy'
    ? spawn(process.env['HAPROXY_BIN'] ?? 'haproxy', ['-db', '-f', file], { stdio: ['ignore', 'ignore', 'pipe'] })
    : spawn(process.execPath, [...nodeFlags, cli, '-f', file], { stdio: ['ignore', 'ignore', 'pipe'] });
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => {
    exited = true;
    resolve();
  }));
  const proc: BalancerProcess = {
    name,
    pid: child.pid as number,
    states: new Map(),
    redispatched: 0,
    logLines: 0,
    otherOutput: () => other,
    async stop() {
      // A graceful stop (HAProxy: SIGUSR1, truehop: SIGTERM) bounded by hard-stop-after, then
      // SIGKILL for the process and the workers it had: the next run binds the same ports and
      // must not find a survivor still accepting on them.
      const family = [proc.pid, ...childrenOf(proc.pid)];
      if (!exited) child.kill(name === 'haproxy' ? 'SIGUSR1' : 'SIGTERM');
      const killer = setTimeout(() => {
        for (const p of family) {
          try {
            process.kill(p, 'SIGKILL');
          } catch {
            // already gone
          }
        }
      }, STOP_GRACE_MS);
      await exit;
      clearTimeout(killer);
      for (let i = 0; i < 100 && family.some(alive); i++) await new Promise((r) => setTimeout(r, 50));
      rmSync(dir, { recursive: true, force: true });
    },
  };
  let rest = '';
  let other = '';
  child.stderr?.setEncoding('latin1');
  child.stderr?.on('data', (d: string) => {
    const lines = (rest + d).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) {
      const at = line.indexOf('SOAK ');
      const state = at < 0 ? SERVER_STATE_LINE.exec(line) : null;
      if (state !== null) onServerState(Number(state[1]) - 1, state[2] === 'UP');
      if (at < 0) {
        if (other.length < 10_000) other += line + '\n';
        continue;
      }
      // SOAK <ts> <rc> <server> <bytes>
      const f = line.slice(at).split(' ');
      const ts = f[1] ?? '??';
      proc.states.set(ts, (proc.states.get(ts) ?? 0) + 1);
      if (f[2]?.startsWith('+') === true) proc.redispatched++;
      proc.logLines++;
    }
  });
  const up = await waitListening(config.proxyPort, 15_000, 50, () => exited);
  if (up !== 'listening') {
    await proc.stop();
    throw new Error(`${name} did not start (${up}):\n${other}`);
  }
  return proc;
}
