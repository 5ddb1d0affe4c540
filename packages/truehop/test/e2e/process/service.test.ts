// How an operator runs truehop: the systemd unit in docs/ (its ExecStart, ExecReload and
// KillSignal executed as systemd would, against the real CLI; this machine has no systemd as
// PID 1), and `-D` with `-p <pidfile>` as HAProxy's.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { recordingServer, waitFor } from '../../support/peers.js';
import { ask, CLI, isAlive, listeningPort, proxyConfig, startCli } from '../../support/cli-process.js';

const UNIT = fileURLToPath(new URL('../../../../../../docs/truehop.service', import.meta.url));
const run = promisify(execFile);

/** The unit's `Key=value` lines (repeated keys kept in order). */
function unitLines(key: string): string[] {
  return readFileSync(UNIT, 'utf8').split('\n').filter((l) => l.startsWith(`${key}=`)).map((l) => l.slice(key.length + 1));
}



/** A free port above 61000 (the -D daemon's stderr is closed, so port 0 could not be learnt). */
async function freeHighPort(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = 61000 + Math.floor(Math.random() * 4000);
    const free = await new Promise<boolean>((resolve) => {
      const s = net.createServer().once('error', () => resolve(false)).listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error('no free port above 61000');
}

describe('running truehop as a service', () => {
  it('docs/truehop.service: ExecStart runs the master, ExecReload reloads it, KillSignal stops it gracefully', async () => {
    const rec = await recordingServer((c) => c.socket.end('A'));
    const rec2 = await recordingServer((c) => c.socket.end('B'));
    // systemd's own expansion of the unit's variables and of the binary path.
    const env = new Map<string, string>();
    const expand = (line: string): string => line.replace(/\$(\w+)/g, (_, name: string) => env.get(name) ?? `$${name}`);
    const toArgs = (line: string): string[] => expand(line).split(/\s+/).slice(1);
    const [execStart] = unitLines('ExecStart');
    assert.ok(execStart?.startsWith('/usr/bin/truehop '));
    const cli = startCli(proxyConfig([rec.port], '  nbthread 2'), [], (file, dir) => {
      env.set('CONFIG', file);
      env.set('PIDFILE', join(dir, 'truehop.pid'));
      return toArgs(execStart as string);
    });
    try {
      const port = await listeningPort(cli);
      assert.equal(await ask(port), 'A');
      const pidfile = env.get('PIDFILE') as string;
      await waitFor(() => existsSync(pidfile), 5000, 'the pid file');
      const mainPid = Number(readFileSync(pidfile, 'utf8').trim());
      assert.equal(mainPid, cli.child.pid, 'the pid file names the master');
      env.set('MAINPID', String(mainPid));
      writeFileSync(cli.file, proxyConfig([rec2.port], '  nbthread 2'));
      const from = cli.stderr().length;
      for (const line of unitLines('ExecReload')) {
        const [bin, ...args] = expand(line).split(/\s+/);
        if (bin === '/usr/bin/truehop') await run(process.execPath, [CLI, ...args]);
        else await run(bin as string, args);
      }
      await cli.waitLog(/SIGUSR2 received: reloading/, 5000, from);
      await cli.waitLog(/reloaded: old workers/, 15_000, from);
      assert.equal(await ask(port), 'B');
      const [killSignal] = unitLines('KillSignal');
      assert.equal(unitLines('KillMode')[0], 'mixed', 'only the master gets the stop signal');
      cli.child.kill(killSignal as NodeJS.Signals);
      assert.deepEqual(await cli.exit, { code: 0, signal: null });
      assert.equal(existsSync(pidfile), false, 'the pid file is removed on a clean exit');
    } finally {
      cli.cleanup();
      await Promise.all([rec.close(), rec2.close()]);
    }
  });

  it('-D returns once the daemon accepts, -p names it, SIGTERM stops it and removes the pid file', async () => {
    const rec = await recordingServer((c) => c.socket.end('A'));
    const port = await freeHighPort();
    const config = proxyConfig([rec.port], '  nbthread 1').replace('127.0.0.1:0', `127.0.0.1:${port}`);
    const cli = startCli(config, [], (file, dir) => ['-D', '-p', join(dir, 'truehop.pid'), '-f', file]);
    let daemonPid = 0;
    try {
      assert.deepEqual(await cli.exit, { code: 0, signal: null }, `the command returns 0: ${cli.stderr()}`);
      const pidfile = join(cli.dir, 'truehop.pid');
      daemonPid = Number(readFileSync(pidfile, 'utf8').trim());
      assert.ok(daemonPid !== cli.child.pid && isAlive(daemonPid), 'a background process runs');
      assert.equal(await ask(port), 'A', 'and accepts at once');
      process.kill(daemonPid, 'SIGTERM');
      await waitFor(() => !isAlive(daemonPid), 10_000, 'the daemon to exit');
      assert.equal(existsSync(pidfile), false);
    } finally {
      if (daemonPid !== 0 && isAlive(daemonPid)) process.kill(daemonPid, 'SIGKILL');
      cli.cleanup();
      await rec.close();
    }
  });

  it('-D reports a daemon that cannot start (address in use) with exit 1', async () => {
    const taken = net.createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    const port = (taken.address() as net.AddressInfo).port;
    const cli = startCli(proxyConfig([1], '  nbthread 1').replace('127.0.0.1:0', `127.0.0.1:${port}`), ['-D']);
    try {
      assert.equal((await cli.exit).code, 1);
      assert.match(cli.stderr(), /the daemon failed to start: .*EADDRINUSE/);
    } finally {
      cli.cleanup();
      await new Promise((r) => taken.close(r));
    }
  });
});
