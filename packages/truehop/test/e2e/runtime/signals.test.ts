// SIGTERM/SIGINT on the real CLI process: stop accepting at once, let running sessions
// finish, exit 0; a session that does not finish is cut at `hard-stop-after`.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cliListeningPort } from '../../support/listening.js';
import { closedWithin, connect, recordingServer } from '../../support/peers.js';

const CLI = fileURLToPath(new URL('../../../src/cli/main.js', import.meta.url));

async function startCli(config: string): Promise<{ child: ChildProcess; port: number; exit: Promise<number | null>; cleanup: () => void }> {
  const dir = mkdtempSync(join(tmpdir(), 'truehop-sig-'));
  const file = join(dir, 'truehop.cfg');
  writeFileSync(file, config);
  const child = spawn(process.execPath, [CLI, '-f', file], { stdio: ['ignore', 'ignore', 'pipe'] });
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const port = await cliListeningPort(child, 5000);
  return { child, port, exit, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

function config(serverPort: number, global = ''): string {
  return `global\n${global}\ndefaults\n  mode tcp\n  timeout connect 2s\n  timeout client 30s\n  timeout server 30s\n` +
    `frontend fe\n  bind 127.0.0.1:0\n  default_backend be\nbackend be\n  server s1 127.0.0.1:${serverPort}\n`;
}

describe('graceful stop on signals', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`${signal}: refuses new connections, lets the running one finish, exits 0`, async () => {
      const rec = await recordingServer((c) => c.socket.on('data', (d: Buffer) => c.socket.write(d)));
      const cli = await startCli(config(rec.port));
      try {
        const c = await connect(cli.port);
        c.write('one');
        await new Promise((r) => c.once('data', r));
        cli.child.kill(signal);
        await new Promise((r) => setTimeout(r, 200));
        await assert.rejects(connect(cli.port), /ECONNREFUSED/, 'listener closed');
        // The running session still works…
        c.write('two');
        const echoed = await new Promise<Buffer>((r) => c.once('data', r));
        assert.equal(echoed.toString(), 'two');
        // …and when it ends, the process exits 0.
        c.end();
        assert.equal(await cli.exit, 0);
      } finally {
        cli.child.kill('SIGKILL');
        cli.cleanup();
        await rec.close();
      }
    });
  }

  it('hard-stop-after bounds the wait for sessions that never end', async () => {
    const rec = await recordingServer();
    const cli = await startCli(config(rec.port, '  hard-stop-after 300ms'));
    try {
      const c = await connect(cli.port);
      await rec.connection(0);
      const t0 = Date.now();
      cli.child.kill('SIGTERM');
      assert.equal(await cli.exit, 0);
      assert.ok(Date.now() - t0 < 3000, 'exited soon after hard-stop-after');
      assert.equal(await closedWithin(c, 1000), true, 'the session was cut');
    } finally {
      cli.child.kill('SIGKILL');
      cli.cleanup();
      await rec.close();
    }
  });
});
