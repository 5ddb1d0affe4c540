// Connection failures to servers: retries, `option redispatch` (the last retry goes to
// another server), the final failure logged as SC/sC, and `timeout connect`.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { spawn, type ChildProcess } from 'node:child_process';
import { startDaemon, type RunningDaemon } from '../../../src/runtime/run.js';
import { server, simple, stdoutLog } from '../../support/model.js';
import { Capture, closedWithin, connect, deadPort, recordingServer, waitFor, type RecordingServer } from '../../support/peers.js';
import { peerSkip, requirePeer } from '../../support/require-peer.js';

const toClose: { daemon?: RunningDaemon; rec?: RecordingServer; child?: ChildProcess; socket?: net.Socket }[] = [];
after(async () => {
  for (const t of toClose.splice(0)) {
    await t.daemon?.stop(100);
    await t.rec?.close();
    t.child?.kill();
    t.socket?.destroy();
  }
});

describe('connect failures', () => {
  it('redispatch: the last retry goes to another server; the session succeeds', async () => {
    const rec = await recordingServer((c) => c.socket.write('from-live'));
    const logs = new Capture();
    const daemon = await startDaemon(
      simple([server('dead', deadPort()), server('live', rec.port)], {
        backend: { retries: 1, redispatch: true },
        frontend: { logs: [stdoutLog()] },
      }),
      { stdout: logs },
    );
    toClose.push({ daemon, rec });
    const c = await connect(daemon.listening.get('fe')?.[0]?.port as number);
    const got = await new Promise<Buffer>((resolve) => c.once('data', resolve));
    assert.equal(got.toString(), 'from-live');
    c.destroy();
    await waitFor(() => logs.lines().length === 1, 2000, 'log line');
    // %s is the server that finally served; %rc = 1 retry, '+' for the redispatch; normal termination.
    assert.match(logs.text, / fe be\/live -?\d+\/\d+\/\d+ \d+ -- \d+\/\d+\/\d+\/\d+\/\+1 /);
    assert.equal(daemon.counters.redispatches, 1);
    assert.equal(daemon.counters.connectErrors, 1);
  });

  it('without redispatch: retries the same server, then closes the client and logs SC', async () => {
    const logs = new Capture();
    const daemon = await startDaemon(
      simple([server('dead', deadPort())], { backend: { retries: 1 }, frontend: { logs: [stdoutLog()] } }),
      { stdout: logs },
    );
    toClose.push({ daemon });
    const c = await connect(daemon.listening.get('fe')?.[0]?.port as number);
    assert.equal(await closedWithin(c, 4000), true);
    await waitFor(() => logs.lines().length === 1, 2000, 'log line');
    assert.match(logs.text, / fe be\/dead -?\d+\/-1\/\d+ 0 SC \d+\/\d+\/\d+\/\d+\/1 /);
    assert.equal(daemon.counters.connectErrors, 2);
  });

  it('timeout connect: a server that never completes the handshake is abandoned (sC)', { skip: peerSkip('python3') }, async (t) => {
    const port = await hangingServer();
    if (port === null) {
      t.skip('this kernel still completes handshakes on a full accept queue');
      return;
    }
    const logs = new Capture();
    const daemon = await startDaemon(
      simple([server('slow', port)], { backend: { retries: 0, timeouts: { connect: 200, server: 5000 } }, frontend: { logs: [stdoutLog()] } }),
      { stdout: logs },
    );
    toClose.push({ daemon });
    const c = await connect(daemon.listening.get('fe')?.[0]?.port as number);
    const t0 = Date.now();
    assert.equal(await closedWithin(c, 3000), true);
    assert.ok(Date.now() - t0 >= 150);
    await waitFor(() => logs.lines().length === 1, 2000, 'log line');
    assert.match(logs.text, / sC /);
  });

  it('a client that leaves while its server connect hangs: the abandoned attempt is no connect error', { skip: peerSkip('python3') }, async (t) => {
    const port = await hangingServer();
    if (port === null) {
      t.skip('this kernel still completes handshakes on a full accept queue');
      return;
    }
    const daemon = await startDaemon(
      simple([server('slow', port)], { backend: { retries: 0, timeouts: { connect: 300, server: 5000 } } }),
    );
    toClose.push({ daemon });
    const c = await connect(daemon.listening.get('fe')?.[0]?.port as number);
    // Leave while the connect is pending (well inside the 300 ms connect timeout) …
    await new Promise((r) => setTimeout(r, 80));
    c.resetAndDestroy();
    // … then wait past the point where the abandoned attempt's timer would have fired.
    await new Promise((r) => setTimeout(r, 700));
    assert.equal(daemon.counters.connectErrors, 0, 'the connect the session gave up is counted as a server error');
    assert.equal(daemon.counters.retries, 0);
  });
});

/**
 * A listener whose accept queue is full drops further SYNs: a connect to it hangs, which is what
 * a dead host looks like, without leaving loopback. python3 holds the listener (listen backlog
 * 0, never accepts); fillers occupy its queue. Null when the kernel still completes handshakes.
 */
async function hangingServer(): Promise<number | null> {
  const child = spawn(requirePeer('python3'), ['-c', [
    'import socket,sys,time',
    's=socket.socket(); s.bind(("127.0.0.1",0)); s.listen(0)',
    'print(s.getsockname()[1], flush=True)',
    'time.sleep(30)',
  ].join('\n')], { stdio: ['ignore', 'pipe', 'ignore'] });
  toClose.push({ child });
  const port = await new Promise<number>((resolve) => {
    child.stdout?.once('data', (d: Buffer) => resolve(Number(d.toString().trim())));
    child.once('error', () => resolve(0));
  });
  assert.notEqual(port, 0, 'python3 did not start');
  for (let i = 0; i < 3; i++) {
    const f = net.connect(port, '127.0.0.1');
    f.on('error', () => {});
    toClose.push({ socket: f });
  }
  await new Promise((r) => setTimeout(r, 200));
  const probe = net.connect(port, '127.0.0.1');
  probe.on('error', () => {});
  toClose.push({ socket: probe });
  const probeConnected = await new Promise<boolean>((resolve) => {
    probe.once('connect', () => resolve(true));
    setTimeout(() => resolve(false), 300);
  });
  probe.destroy();
  return probeConnected ? null : port;
}
