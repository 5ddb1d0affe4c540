// The truehop CLI as a child process for process-model tests (signals, master-worker, -D):
// its stderr is collected so a test can wait for a log line; every wait is bounded.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect, readAll } from './peers.js';

export const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

export interface CliProcess {
  child: ChildProcess;
  /** The configuration file given with -f (rewrite it, then signal, to test a reload). */
  file: string;
  dir: string;
  /** Everything written to stderr so far. */
  stderr(): string;
  /** Resolves with the first match of `re` in stderr from `from` on (default: anywhere). */
  waitLog(re: RegExp, timeoutMs?: number, from?: number): Promise<RegExpExecArray>;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILLs the process if still running and removes the temporary directory. */
  cleanup(): void;
}

/**
 * Writes `config` to a temporary file and runs the CLI with `-f <file>` and `extraArgs`, or with
 * the arguments `args(file, dir)` returns when given; `env` replaces the inherited environment.
 */
export function startCli(
  config: string, extraArgs: readonly string[] = [], args?: (file: string, dir: string) => string[], env?: NodeJS.ProcessEnv,
): CliProcess {
  const dir = mkdtempSync(join(tmpdir(), 'truehop-proc-'));
  const file = join(dir, 'truehop.cfg');
  writeFileSync(file, config);
  const argv = args !== undefined ? args(file, dir) : ['-f', file, ...extraArgs];
  const child = spawn(process.execPath, [CLI, ...argv], { stdio: ['ignore', 'ignore', 'pipe'], ...(env === undefined ? {} : { env }) });
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  let exited = false;
  void exit.then(() => (exited = true));
  return {
    child,
    file,
    dir,
    stderr: () => err,
    async waitLog(re, timeoutMs = 10_000, from = 0) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const m = re.exec(err.slice(from));
        if (m) return m;
        if (exited || Date.now() > deadline) throw new Error(`no ${String(re)} in truehop's stderr${exited ? ' (it exited)' : ''}:\n${err}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    exit,
    cleanup() {
      if (!exited) child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A tcp-mode configuration with one frontend on 127.0.0.1:0 and the given servers. */
export function proxyConfig(serverPorts: readonly number[], global = '', frontendExtra = ''): string {
  return `global\n${global}\ndefaults\n  mode tcp\n  timeout connect 2s\n  timeout client 30s\n  timeout server 30s\n` +
    `frontend fe\n  bind 127.0.0.1:0\n${frontendExtra}  default_backend be\nbackend be\n` +
    serverPorts.map((p, i) => `  server s${i + 1} 127.0.0.1:${p}\n`).join('');
}

/** The port of the first "listening on" line. */
export async function listeningPort(cli: CliProcess, timeoutMs = 15_000): Promise<number> {
  const m = await cli.waitLog(/listening on [^\s]+:(\d+)/, timeoutMs);
  return Number(m[1]);
}

/** Connects through the proxy and returns everything the server sent before closing. */
export async function ask(port: number): Promise<string> {
  const socket = await connect(port);
  try {
    return (await readAll(socket)).toString();
  } finally {
    socket.destroy();
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
