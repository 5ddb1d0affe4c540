// Master-worker mode with real processes: nbthread workers each accept from the shared
// listening socket, a SIGKILLed worker is replaced while the others serve, SIGUSR2 reloads
// (new server set for new connections, no refused connection meanwhile), a broken file keeps
// the old configuration, and a transfer started before a reload completes intact within
// hard-stop-after, or is cut at the limit.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import { connect, deadPort, readAll, recordingServer, type RecordingServer } from '../../support/peers.js';
import { ask, isAlive, listeningPort, proxyConfig, startCli, type CliProcess } from '../../support/cli-process.js';

const PID_LOG = '  log stderr format raw local0\n  log-format "served-by=%pid"\n';

/** A server that answers every connection with its own name, then closes. */
const namedServer = (name: string): Promise<RecordingServer> => recordingServer((c) => c.socket.end(name));


function workerPids(cli: CliProcess, from = 0): Promise<number[]> {
  return cli.waitLog(/(?:started \d+ workers?:|new workers) ([\d,]+)/, 15_000, from).then((m) => (m[1] as string).split(',').map(Number));
}


describe('master-worker', () => {
  it('nbthread 2: both workers accept connections from the shared listener', async () => {
    const rec = await namedServer('s1');
    const cli = startCli(proxyConfig([rec.port], '  nbthread 2', PID_LOG));
    try {
      const port = await listeningPort(cli);
      const pids = await workerPids(cli);
      assert.equal(pids.length, 2);
      // Which worker wins an accept is the kernel's choice: open concurrent batches until each
      // worker has served at least one (bounded), as the access log's %pid shows.
      const servedBy = (): Set<number> => new Set([...cli.stderr().matchAll(/served-by=(\d+)/g)].map((m) => Number(m[1])));
      for (let batch = 0; batch < 30 && servedBy().size < 2; batch++) {
        const answers = await Promise.all(Array.from({ length: 10 }, () => ask(port)));
        assert.ok(answers.every((a) => a === 's1'));
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.deepEqual([...servedBy()].sort(), [...pids].sort(), 'every worker accepted, and only workers did');
    } finally {
      cli.cleanup();
      await rec.close();
    }
  });

  it('counters are kept per worker; the master logs each and their sum when it stops', async () => {
    const rec = await namedServer('s1');
    const cli = startCli(proxyConfig([rec.port], '  nbthread 2', PID_LOG));
    try {
      const port = await listeningPort(cli);
      for (let batch = 0; batch < 4; batch++) await Promise.all(Array.from({ length: 5 }, () => ask(port)));
      cli.child.kill('SIGTERM');
      assert.deepEqual(await cli.exit, { code: 0, signal: null });
      const log = cli.stderr();
      const perWorker = [...log.matchAll(/counters of worker (\d+): .*?sessionsTotal=(\d+)/g)];
      const served = (pid: string): number => [...log.matchAll(new RegExp(`served-by=${pid}\\b`, 'g'))].length;
      for (const [, pid, n] of perWorker) assert.equal(Number(n), served(pid as string), `worker ${pid}'s count matches its access log`);
      assert.equal(perWorker.reduce((sum, m) => sum + Number(m[2]), 0), 20);
      assert.match(log, /counters of all workers: sessionsTotal=20\b/);
    } finally {
      cli.cleanup();
      await rec.close();
    }
  });

  it('a worker killed with SIGKILL is replaced (logged with how it died) and the others keep serving', async () => {
    const rec = await namedServer('s1');
    const cli = startCli(proxyConfig([rec.port], '  nbthread 2'), ['-W']);
    try {
      const port = await listeningPort(cli);
      const [victim, survivor] = await workerPids(cli);
      process.kill(victim as number, 'SIGKILL');
      // Right away: no connection is refused, the survivor holds the listening socket.
      for (let i = 0; i < 10; i++) assert.equal(await ask(port), 's1');
      await cli.waitLog(new RegExp(`worker ${victim} died \\(signal SIGKILL\\); restarting slot 0`));
      const replacement = Number((await cli.waitLog(/worker (\d+) started in slot 0/))[1]);
      assert.ok(isAlive(replacement) && replacement !== victim);
      assert.ok(isAlive(survivor as number));
      for (let i = 0; i < 5; i++) assert.equal(await ask(port), 's1');
    } finally {
      cli.cleanup();
      await rec.close();
    }
  });

  it('SIGUSR2 reloads: a new server set for new connections, no connection refused meanwhile, old workers leave', async () => {
    const [a, b] = await Promise.all([namedServer('A'), namedServer('B')]);
    const cli = startCli(proxyConfig([a.port], '  nbthread 2'), ['-W']);
    try {
      const port = await listeningPort(cli);
      const oldPids = await workerPids(cli);
      assert.equal(await ask(port), 'A');
      writeFileSync(cli.file, proxyConfig([b.port], '  nbthread 2'));
      const from = cli.stderr().length;
      // Clients keep connecting during the whole reload: each must be answered.
      let reloaded = false;
      const answers: string[] = [];
      const client = (async () => {
        const deadline = Date.now() + 20_000;
        while (!reloaded && Date.now() < deadline) answers.push(await ask(port));
      })();
      cli.child.kill('SIGUSR2');
      const m = await cli.waitLog(/reloaded: old workers ([\d,]+) finishing their sessions, new workers ([\d,]+)/, 15_000, from);
      reloaded = true;
      await client;
      assert.deepEqual((m[1] as string).split(',').map(Number), oldPids, 'the log names the old workers');
      assert.ok(answers.length > 0 && answers.every((x) => x === 'A' || x === 'B'), `every connection answered: ${answers.join(' ')}`);
      for (let i = 0; i < 5; i++) assert.equal(await ask(port), 'B', 'new connections use the new server set');
      for (const pid of oldPids) await cli.waitLog(new RegExp(`worker ${pid} exited \\(exit code 0\\)`), 10_000, from);
    } finally {
      cli.cleanup();
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('a reload with a broken file is refused: alerts logged, the old workers keep the old configuration', async () => {
    const rec = await namedServer('A');
    const cli = startCli(proxyConfig([rec.port], '  nbthread 2'), ['-W']);
    try {
      const port = await listeningPort(cli);
      const pids = await workerPids(cli);
      writeFileSync(cli.file, 'frontend fe\n  bind 127.0.0.1:0\n  no-such-keyword here\n');
      const from = cli.stderr().length;
      cli.child.kill('SIGUSR2');
      await cli.waitLog(new RegExp(`reload refused: the configuration has \\d+ alerts?; workers ${pids.join(',')} keep serving`), 10_000, from);
      assert.match(cli.stderr().slice(from), /truehop\.cfg:3:\d+: alert:/, 'the alert names file and line');
      for (let i = 0; i < 5; i++) assert.equal(await ask(port), 'A');
      assert.ok(pids.every(isAlive));
    } finally {
      cli.cleanup();
      await rec.close();
    }
  });

  /**
   * A port free now, for a listener this test opens later (a server bound then closed); not a
   * dead port for checks (deadPort(): another file's listener on port 0 may get this one).
   */
  async function freePort(): Promise<number> {
    const s = net.createServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const port = (s.address() as net.AddressInfo).port;
    await new Promise((r) => s.close(r));
    return port;
  }

  function checkedConfig(live: number, dead: number, inter: string, nbthread: number): string {
    return proxyConfig([live, dead], `  nbthread ${nbthread}`).replace(/(server s\d+ 127\.0\.0\.1:\d+)/g, `$1 check inter ${inter} fall 1 rise 2`);
  }

  /** Resolves with the connect error's code, or 'connected'. */
  function tryConnect(port: number): Promise<string> {
    return new Promise((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve('connected');
      });
      socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    });
  }

  it('a reload closes the listeners the new file removed and opens the ones it added', async () => {
    const rec = await namedServer('A');
    const [oldPort, newPort] = [await freePort(), await freePort()];
    const withBind = (port: number): string => proxyConfig([rec.port], '  nbthread 2').replace('bind 127.0.0.1:0', `bind 127.0.0.1:${port}`);
    const cli = startCli(withBind(oldPort), ['-W']);
    try {
      await listeningPort(cli);
      const oldPids = await workerPids(cli);
      assert.equal(await ask(oldPort), 'A');
      assert.equal(await tryConnect(newPort), 'ECONNREFUSED', 'the new address is not open before the reload');
      writeFileSync(cli.file, withBind(newPort));
      const from = cli.stderr().length;
      cli.child.kill('SIGUSR2');
      await cli.waitLog(/reloaded: old workers [\d,]+ finishing their sessions, new workers [\d,]+/, 15_000, from);
      assert.equal(await ask(newPort), 'A', 'the added listener serves');
      for (const pid of oldPids) await cli.waitLog(new RegExp(`worker ${pid} exited \\(exit code 0\\)`), 10_000, from);
      assert.equal(await tryConnect(oldPort), 'ECONNREFUSED', 'the removed listener is closed once the old workers are gone');
    } finally {
      cli.cleanup();
      await rec.close();
    }
  });

  it('health checks run once per server, in the master, not once per worker', async () => {
    const live = await recordingServer();
    const cli = startCli(checkedConfig(live.port, deadPort(), '300ms', 4), ['-W']);
    try {
      await listeningPort(cli);
      const before = live.connections.length;
      await new Promise((r) => setTimeout(r, 3000));
      const checks = live.connections.length - before;
      // One checker: about 3000/300 = 10 (fewer when the machine is loaded); one per worker
      // would be about 40.
      assert.ok(checks >= 1 && checks <= 14, `${checks} checks of s1 in 3 s`);
    } finally {
      cli.cleanup();
      await live.close();
    }
  });

  it('every worker sees the master\'s server states, and a DOWN server stays DOWN across a reload', async () => {
    const live = await recordingServer((c) => c.socket.end('A'));
    const dead = deadPort();
    const cli = startCli(checkedConfig(live.port, dead, '300ms', 2), ['-W']);
    try {
      const port = await listeningPort(cli);
      await cli.waitLog(/Server be\/s2 is DOWN/, 10_000);
      const askMany = async (): Promise<string[]> => (await Promise.all(Array.from({ length: 4 }, () => Promise.all(Array.from({ length: 5 }, () => ask(port)))))).flat();
      assert.deepEqual(new Set(await askMany()), new Set(['A']), 'no worker sends traffic to the DOWN server');
      // Same server names, checks now far apart: a new monitor starting from UP would send half
      // of the connections to s2 (refused) until its first check, many seconds later.
      writeFileSync(cli.file, checkedConfig(live.port, dead, '30s', 2));
      const from = cli.stderr().length;
      cli.child.kill('SIGUSR2');
      await cli.waitLog(/reloaded: /, 15_000, from);
      assert.deepEqual(new Set(await askMany()), new Set(['A']), 'the new workers start with s2 DOWN');
    } finally {
      cli.cleanup();
      await live.close();
    }
  });

  /** A server that streams `total` random bytes in `chunk`-sized writes every `everyMs`, then ends; returns their sha256. */
  async function streamingServer(total: number, chunk: number, everyMs: number): Promise<{ rec: RecordingServer; sha256: string }> {
    const data = randomBytes(total);
    const rec = await recordingServer((c) => {
      let off = 0;
      const timer = setInterval(() => {
        if (c.socket.destroyed) return clearInterval(timer);
        c.socket.write(data.subarray(off, off + chunk));
        off += chunk;
        if (off >= total) {
          clearInterval(timer);
          c.socket.end();
        }
      }, everyMs);
    });
    return { rec, sha256: createHash('sha256').update(data).digest('hex') };
  }

  async function transferAcrossReload(hardStopAfter: string, total: number, everyMs: number): Promise<{ received: Buffer; sha256: string; sinceReloadMs: number }> {
    const { rec, sha256 } = await streamingServer(total, 64 * 1024, everyMs);
    const config = proxyConfig([rec.port], `  nbthread 2\n  hard-stop-after ${hardStopAfter}`);
    const cli = startCli(config, ['-W']);
    try {
      const port = await listeningPort(cli);
      const socket: net.Socket = await connect(port);
      const received = readAll(socket, 30_000);
      await rec.connection(0);
      await new Promise((r) => setTimeout(r, 200));
      const t0 = Date.now();
      cli.child.kill('SIGUSR2');
      await cli.waitLog(/reloaded: /, 15_000);
      const bytes = await received;
      return { received: bytes, sha256, sinceReloadMs: Date.now() - t0 };
    } finally {
      cli.cleanup();
      await rec.close();
    }
  }

  it('a transfer started before a reload completes after it with a matching sha256', async () => {
    // 4 MiB over about 1.6 s; the reload comes 200 ms in.
    const r = await transferAcrossReload('20s', 4 * 1024 * 1024, 25);
    assert.equal(r.received.length, 4 * 1024 * 1024);
    assert.equal(createHash('sha256').update(r.received).digest('hex'), r.sha256);
  });

  it('a transfer still running at hard-stop-after after a reload is closed at the limit', async () => {
    // 4 MiB over about 13 s, hard-stop-after 1 s.
    const r = await transferAcrossReload('1s', 4 * 1024 * 1024, 200);
    assert.ok(r.received.length < 4 * 1024 * 1024, 'cut before the end');
    assert.ok(r.sinceReloadMs >= 900 && r.sinceReloadMs < 8000, `closed ${r.sinceReloadMs} ms after the reload`);
  });
});
