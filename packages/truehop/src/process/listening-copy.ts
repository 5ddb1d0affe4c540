// A second descriptor of a listening socket, for the single process, so its listeners can stop
// accepting when full (datapath/accept-switch.ts). libuv pauses a listening handle only when it
// was opened on a received descriptor; Node cannot dup() one, but it can pass a handle over an
// IPC channel (SCM_RIGHTS), which is what node:cluster does for workers. So the single process
// sends each listening handle to a short-lived helper child (listening-copy-helper.ts) that sends
// it straight back: what comes back is the same socket, the same accept queue, on a handle that
// can pause. The first descriptor is then closed (the socket lives on through the copy).
// Cost, measured on the 2-core development VM: one Node child for the whole start-up, 60-160 ms
// (load 1-2), gone before the daemon reports it listens. If it fails (no child processes
// allowed, a timeout), the listeners stay as they are and cannot pause: connections past
// maxconn wait accepted, up to the waiting line, and the rest are closed at once (as before);
// the caller says so once at start-up. TRUEHOP_LISTEN_COPY=off chooses that on purpose.
import process from 'node:process';
import { fork, type ChildProcess } from 'node:child_process';
import type net from 'node:net';
import type { ListeningCopier } from '../datapath/listener.js';

/** The helper answers within a start-up; a slower one means something is wrong. */
const COPY_TIMEOUT_MS = 5000;

export interface ListeningCopies {
  readonly copier: ListeningCopier;
  /** Why a copy failed (the first reason), or null. */
  failure(): string | null;
  /** Lets the helper exit; call once every listener is copied. */
  close(): void;
}

/** TRUEHOP_LISTEN_COPY=off: no helper, listeners that cannot pause (the fallback, on purpose). */
export const LISTEN_COPY_ENV = 'TRUEHOP_LISTEN_COPY';

export function listeningCopies(env: NodeJS.ProcessEnv = process.env): ListeningCopies {
  let child: ChildProcess | null = null;
  let failure: string | null = env[LISTEN_COPY_ENV] === 'off' ? `${LISTEN_COPY_ENV}=off` : null;
  let next = 0;
  const helper = (): ChildProcess => {
    // No inherited execArgv: the parent's V8 flags and inspector have nothing to do here.
    child ??= fork(new URL('./listening-copy-helper.js', import.meta.url), [], { stdio: ['ignore', 'ignore', 'ignore', 'ipc'], execArgv: [] });
    return child;
  };
  const copier: ListeningCopier = (server: net.Server) => {
    const handle = (server as unknown as { _handle?: object | null })._handle;
    if (failure !== null || handle === undefined || handle === null) return Promise.resolve(null);
    const id = `truehop:listening-copy:${next++}`;
    return new Promise((resolve) => {
      let cp: ChildProcess;
      const done = (copy: object | null, why: string | null): void => {
        clearTimeout(timer);
        cp.removeListener('message', onMessage);
        cp.removeListener('error', onError);
        cp.removeListener('exit', onExit);
        if (why !== null) failure ??= why;
        resolve(copy);
      };
      const onMessage = (m: unknown, copy: unknown): void => {
        if (m === id) done(typeof copy === 'object' && copy !== null ? copy : null, copy === undefined ? 'the helper sent no handle back' : null);
      };
      const onError = (err: Error): void => done(null, `helper: ${err.message}`);
      const onExit = (code: number | null, signal: string | null): void => done(null, `helper exited (${signal ?? code})`);
      const timer = setTimeout(() => done(null, `no answer from the helper in ${COPY_TIMEOUT_MS} ms`), COPY_TIMEOUT_MS);
      try {
        cp = helper();
      } catch (err) {
        clearTimeout(timer);
        failure ??= `cannot start the helper: ${err instanceof Error ? err.message : String(err)}`;
        resolve(null);
        return;
      }
      cp.on('message', onMessage);
      cp.once('error', onError);
      cp.once('exit', onExit);
      cp.send(id, handle as never);
    });
  };
  return {
    copier,
    failure: () => failure,
    close: () => {
      if (child?.connected === true) child.disconnect();
      child = null;
    },
  };
}
