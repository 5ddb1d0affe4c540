// Differential: the same configuration and the same traffic through HAProxy 2.6 and through
// truehop, then the same runtime API commands on both: `show stat`'s header line is identical,
// and the columns that mean the same thing agree row by row (sessions, bytes, status, weight,
// active/backup counts, limits, ids, check status, addresses); `show info` has the same keys in
// the same order; `show servers state` the same header and the same states after the same
// actions.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, readAll, recordingServer, type RecordingServer } from '../../support/peers.js';
import { haproxySkip, startHaproxy, type RunningHaproxy } from '../../support/haproxy.js';
import { startCli, listeningPort, type CliProcess } from '../../support/cli-process.js';
import { cliExchange } from '../../support/runtime-api-client.js';
import { waitListening } from '../../support/listening.js';

const SESSIONS = 12;
const REQUEST = Buffer.from('request');
const REPLY = Buffer.from('hello world');

/** Columns whose values mean the same in both (the others depend on timing, or on what truehop has not). */
const COMPARED = [
  'pxname', 'svname', 'qcur', 'scur', 'slim', 'stot', 'bin', 'bout', 'dreq', 'ereq', 'econ', 'wretr', 'wredis', 'status', 'weight',
  'act', 'bck', 'chkdown', 'pid', 'iid', 'sid', 'lbtot', 'type', 'check_status', 'check_rise', 'check_fall', 'addr', 'mode', 'algo',
  'dcon', 'dses', 'connect', 'uweight',
];

function config(socket: string, port: number, ppPort: number, servers: readonly number[], dead: number): string {
  return `global\n  stats socket ${socket} level admin\n  nbthread 1\n` +
    'defaults\n  mode tcp\n  timeout connect 1s\n  timeout client 5s\n  timeout server 5s\n' +
    `frontend fe\n  bind 127.0.0.1:${port}\n  maxconn 100\n  default_backend be\n` +
    'backend be\n  balance roundrobin\n' +
    `  server s1 127.0.0.1:${servers[0]} check inter 200ms\n` +
    `  server s2 127.0.0.1:${servers[1]} weight 5\n` +
    `  server s3 127.0.0.1:${servers[2]} backup\n` +
    `  server s4 127.0.0.1:${dead} check inter 200ms fall 1\n` +
    // PROXY-protocol traffic: a refused header is neither a session nor a request error in HAProxy.
    `frontend fe_pp\n  bind 127.0.0.1:${ppPort} accept-proxy\n  maxconn 50\n  default_backend be_pp\n` +
    `backend be_pp\n  server p1 127.0.0.1:${servers[2]}\n`;
}

type Table = Map<string, Map<string, string>>;

function parseStat(text: string): { header: string; rows: Table } {
  const lines = text.split('\n').filter((l) => l !== '');
  const header = lines[0] ?? '';
  const names = header.slice(2).split(',');
  const rows: Table = new Map();
  for (const line of lines.slice(1)) {
    const values = line.split(',');
    const row = new Map(names.map((n, i) => [n, values[i] ?? '']));
    rows.set(`${row.get('pxname')}/${row.get('svname')}`, row);
  }
  return { header, rows };
}

async function proxyTraffic(port: number): Promise<void> {
  const good = await connect(port);
  good.write(Buffer.concat([Buffer.from('PROXY TCP4 192.0.2.1 192.0.2.2 1000 80\r\n'), REQUEST]));
  assert.deepEqual(await readAll(good), REPLY);
  good.destroy();
  const bad = await connect(port);
  bad.write('GET / HTTP/1.0\r\n\r\n');
  await readAll(bad);
  bad.destroy();
}

async function traffic(port: number): Promise<void> {
  for (let i = 0; i < SESSIONS; i++) {
    const c = await connect(port);
    c.write(REQUEST);
    const got = await readAll(c);
    assert.deepEqual(got, REPLY);
    c.destroy();
  }
}

/** Asks until `done` accepts the answer (bounded): bytes are counted when sessions end, checks take a moment. */
async function askUntil(socket: string, command: string, done: (text: string) => boolean): Promise<string> {
  let text = '';
  for (let i = 0; i < 100; i++) {
    text = await cliExchange(socket, `${command}\n`);
    if (done(text)) return text;
    await new Promise((r) => setTimeout(r, 50));
  }
  return text;
}

const settled = (text: string): boolean => {
  const rows = parseStat(text).rows;
  return rows.get('be/s4')?.get('status') === 'DOWN' && rows.get('fe/FRONTEND')?.get('scur') === '0' && rows.get('fe_pp/FRONTEND')?.get('scur') === '0' &&
    rows.get('be/s1')?.get('check_status') === 'L4OK';
};

describe('runtime API against HAProxy 2.6', { skip: haproxySkip }, () => {
  const servers: RecordingServer[] = [];
  let dead = 0;
  let dir = '';
  let haproxy: RunningHaproxy | undefined;
  let truehop: CliProcess | undefined;
  const results: Record<'haproxy' | 'truehop', { stat: string; info: string; state: string; after: string; afterState: string }> = {} as never;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'truehop-stat-diff-'));
    for (let i = 0; i < 3; i++) {
      const s = await recordingServer((conn) => conn.socket.once('data', () => conn.socket.end(REPLY)));
      servers.push(s);
    }
    const gone = await recordingServer();
    dead = gone.port;
    await gone.close();
    const ports = servers.map((s) => s.port);
    const run = async (who: 'haproxy' | 'truehop', socket: string, port: number, ppPort: number): Promise<void> => {
      await askUntil(socket, 'show stat', (t) => parseStat(t).rows.get('be/s4')?.get('status') === 'DOWN');
      await traffic(port);
      await proxyTraffic(ppPort);
      const stat = await askUntil(socket, 'show stat', settled);
      const info = await cliExchange(socket, 'show info\n');
      const state = await cliExchange(socket, 'show servers state\n');
      await cliExchange(socket, 'set server be/s2 weight 3; set server be/s1 state drain; set server be/s3 state maint\n');
      const afterStat = await askUntil(socket, 'show stat', (t) => parseStat(t).rows.get('be/s3')?.get('status') === 'MAINT');
      const afterState = await cliExchange(socket, 'show servers state\n');
      results[who] = { stat, info, state, after: afterStat, afterState };
    };
    const hapSocket = join(dir, 'haproxy.sock');
    // startHaproxy probes the last port: fe's, whose traffic both see the same way (below).
    haproxy = await startHaproxy(2, (p) => config(hapSocket, p[1] as number, p[0] as number, ports, dead));
    await run('haproxy', hapSocket, haproxy.ports[1] as number, haproxy.ports[0] as number);
    const thSocket = join(dir, 'truehop.sock');
    truehop = startCli(config(thSocket, 0, 0, ports, dead));
    const port = await listeningPort(truehop);
    const ppPort = Number((await truehop.waitLog(/frontend 'fe_pp' listening on \S+:(\d+)/))[1]);
    // startHaproxy knew HAProxy was up by connecting once (support/listening.ts): the same
    // probe here, so both see the same connections.
    await waitListening(port, 5000, 50);
    await run('truehop', thSocket, port, ppPort);
  });

  after(async () => {
    truehop?.cleanup();
    await haproxy?.stop();
    for (const s of servers) await s.close();
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  it('show stat: the header line is identical', () => {
    assert.equal(parseStat(results.truehop.stat).header, parseStat(results.haproxy.stat).header);
  });

  for (const phase of ['stat', 'after'] as const) {
    it(`show stat ${phase === 'stat' ? 'after the same traffic' : 'after the same drain, weight and maint commands'}: the same rows, and the same values where they mean the same`, () => {
      const hap = parseStat(results.haproxy[phase]).rows;
      const th = parseStat(results.truehop[phase]).rows;
      assert.deepEqual([...th.keys()], [...hap.keys()]);
      for (const [key, row] of hap) {
        for (const column of COMPARED) assert.equal(th.get(key)?.get(column), row.get(column), `${key} ${column}`);
      }
    });
  }

  it('show info: the same keys in the same order', () => {
    const keys = (text: string): string[] => text.split('\n').filter((l) => l.includes(':')).map((l) => l.slice(0, l.indexOf(':')));
    assert.deepEqual(keys(results.truehop.info), keys(results.haproxy.info));
  });

  it('show servers state: the same header, and the same states, weights and check results', () => {
    const fields = (text: string): string[][] => text.split('\n').filter((l) => /^\d/.test(l) && l.includes(' ')).map((l) => {
      const f = l.split(' ');
      // be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight; check status, result, state; port
      return [f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8], f[10], f[11], f[13], f[18]].map(String);
    });
    for (const phase of ['state', 'afterState'] as const) {
      assert.equal(results.truehop[phase].split('\n')[1], results.haproxy[phase].split('\n')[1]);
      assert.deepEqual(fields(results.truehop[phase]), fields(results.haproxy[phase]), phase);
    }
  });
});
