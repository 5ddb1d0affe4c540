// The runtime API through the real daemon (the CLI as a child process), in one process and in
// master-worker mode (-W, two workers: the master answers, summing the workers, and sends
// actions to both): the socket file's mode, HAProxy's levels, drain / maint / weight end to end,
// `;` and prompt mode, reload, and hostile clients (unknown commands, binary junk, overlong
// lines, half-sent commands, a flood of idle connections) that never stop the data path.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type net from 'node:net';
import { startCli, listeningPort, type CliProcess } from '../../support/cli-process.js';
import { connect, recordingServer, waitFor, type RecordingServer } from '../../support/peers.js';
import { cliConnect, cliExchange } from '../../support/runtime-api-client.js';

const cleanups: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Setup {
  cli: CliProcess;
  port: number;
  admin: string;
  operator: string;
  user: string;
  servers: RecordingServer[];
  /** Server name per proxied connection (health checks excluded: they send nothing and close). */
  order: string[];
  ask(text: string, socket?: string): Promise<string>;
}

async function setup(mode: 'single' | 'master', serverOptions: (i: number) => string = () => '', globalExtra = ''): Promise<Setup> {
  const dir = mkdtempSync(join(tmpdir(), 'truehop-cli-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const order: string[] = [];
  const servers: RecordingServer[] = [];
  for (let i = 0; i < 2; i++) {
    // Proxied sessions send a byte first; checks send nothing: only the former are counted.
    const s = await recordingServer((conn) => conn.socket.once('data', () => order.push(`s${i + 1}`)));
    servers.push(s);
    cleanups.push(() => s.close());
  }
  const admin = join(dir, 'admin.sock');
  const operator = join(dir, 'operator.sock');
  const user = join(dir, 'user.sock');
  const config = `global\n  stats socket ${admin} mode 600 level admin\n  stats socket ${operator}\n  stats socket ${user} mode 644 level user\n` +
    `  nbthread ${mode === 'master' ? 2 : 1}\n${globalExtra}` +
    'defaults\n  mode tcp\n  timeout connect 1s\n  timeout client 10s\n  timeout server 10s\n' +
    'frontend fe\n  bind 127.0.0.1:0\n  default_backend be\nbackend be\n' +
    servers.map((s, i) => `  server s${i + 1} 127.0.0.1:${s.port} ${serverOptions(i)}\n`).join('');
  const cli = startCli(config, mode === 'master' ? ['-W'] : []);
  cleanups.push(() => cli.cleanup());
  const port = await listeningPort(cli);
  return { cli, port, admin, operator, user, servers, order, ask: (text, socket = admin) => cliExchange(socket, `${text}\n`) };
}

/** Opens a session through the proxy that sends one byte, and waits until a server got it. */
async function session(s: Setup): Promise<net.Socket> {
  const before = s.order.length;
  const c = await connect(s.port);
  cleanups.push(() => void c.destroy());
  c.write('x');
  await waitFor(() => s.order.length > before, 3000, 'the session reached a server');
  return c;
}

async function sessions(s: Setup, n: number): Promise<string[]> {
  const from = s.order.length;
  for (let i = 0; i < n; i++) (await session(s)).destroy();
  return s.order.slice(from);
}

const ADMIN_COMMANDS = [
  'set server be/s1 state drain', 'set server be/s1 weight 10', 'set weight be/s1 10', 'disable server be/s1', 'enable server be/s1',
  'disable health be/s1', 'enable health be/s1', 'set maxconn frontend fe 10', 'set maxconn server be/s1 10',
  'shutdown sessions server be/s1', 'reload',
];

for (const mode of ['single', 'master'] as const) {
  describe(`runtime API (${mode === 'single' ? 'one process' : 'master-worker, 2 workers'})`, () => {
    it('creates the socket files with their mode and answers show commands in HAProxy\'s formats', async () => {
      const s = await setup(mode);
      assert.equal(statSync(s.admin).mode & 0o777, 0o600);
      assert.equal(statSync(s.user).mode & 0o777, 0o644);
      await sessions(s, 4);
      const frontendRow = async (): Promise<string[] | undefined> => (await s.ask('show stat')).split('\n').find((l) => l.startsWith('fe,FRONTEND,'))?.split(',');
      // Bytes are added when a session ends: wait until the four have (scur 0).
      for (let i = 0; i < 50 && (await frontendRow())?.[4] !== '0'; i++) await new Promise((r) => setTimeout(r, 50));
      const stat = await s.ask('show stat');
      assert.match(stat, /^# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,/);
      const fe = stat.split('\n').find((l) => l.startsWith('fe,FRONTEND,'))?.split(',');
      assert.equal(fe?.[7], '4', 'stot of the frontend: every session, whichever worker took it');
      assert.equal(fe?.[8], '4', 'bin: one byte per session');
      assert.ok(stat.endsWith(',\n\n'), 'rows end with a comma, the answer with an empty line');
      assert.match(await s.ask('show servers state'), /^1\n# be_id be_name srv_id srv_name srv_addr srv_op_state /);
      assert.equal(await s.ask('show backend'), '# name\nbe\n\n');
      assert.match(await s.ask('show info'), /^Name: truehop\nVersion: .+\n[^]*\nUptime_sec: \d+\n/);
      assert.equal(await s.ask('show cli level'), 'admin\n\n');
      assert.equal(await s.ask('show cli level', s.operator), 'operator\n\n', 'operator is the default level');
    });

    it('refuses every command below its level with HAProxy\'s text, and hides server addresses from user', async () => {
      const s = await setup(mode);
      for (const command of ADMIN_COMMANDS) {
        assert.equal(await s.ask(command, s.user), 'Permission denied\n\n', `user: ${command}`);
        assert.equal(await s.ask(command, s.operator), 'Permission denied\n\n', `operator: ${command}`);
      }
      for (const command of ['show sess', 'show errors']) assert.equal(await s.ask(command, s.user), 'Permission denied\n\n', `user: ${command}`);
      const addrColumn = (text: string): string[] => {
        const lines = text.split('\n');
        const i = lines[0]?.slice(2).split(',').indexOf('addr') ?? -1;
        return lines.filter((l) => l.startsWith('be,s')).map((l) => l.split(',')[i] ?? '');
      };
      assert.deepEqual(addrColumn(await s.ask('show stat', s.user)), ['', '']);
      assert.deepEqual(addrColumn(await s.ask('show stat', s.operator)), s.servers.map((x) => `127.0.0.1:${x.port}`));
      // `user` lowers the level for the rest of the line.
      assert.equal(await s.ask('user; set server be/s1 state drain'), '\nPermission denied\n\n');
    });

    it('drain: sessions already on the server go on, new ones go elsewhere; ready brings it back', async () => {
      const s = await setup(mode);
      const first = await session(s);
      const drained = s.order[0] as string;
      const other = drained === 's1' ? 's2' : 's1';
      assert.equal(await s.ask(`set server be/${drained} state drain`), '\n');
      assert.deepEqual(await sessions(s, 6), Array(6).fill(other));
      first.write('more');
      const conn = await s.servers[drained === 's1' ? 0 : 1]?.connection(0);
      await waitFor(() => conn?.bytes().toString() === 'xmore', 3000, 'the drained server still receives its session\'s bytes');
      assert.match(await s.ask('show stat'), new RegExp(`\\nbe,${drained},[^\\n]*,DRAIN,`));
      assert.equal(await s.ask(`set server be/${drained} state ready`), '\n');
      assert.ok((await sessions(s, 6)).includes(drained));
    });

    it('maint takes the server out and stops its checks; enable server resumes both', async () => {
      const s = await setup(mode, () => 'check inter 100ms');
      await waitFor(() => (s.servers[0]?.connections.length ?? 0) >= 2, 5000, 'checks of s1');
      assert.equal(await s.ask('disable server be/s1'), '\n');
      await new Promise((r) => setTimeout(r, 300));
      const seen = s.servers[0]?.connections.length ?? 0;
      assert.deepEqual(await sessions(s, 4), ['s2', 's2', 's2', 's2']);
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(s.servers[0]?.connections.length, seen, 'no check and no session reached s1 in maintenance');
      assert.match(await s.ask('show servers state be'), /\n\d+ be 1 s1 127\.0\.0\.1 0 1 /);
      assert.equal(await s.ask('enable server be/s1'), '\n');
      await waitFor(() => (s.servers[0]?.connections.length ?? 0) > seen, 3000, 'checks resume');
      assert.ok((await sessions(s, 4)).includes('s1'));
    });

    it('weight changes the distribution (absolute and %)', async () => {
      const s = await setup(mode);
      assert.equal(await s.ask('set server be/s1 weight 300%'), '\n');
      assert.equal(await s.ask('get weight be/s1'), '3 (initial 1)\n\n');
      const order = await sessions(s, 8);
      // Roundrobin per process: 3:1 in each worker, so 6 of 8 in one process and at least 4 of 8 across two.
      assert.ok(order.filter((x) => x === 's1').length >= (mode === 'single' ? 6 : 4), order.join(' '));
      assert.equal(await s.ask('set server be/s1 weight 0'), '\n');
      assert.deepEqual(await sessions(s, 4), ['s2', 's2', 's2', 's2']);
      assert.equal(await s.ask('set server be/s1 weight 257'), 'Absolute weight can only be between 0 and 256 inclusive.\n\n');
      assert.equal(await s.ask('set server be/nope weight 1'), 'No such server.\n\n');
      assert.equal(await s.ask('set server nope/s1 weight 1'), 'No such backend.\n\n');
    });

    it('answers several commands on one line, and stays open in prompt mode until quit', async () => {
      const s = await setup(mode);
      assert.equal(await s.ask('show backend; show cli level'), '# name\nbe\n\nadmin\n\n');
      assert.equal(await cliExchange(s.admin, 'prompt\nshow backend\nshow cli level\nquit\n'), '\n> # name\nbe\n\n> admin\n\n> ');
    });

    it('hostile input: HAProxy\'s answers, closed connections, and the data path keeps serving', async () => {
      const s = await setup(mode, () => '', '  stats timeout 500ms\n  stats maxconn 5\n');
      assert.match(await s.ask('frobnicate'), /^Unknown command\. Please enter one of the following commands only:\n {2}\S/);
      assert.match(await s.ask('set maxconn'), /^Unknown command, but maybe one of the following ones is a better match:\n {2}set maxconn frontend /);
      assert.match(await cliExchange(s.admin, Buffer.from([0, 1, 2, 0xff, 0xfe, 0x0a])), /^Unknown command\./);
      // A line longer than the buffer closes the connection without an answer.
      assert.equal(await cliExchange(s.admin, 'a'.repeat(64 * 1024)), '');
      // A command cut before its newline is not run.
      assert.equal(await cliExchange(s.admin, 'set server be/s1 state maint'), '');
      assert.doesNotMatch(await s.ask('show stat'), /MAINT/);
      // A flood of idle connections: those past `stats maxconn` are closed at once, the others at `stats timeout`.
      const idle: net.Socket[] = [];
      let closed = 0;
      for (let i = 0; i < 300; i++) {
        const c = cliConnect(s.admin);
        c.on('error', () => {});
        c.on('close', () => closed++);
        idle.push(c);
      }
      cleanups.push(() => idle.forEach((c) => c.destroy()));
      await waitFor(() => closed >= 295, 3000, 'connections past stats maxconn closed at once');
      assert.equal((await sessions(s, 2)).length, 2, 'the data path serves during the flood');
      await waitFor(() => closed === 300, 3000, 'idle connections closed at stats timeout');
      assert.equal(await s.ask('show backend'), '# name\nbe\n\n', 'the socket serves again');
    });
  });
}

describe('runtime API reload (master-worker)', () => {
  it('reload from the admin socket starts a new generation of workers', async () => {
    const s = await setup('master');
    assert.equal(await s.ask('reload'), '\n');
    await s.cli.waitLog(/reloaded: old workers \S+ finishing their sessions, new workers/, 20_000);
    assert.equal(await s.ask('show backend'), '# name\nbe\n\n');
  });

  it('in one process, reload says it needs master-worker mode', async () => {
    const s = await setup('single');
    assert.equal(await s.ask('reload'), "reload needs master-worker mode (-W or 'master-worker' in global).\n\n");
  });
});
