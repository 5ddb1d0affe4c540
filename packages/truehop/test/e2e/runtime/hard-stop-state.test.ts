// A session cut by `hard-stop-after` must not look like a completed one: HAProxy 2.6 logs it
// with a K (actively killed) termination state. Both daemons run the same download, are asked
// to stop, and cut it at the limit; the test compares what the client saw and what was logged.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { haproxySkip, startHaproxy, type RunningHaproxy } from '../../support/haproxy.js';
import { listeningPort, startCli, type CliProcess } from '../../support/cli-process.js';

/** A backend that streams 1 KB every 10 ms for as long as the connection lasts. */
async function endlessBackend(): Promise<{ port: number; close(): Promise<void> }> {
  const server = net.createServer((s) => {
    s.on('error', () => {});
    const timer = setInterval(() => s.write(Buffer.alloc(1024, 0x61)), 10);
    s.on('close', () => clearInterval(timer));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () => new Promise((r) => { server.close(() => r()); }),
  };
}

function config(bind: string, backendPort: number): string {
  return 'global\n  hard-stop-after 400ms\n' +
    'defaults\n  mode tcp\n  timeout connect 2s\n  timeout client 30s\n  timeout server 30s\n' +
    '  log stderr format raw local0\n  log-format "TS %ts %B"\n' +
    `frontend fe\n  bind ${bind}\n  default_backend be\nbackend be\n  server s1 127.0.0.1:${backendPort}\n`;
}

/** 'end' (a FIN), an error code, or 'still open'. */
interface Outcome { clientSaw: string; bytes: number }

/** Downloads through `port` until the proxy closes; `stop` is called once data flows. */
function download(port: number, stop: () => void): Promise<Outcome> {
  return new Promise((resolve) => {
    const c = net.connect(port, '127.0.0.1');
    let bytes = 0;
    let stopped = false;
    c.on('data', (d: Buffer) => {
      bytes += d.length;
      if (!stopped && bytes > 10_000) {
        stopped = true;
        stop();
      }
    });
    c.on('end', () => resolve({ clientSaw: 'end', bytes }));
    c.on('error', (e: NodeJS.ErrnoException) => resolve({ clientSaw: e.code ?? e.message, bytes }));
    setTimeout(() => { c.destroy(); resolve({ clientSaw: 'still open', bytes }); }, 8000).unref();
  });
}

const cleanups: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const c of cleanups.splice(0)) await c();
});

describe('hard-stop-after: the cut session says so', () => {
  it('truehop logs K (killed) for a download cut at hard-stop-after', async () => {
    const be = await endlessBackend();
    cleanups.push(() => be.close());
    const cli: CliProcess = startCli(config('127.0.0.1:0', be.port));
    cleanups.push(() => cli.cleanup());
    const port = await listeningPort(cli);
    const outcome = await download(port, () => cli.child.kill('SIGTERM'));
    const m = await cli.waitLog(/TS (\S\S) (\d+)/, 5000);
    assert.equal(m[1], 'KD', `termination state: ${cli.stderr()}`);
    assert.ok(Number(m[2]) > 0);
    // HAProxy closes the cut session with a FIN too (see the differential below).
    assert.equal(outcome.clientSaw, 'end');
    assert.equal((await cli.exit).code, 0);
  });

  it('HAProxy 2.6 beside it: K, FIN to the client', { skip: haproxySkip }, async () => {
    const be = await endlessBackend();
    cleanups.push(() => be.close());
    let logs = '';
    const h: RunningHaproxy = await startHaproxy(1, ([p]) => config(`127.0.0.1:${p}`, be.port));
    cleanups.push(() => h.stop());
    const pid = h.pid;
    const outcome = await download(h.ports[0] as number, () => process.kill(pid, 'SIGUSR1'));
    const deadline = Date.now() + 5000;
    // The download's line: the one with the most bytes (the start-up probe's session logs a
    // few bytes at most, sent by the backend before the probe closed).
    const lines = (): RegExpExecArray[] => [...(logs = h.stderr()).matchAll(/TS (\S)(\S) (\d+)/g)];
    const cutLine = (): RegExpExecArray | undefined => lines().find((l) => Number(l[3]) >= outcome.bytes && outcome.bytes > 0);
    while (cutLine() === undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const m = cutLine();
    // HAProxy 2.6 logs `K-` (its phase letter stays '-' after a kill); truehop keeps the phase
    // the session was in (D), which says more. Both start with K.
    assert.equal(m?.[1], 'K', logs + JSON.stringify(outcome));
    assert.equal(outcome.clientSaw, 'end');
  });
});
