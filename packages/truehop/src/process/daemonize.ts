// `-D` as HAProxy's: the command returns once the daemon accepts connections (exit 0), or
// with the reason it could not start (exit 1), and the daemon runs on detached from the
// terminal and its session, with stdin/stdout/stderr closed (logs go to the `log` targets).
// The configuration was checked before this point, so its diagnostics reached the terminal.
// The background process is the same command started again with TRUEHOP_DAEMON_CHILD set; it
// reports readiness over an IPC channel that it closes right after.
import process from 'node:process';
import { spawn } from 'node:child_process';

const CHILD_ENV = 'TRUEHOP_DAEMON_CHILD';
/** How long the background process may take to start listening. */
export const DAEMON_START_TIMEOUT_MS = 30_000;

type ChildReport = { type: 'truehop:ready' } | { type: 'truehop:failed'; reason: string };

export function isDaemonChild(): boolean {
  return process.env[CHILD_ENV] === '1';
}

/** In the background process: tells the waiting command how the start went, then lets it go. */
export function reportToDaemonParent(report: ChildReport): void {
  if (!isDaemonChild() || process.send === undefined) return;
  process.send(report, () => process.disconnect());
}

export function daemonize(stderr: NodeJS.WritableStream): Promise<number> {
  const script = process.argv[1] as string;
  const child = spawn(process.execPath, [...process.execArgv, script, ...process.argv.slice(2)], {
    detached: true,
    stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
    env: { ...process.env, [CHILD_ENV]: '1' },
  });
  return new Promise<number>((resolve) => {
    const finish = (code: number, message?: string): void => {
      clearTimeout(timer);
      if (message !== undefined) stderr.write(`truehop: ${message}\n`);
      child.removeAllListeners();
      if (child.connected) child.disconnect();
      child.unref();
      resolve(code);
    };
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      finish(1, `the daemon did not start within ${DAEMON_START_TIMEOUT_MS} ms`);
    }, DAEMON_START_TIMEOUT_MS);
    child.on('message', (m: ChildReport) => {
      if (m.type === 'truehop:ready') finish(0);
      else finish(1, `the daemon failed to start: ${m.reason}`);
    });
    child.once('exit', (code, signal) => finish(1, `the daemon exited during start (${signal ?? `exit code ${code}`})`));
    child.once('error', (err) => finish(1, `cannot start the daemon: ${err.message}`));
  });
}
