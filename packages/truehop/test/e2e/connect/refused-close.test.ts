// When no server can be reached, the client is closed with a FIN it can read, not a reset:
// an uploading client has unread bytes in our socket at that moment, and closing such a socket
// makes the kernel reset it. Both daemons get the same uploads against refusing servers.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startDaemon, type RunningDaemon } from '../../../src/runtime/run.js';
import { server, simple } from '../../support/model.js';
import { haproxySkip, startHaproxy, type RunningHaproxy } from '../../support/haproxy.js';
import { deadPort } from '../../support/peers.js';

const CLIENTS = 40;
const UPLOAD = 200_000;

/** CLIENTS uploads at once through `port`; how each one saw the end ('end' or an error code). */
async function uploads(port: number): Promise<Record<string, number>> {
  const seen: Record<string, number> = {};
  await Promise.all(Array.from({ length: CLIENTS }, () => new Promise<void>((resolve) => {
    const c = net.connect(port, '127.0.0.1');
    const done = (how: string): void => {
      seen[how] = (seen[how] ?? 0) + 1;
      c.destroy();
      resolve();
    };
    c.on('connect', () => c.write(Buffer.alloc(UPLOAD, 0x75)));
    c.resume();
    c.on('end', () => done('end'));
    c.on('error', (e: NodeJS.ErrnoException) => done(e.code ?? 'error'));
    setTimeout(() => done('hung'), 10_000).unref();
  })));
  return seen;
}

const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const c of cleanups.splice(0)) await c();
});

describe('refused servers: the client sees a clean close', () => {
  it('truehop: every uploading client reads the FIN (no reset)', async () => {
    const daemon: RunningDaemon = await startDaemon(simple([server('a', deadPort()), server('b', deadPort())], {
      backend: { retries: 3, redispatch: true, timeouts: { connect: 2000, server: 10_000 } },
    }));
    cleanups.push(() => daemon.stop(100));
    const seen = await uploads(daemon.listening.get('fe')?.[0]?.port as number);
    assert.deepEqual(seen, { end: CLIENTS });
  });

  it('HAProxy 2.6 beside it: no reset either', { skip: haproxySkip }, async () => {
    const a = deadPort();
    const b = deadPort();
    const h: RunningHaproxy = await startHaproxy(1, ([p]) => 'defaults\n  mode tcp\n  retries 3\n  option redispatch\n' +
      '  timeout connect 2s\n  timeout client 10s\n  timeout server 10s\n' +
      `frontend fe\n  bind 127.0.0.1:${p}\n  default_backend be\nbackend be\n  server a 127.0.0.1:${a}\n  server b 127.0.0.1:${b}\n`);
    cleanups.push(() => h.stop());
    const seen = await uploads(h.ports[0] as number);
    assert.deepEqual(seen, { end: CLIENTS });
  });
});
