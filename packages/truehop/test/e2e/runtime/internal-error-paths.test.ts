// The internal-error paths the CLI test (internal-error.test.ts) cannot reach with
// TRUEHOP_FAULT_INJECT alone, on an in-process daemon whose data-path methods are made to throw:
//  * a session waiting in the backend queue (its `timeout queue` callback throws): `IQ`, its
//    queue place given back;
//  * the handling of an internal error fails too (a second exception while the session is being
//    reset): the session is ended at once without its log line, and every slot still comes back.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type net from 'node:net';
import { connect, recordingServer } from '../../support/peers.js';

// The data fault of the second case; read by fault-inject.ts when it loads (below, dynamically).
process.env.TRUEHOP_FAULT_INJECT = 'data@fe_twice';
const { daemonFromText } = await import('../../support/config-daemon.js');
const { ServerSetup } = await import('../../../src/datapath/server-setup.js');
const { ForwardingPair } = await import('../../../src/datapath/forwarding-pair.js');

const cleanups: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Replaces `name` on `proto` until the test's cleanup. */
function patch(proto: object, name: string, impl: (...args: unknown[]) => unknown): void {
  const target = proto as Record<string, unknown>;
  const original = target[name];
  target[name] = impl;
  cleanups.push(() => void (target[name] = original));
}

/** How a client's connection ended: 'end', an error code, or 'still open' after `ms`. */
function ending(c: net.Socket, ms = 5000): Promise<string> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve('still open'), ms);
    const done = (how: string): void => {
      clearTimeout(timer);
      resolve(how);
    };
    c.on('error', (e: NodeJS.ErrnoException) => done(e.code ?? e.message));
    c.on('end', () => done('end'));
    c.on('close', () => done('end'));
    c.resume();
  });
}

async function waitFor(cond: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

describe('internal error paths (in-process daemon)', () => {
  it('a session waiting in the queue ends with IQ and leaves the queue; the next one is served', async () => {
    const holders: net.Socket[] = [];
    const server = await recordingServer((conn) => conn.socket.write('hi\n'));
    cleanups.push(() => server.close());
    const d = await daemonFromText('defaults\n  mode tcp\n  timeout connect 2s\n  timeout client 10s\n  timeout server 10s\n  timeout queue 200ms\n' +
      '  log stdout format raw local0\n  log-format "TS %ts %B"\n' +
      `frontend fe\n  bind 127.0.0.1:0\n  default_backend be\nbackend be\n  server s1 127.0.0.1:${server.port} maxconn 1\n`);
    cleanups.push(() => d.daemon.stop(0));
    let thrown = 0;
    patch(ServerSetup.prototype, 'onQueueTimeout', () => {
      thrown++;
      throw new Error('bug in the queue timeout');
    });
    // The one slot is held by a first session; the second waits in the queue until timeout queue.
    const first = await connect(d.port('fe'));
    holders.push(first);
    cleanups.push(() => void first.destroy());
    assert.ok(await waitFor(() => server.connections.length === 1, 3000));
    const second = await connect(d.port('fe'));
    cleanups.push(() => void second.destroy());
    assert.match(await ending(second), /^(ECONNRESET|EPIPE)$/, 'the queued client is reset');
    assert.equal(thrown, 1);
    assert.ok(await waitFor(() => /^TS IQ 0$/m.test(d.logs.text), 3000), d.logs.text);
    const be = d.daemon.stats().backends.find((b) => b.name === 'be');
    assert.equal(be?.qcur, 0, 'nobody left in the queue');
    assert.equal(be?.counters.eint, 1);
    // The first session still runs; once it ends a new one gets the slot.
    first.destroy();
    assert.ok(await waitFor(() => d.daemon.counters.sessionsActive === 0, 3000));
    const third = await connect(d.port('fe'));
    cleanups.push(() => void third.destroy());
    assert.ok(await waitFor(() => server.connections.length === 2, 3000), 'the next session reached the server');
    assert.match(d.logs.text, /alert: internal error in a session of frontend fe \(phase Q\).*bug in the queue timeout/);
  });

  it('a second exception while the session is being reset ends it at once: no log line, no loop, every slot back', async () => {
    const server = await recordingServer((conn) => conn.socket.write('hello\n'));
    cleanups.push(() => server.close());
    const d = await daemonFromText('defaults\n  mode tcp\n  timeout connect 2s\n  timeout client 10s\n  timeout server 10s\n' +
      '  log stdout format raw local0\n  log-format "TS %ft %ts %B"\n' +
      `frontend fe_twice\n  bind 127.0.0.1:0\n  maxconn 1\n  default_backend be\nfrontend fe_ok\n  bind 127.0.0.1:0\n  default_backend be\n` +
      `backend be\n  server s1 127.0.0.1:${server.port}\n`);
    cleanups.push(() => d.daemon.stop(0));
    let kills = 0;
    // The data fault (TRUEHOP_FAULT_INJECT) starts the reset; resetting the stream then throws too.
    patch(ForwardingPair.prototype, 'kill', () => {
      kills++;
      throw new Error('bug while resetting');
    });
    for (let i = 0; i < 2; i++) {
      // maxconn 1: the second session is served only if the first gave its slot back.
      const c = await connect(d.port('fe_twice'));
      cleanups.push(() => void c.destroy());
      assert.notEqual(await ending(c), 'still open', `session ${i} was closed`);
    }
    assert.ok(await waitFor(() => d.daemon.counters.sessionsActive === 0, 3000), 'no session left open');
    // kill() ran once per session: the reset, which threw; the forced end closes without it.
    assert.equal(kills, 2);
    const stats = d.daemon.stats();
    const fe = stats.frontends.find((f) => f.name === 'fe_twice');
    assert.equal(fe?.counters.eint, 2, 'one per session');
    assert.equal(fe?.scur, 0);
    assert.equal(stats.backends.find((b) => b.name === 'be')?.servers[0]?.scur, 0, 'the server slot is back');
    assert.equal(d.daemon.counters.internalErrors, 4, 'both exceptions of each session reported');
    assert.doesNotMatch(d.logs.text, /^TS fe_twice /m, 'a force-ended session has no log line');
    // Everything else goes on.
    const ok = await connect(d.port('fe_ok'));
    cleanups.push(() => void ok.destroy());
    const greeting = await new Promise<string>((resolve) => ok.once('data', (b: Buffer) => resolve(b.toString())));
    assert.equal(greeting, 'hello\n');
  });
});
