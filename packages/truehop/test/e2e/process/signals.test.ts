// Every signal an operator may send by habit, against the real CLI process: none kills it
// without a graceful path, none opens Node's inspector (SIGUSR1 would, unhandled, listen on
// 127.0.0.1:9229 and let anyone on the host run code in the proxy).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { connect, recordingServer, type RecordingServer } from '../../support/peers.js';
import { listeningPort, proxyConfig, startCli } from '../../support/cli-process.js';

const INSPECTOR_PORT = 9229;

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ port, host: '127.0.0.1' });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

const echoServer = (): Promise<RecordingServer> => recordingServer((c) => c.socket.on('data', (d: Buffer) => c.socket.write(d)));

/** One connection through the proxy: what it sends comes back. */
async function roundTrip(port: number, text = 'ping'): Promise<void> {
  const c = await connect(port);
  try {
    c.write(text);
    const got = await new Promise<Buffer>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no echo within 5 s')), 5000);
      c.once('data', (d: Buffer) => {
        clearTimeout(timer);
        resolve(d);
      });
    });
    assert.equal(got.toString(), text);
  } finally {
    c.destroy();
  }
}

const IGNORED = ['SIGHUP', 'SIGUSR2', 'SIGQUIT', 'SIGTTIN', 'SIGTTOU'] as const;

describe('operator signals on the real binary', () => {
  it('single process: HUP, USR2, QUIT, TTIN, TTOU are logged and the daemon keeps serving', async () => {
    const rec = await echoServer();
    const cli = startCli(proxyConfig([rec.port], '  nbthread 1'));
    try {
      const port = await listeningPort(cli);
      for (const signal of IGNORED) {
        const from = cli.stderr().length;
        cli.child.kill(signal);
        await cli.waitLog(new RegExp(`${signal} received`), 5000, from);
        await roundTrip(port, signal);
      }
      // A reload needs a master: say so rather than pretend.
      assert.match(cli.stderr(), /SIGUSR2 received: reload needs master-worker mode/);
      assert.equal(cli.child.exitCode, null, 'still running');
      assert.equal(cli.child.signalCode, null, 'not killed by a signal');
    } finally {
      cli.cleanup();
      await rec.close();
    }
  });

  for (const mode of [{ name: 'single process', global: '  nbthread 1' }, { name: 'master-worker', global: '  nbthread 2\n  master-worker' }]) {
    it(`${mode.name}: SIGUSR1 opens no inspector and soft-stops (running session finishes, exit 0)`, async () => {
      const inspectorPortFree = !(await canConnect(INSPECTOR_PORT));
      const rec = await echoServer();
      const cli = startCli(proxyConfig([rec.port], mode.global));
      try {
        const port = await listeningPort(cli);
        const c = await connect(port);
        c.write('one');
        await new Promise((r) => c.once('data', r));
        cli.child.kill('SIGUSR1');
        await cli.waitLog(/SIGUSR1 received/, 5000);
        // Refused once the listener is gone (bounded wait: the workers close it on the master's word).
        const deadline = Date.now() + 5000;
        while (await canConnect(port)) {
          assert.ok(Date.now() < deadline, 'the listener closes after a soft stop');
          await new Promise((r) => setTimeout(r, 50));
        }
        if (inspectorPortFree) assert.equal(await canConnect(INSPECTOR_PORT), false, 'nothing listens on the inspector port');
        assert.doesNotMatch(cli.stderr(), /Debugger listening/);
        c.write('two');
        const echoed = await new Promise<Buffer>((r) => c.once('data', r));
        assert.equal(echoed.toString(), 'two', 'the running session still works');
        c.end();
        assert.deepEqual(await cli.exit, { code: 0, signal: null });
      } finally {
        cli.cleanup();
        await rec.close();
      }
    });
  }

  it('master-worker: QUIT, TTIN, TTOU are logged and every worker keeps serving', async () => {
    const rec = await echoServer();
    const cli = startCli(proxyConfig([rec.port], '  nbthread 2'), ['-W']);
    try {
      const port = await listeningPort(cli);
      for (const signal of ['SIGQUIT', 'SIGTTIN', 'SIGTTOU'] as const) {
        const from = cli.stderr().length;
        cli.child.kill(signal);
        await cli.waitLog(new RegExp(`${signal} received`), 5000, from);
        await roundTrip(port, signal);
      }
      assert.equal(cli.child.exitCode, null, 'still running');
      assert.doesNotMatch(cli.stderr(), /died/);
    } finally {
      cli.cleanup();
      await rec.close();
    }
  });
});
