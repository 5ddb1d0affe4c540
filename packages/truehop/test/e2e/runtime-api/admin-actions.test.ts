// The stats model and the admin actions in one process, over real sockets: counters per
// frontend, backend and server; drain keeps running sessions and sends new ones elsewhere;
// maint takes a server out and stops its checks; weight changes the distribution; maxconn and
// shutdown sessions; the PROXY-protocol counters and the capture of rejected headers.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type net from 'node:net';
import { daemonFromText, type ConfigDaemon } from '../../support/config-daemon.js';
import { closedWithin, connect, recordingServer, waitFor, type RecordingServer } from '../../support/peers.js';
import type { AdminAction } from '../../../src/runtime/admin-actions.js';
import { validateAction } from '../../../src/runtime/admin-actions.js';
import { statRows, statRow, STAT_COLUMN_NAMES } from '../../../src/observe/stat-rows.js';
import type { StatsSnapshot } from '../../../src/observe/stats-snapshot.js';

const open: { close(): Promise<void> }[] = [];
after(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
});

interface Farm {
  d: ConfigDaemon;
  servers: RecordingServer[];
  /** Server name of every connection, in arrival order. */
  order: string[];
  clients: net.Socket[];
  apply(action: AdminAction): void;
}

async function farm(serverLines: (port: number, i: number) => string, count: number, extra = ''): Promise<Farm> {
  const order: string[] = [];
  const servers: RecordingServer[] = [];
  for (let i = 0; i < count; i++) {
    const s = await recordingServer(() => order.push(`s${i + 1}`));
    servers.push(s);
    open.push(s);
  }
  const text = `defaults\n  mode tcp\n  timeout connect 1s\n  timeout client 10s\n  timeout server 10s\n` +
    `frontend fe\n  bind 127.0.0.1:0\n${extra}  default_backend be\nbackend be\n` +
    servers.map((s, i) => `  server s${i + 1} 127.0.0.1:${s.port} ${serverLines(s.port, i)}\n`).join('');
  const d = await daemonFromText(text);
  const clients: net.Socket[] = [];
  open.push({ close: async () => { for (const c of clients) c.destroy(); await d.daemon.stop(100); } });
  const model = (await import('../../../src/config/load-config.js')).loadConfigText([{ file: 'test.cfg', text }]).model;
  return {
    d, servers, order, clients,
    apply(action) {
      assert.equal(validateAction(model, action), null);
      d.daemon.apply(action);
    },
  };
}

async function session(f: Farm): Promise<net.Socket> {
  const c = await connect(f.d.port('fe'));
  f.clients.push(c);
  return c;
}

/** Opens `n` sessions one after the other (each reaches its server before the next) and closes them. */
async function sessions(f: Farm, n: number): Promise<string[]> {
  const from = f.order.length;
  for (let i = 0; i < n; i++) {
    const c = await session(f);
    await waitFor(() => f.order.length > from + i, 3000, 'server connection');
    c.destroy();
  }
  return f.order.slice(from);
}

const server = (s: StatsSnapshot, name: string) => s.backends.find((b) => b.name === 'be')?.servers.find((x) => x.name === name);

describe('stats model', () => {
  it('counts sessions and bytes per frontend, backend and server, and renders HAProxy rows', async () => {
    const f = await farm(() => '', 2);
    for (let i = 0; i < 4; i++) {
      const c = await session(f);
      c.write('hello');
      await waitFor(() => f.order.length > i, 3000);
      const conn = await f.servers[i % 2 === 0 ? 0 : 1]?.connection(Math.floor(i / 2));
      await waitFor(() => (conn?.bytes().length ?? 0) === 5, 3000);
      conn?.socket.write('world!');
      c.end();
    }
    await waitFor(() => f.d.daemon.stats().frontends[0]?.scur === 0, 3000, 'sessions ended');
    const s = f.d.daemon.stats();
    const fe = s.frontends[0];
    assert.equal(fe?.counters.stot, 4);
    assert.equal(fe?.counters.bin, 20);
    assert.equal(fe?.counters.bout, 24);
    assert.equal(s.backends[0]?.counters.stot, 4);
    assert.equal(server(s, 's1')?.counters.stot, 2);
    assert.equal(server(s, 's2')?.counters.bout, 12);
    const rows = statRows(s, Date.now(), true);
    assert.deepEqual(rows.map((r) => r.type), ['frontend', 'server', 'server', 'backend']);
    const col = (row: number, name: string) => statRow(rows[row] as (typeof rows)[number])[STAT_COLUMN_NAMES.indexOf(name)];
    assert.equal(col(0, 'stot'), 4);
    assert.equal(col(1, 'status'), 'no check');
    assert.equal(col(3, 'status'), 'UP');
    assert.equal(col(3, 'weight'), 2);
    assert.equal(col(2, 'addr'), `127.0.0.1:${f.servers[1]?.port}`);
  });
});

describe('admin actions', () => {
  it('drain: running sessions go on, new sessions go to the other servers; ready brings it back', async () => {
    const f = await farm(() => '', 2);
    const first = await session(f);
    await waitFor(() => f.order.length === 1, 3000);
    assert.equal(f.order[0], 's1');
    f.apply({ kind: 'server-state', backend: 'be', server: 's1', state: 'drain' });
    assert.deepEqual(await sessions(f, 4), ['s2', 's2', 's2', 's2']);
    // The drained server's session still forwards both ways.
    first.write('still here');
    const conn = await f.servers[0]?.connection(0);
    await waitFor(() => conn?.bytes().toString() === 'still here', 3000, 'bytes on the drained server');
    const row = statRows(f.d.daemon.stats(), Date.now(), true).find((r) => r.server?.name === 's1');
    assert.equal(statRow(row as NonNullable<typeof row>)[STAT_COLUMN_NAMES.indexOf('status')], 'DRAIN');
    f.apply({ kind: 'server-state', backend: 'be', server: 's1', state: 'ready' });
    assert.deepEqual((await sessions(f, 4)).sort(), ['s1', 's1', 's2', 's2']);
  });

  it('maint takes a server out and stops its checks; ready puts it back', async () => {
    const f = await farm(() => 'check inter 100ms', 2);
    let checks = 0;
    // Health checks are connections too: count those to s1 while in maintenance.
    await waitFor(() => f.servers[0]!.connections.length > 0, 3000, 'first check');
    f.apply({ kind: 'server-state', backend: 'be', server: 's1', state: 'maint' });
    await new Promise((r) => setTimeout(r, 150));
    checks = f.servers[0]!.connections.length;
    const order = await sessions(f, 4);
    assert.deepEqual(order, ['s2', 's2', 's2', 's2']);
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(f.servers[0]!.connections.length, checks, 'no check and no session reached s1 in maintenance');
    assert.equal(server(f.d.daemon.stats(), 's1')?.status, 'MAINT');
    f.apply({ kind: 'server-state', backend: 'be', server: 's1', state: 'ready' });
    await waitFor(() => f.servers[0]!.connections.length > checks, 3000, 'checks resume');
    assert.equal(server(f.d.daemon.stats(), 's1')?.status, 'UP');
  });

  it('weight changes the distribution; 0 takes a server out of the balancing', async () => {
    const f = await farm(() => '', 2);
    f.apply({ kind: 'server-weight', backend: 'be', server: 's1', weight: 3 });
    const order = await sessions(f, 8);
    assert.equal(order.filter((s) => s === 's1').length, 6);
    f.apply({ kind: 'server-weight', backend: 'be', server: 's2', weight: 0 });
    assert.deepEqual(await sessions(f, 3), ['s1', 's1', 's1']);
    assert.equal(server(f.d.daemon.stats(), 's2')?.userWeight, 0);
  });

  it('shutdown sessions server cuts only that server\'s sessions', async () => {
    const f = await farm(() => '', 2);
    const a = await session(f);
    await waitFor(() => f.order.length === 1, 3000);
    const b = await session(f);
    await waitFor(() => f.order.length === 2, 3000);
    f.apply({ kind: 'shutdown-sessions', backend: 'be', server: 's1' });
    assert.equal(await closedWithin(a, 2000), true);
    assert.equal(await closedWithin(b, 300), false);
  });

  it('set maxconn frontend holds new connections until a slot frees', async () => {
    const f = await farm(() => '', 1);
    f.apply({ kind: 'frontend-maxconn', frontend: 'fe', maxconn: 1 });
    const a = await session(f);
    await waitFor(() => f.order.length === 1, 3000);
    await session(f);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(f.order.length, 1, 'the second connection waits');
    a.destroy();
    await waitFor(() => f.order.length === 2, 3000, 'admitted once the slot freed');
    assert.equal(f.d.daemon.stats().frontends[0]?.maxconn, 1);
  });

  it('validation answers with HAProxy\'s texts', async () => {
    const { loadConfigText } = await import('../../../src/config/load-config.js');
    const model = loadConfigText([{ file: 't.cfg', text: 'defaults\n  mode tcp\n  timeout connect 1s\n  timeout client 1s\n  timeout server 1s\nlisten l\n  bind 127.0.0.1:0\n  server a 127.0.0.1:1\n' }]).model;
    assert.equal(validateAction(model, { kind: 'server-state', backend: 'l', server: 'x', state: 'drain' }), 'No such server.');
    assert.equal(validateAction(model, { kind: 'server-state', backend: 'x', server: 'a', state: 'drain' }), 'No such backend.');
    assert.equal(validateAction(model, { kind: 'server-weight', backend: 'l', server: 'a', weight: 300 }), 'Absolute weight can only be between 0 and 256 inclusive.');
    assert.equal(validateAction(model, { kind: 'server-health', backend: 'l', server: 'a', enabled: true }), 'Health check was not configured on this server, cannot enable.');
  });
});

describe('PROXY-protocol counters', () => {
  it('counts headers by version, command and TLV type, hops, and captures rejected headers', async () => {
    const s1 = await recordingServer();
    open.push(s1);
    const text = `defaults\n  mode tcp\n  timeout connect 1s\n  timeout client 2s\n  timeout server 2s\n` +
      `frontend fe\n  bind 127.0.0.1:0 accept-proxy\n  default_backend be\nbackend be\n  server s1 127.0.0.1:${s1.port}\n`;
    const d = await daemonFromText(text);
    open.push({ close: () => d.daemon.stop(100) });
    const send = async (bytes: Buffer): Promise<void> => {
      const c = await connect(d.port('fe'));
      c.write(bytes);
      c.end();
      await closedWithin(c, 2000);
    };
    await send(Buffer.from('PROXY TCP4 192.0.2.1 192.0.2.2 1000 80\r\n'));
    // v2 PROXY with an AUTHORITY TLV (0x02) and a NOOP (0x04).
    const v2sig = Buffer.from('0d0a0d0a000d0a515549540a', 'hex');
    const body = Buffer.concat([Buffer.from([192, 0, 2, 1, 192, 0, 2, 2, 0x03, 0xe8, 0x00, 0x50]), Buffer.from([0x02, 0x00, 0x01, 0x61, 0x04, 0x00, 0x00])]);
    const v2 = Buffer.concat([v2sig, Buffer.from([0x21, 0x11, 0, body.length]), body]);
    await send(v2);
    // v2 LOCAL, no addresses.
    await send(Buffer.concat([v2sig, Buffer.from([0x20, 0x00, 0, 0])]));
    await send(Buffer.from('GET / HTTP/1.1\r\n\r\n'));
    await waitFor(() => (d.daemon.stats().frontends[0]?.proxyProtocol.captured.length ?? 0) === 1, 3000, 'capture');
    const pp = d.daemon.stats().frontends[0]?.proxyProtocol;
    assert.equal(pp?.v1, 1);
    assert.equal(pp?.v2, 2);
    assert.equal(pp?.cmdProxy, 2);
    assert.equal(pp?.cmdLocal, 1);
    assert.deepEqual(pp?.tlvTypes, { 2: 1, 4: 1 });
    assert.deepEqual(pp?.hops, { '127.0.0.1': 3 });
    assert.equal(pp?.rejections.PRX_NOT_HDR, 1);
    const e = pp?.captured[0];
    assert.equal(e?.reason, 'PRX_NOT_HDR');
    assert.equal(Buffer.from(e?.hex ?? '', 'hex').toString(), 'GET / HTTP/1.1\r\n\r\n');
    assert.match(e?.peer ?? '', /^127\.0\.0\.1:\d+$/);
    // As HAProxy 2.6: a refused header is neither a session nor a request error.
    assert.equal(d.daemon.stats().frontends[0]?.counters.ereq, 0);
    assert.equal(d.daemon.stats().frontends[0]?.counters.stot, 3);
    assert.equal(d.daemon.stats().frontends[0]?.counters.connTot, 4);
  });
});
