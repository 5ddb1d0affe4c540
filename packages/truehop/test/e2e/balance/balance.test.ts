// Each balancing algorithm's distribution, backup and disabled servers, server maxconn with
// queueing and timeout queue — observed from the servers' side over real sockets.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type net from 'node:net';
import { startDaemon, type RunningDaemon } from '../../../src/runtime/run.js';
import type { BackendModel, BindModel, FrontendModel, GlobalModel, ServerModel } from '../../../src/model/config-model.js';
import { server, simple, stdoutLog } from '../../support/model.js';
import { Capture, closedWithin, connect, recordingServer, waitFor, type RecordingServer } from '../../support/peers.js';

interface Farm {
  daemon: RunningDaemon;
  port: number;
  servers: RecordingServer[];
  order: string[];
  clients: net.Socket[];
  logs: Capture;
  close(): Promise<void>;
}

const farms: Farm[] = [];
/** Every server as soon as it exists: freed even when its farm's daemon fails to start. */
const servers: RecordingServer[] = [];
after(async () => {
  for (const f of farms.splice(0)) await f.close();
  for (const s of servers.splice(0)) await s.close();
});

async function farm(
  specs: { name: string; partial?: Partial<ServerModel> }[],
  opts: { backend?: Partial<BackendModel>; bind?: Partial<BindModel>; frontend?: Partial<FrontendModel>; random?: () => number; global?: Partial<GlobalModel> } = {},
): Promise<Farm> {
  const order: string[] = [];
  const farmServers: RecordingServer[] = [];
  for (const spec of specs) {
    const s = await recordingServer(() => order.push(spec.name));
    servers.push(s);
    farmServers.push(s);
  }
  const logs = new Capture();
  const daemon = await startDaemon(
    simple(
      specs.map((s, i) => server(s.name, (farmServers[i] as RecordingServer).port, s.partial)),
      { backend: opts.backend ?? {}, bind: opts.bind ?? {}, frontend: { logs: [stdoutLog()], ...opts.frontend }, global: opts.global ?? {} },
    ),
    { stdout: logs, ...(opts.random ? { random: opts.random } : {}) },
  );
  const clients: net.Socket[] = [];
  const f: Farm = {
    daemon,
    port: daemon.listening.get('fe')?.[0]?.port as number,
    servers: farmServers,
    order,
    clients,
    logs,
    async close() {
      for (const c of clients) c.destroy();
      await daemon.stop(100);
      for (const s of farmServers) await s.close();
    },
  };
  farms.push(f);
  return f;
}

/** Opens one client connection and waits until a server has it; keeps it open. */
async function open(f: Farm, prefix?: string): Promise<net.Socket> {
  const before = f.order.length;
  const c = await connect(f.port);
  f.clients.push(c);
  if (prefix !== undefined) c.write(prefix);
  await waitFor(() => f.order.length > before, 3000, 'server connection');
  return c;
}

function counts(order: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const n of order) out[n] = (out[n] ?? 0) + 1;
  return out;
}

describe('balancing algorithms', () => {
  it('roundrobin: smooth weighted (5,1,1 → a a b a c a a), then repeats', async () => {
    const f = await farm([{ name: 'a', partial: { weight: 5 } }, { name: 'b' }, { name: 'c' }], { backend: { balance: 'roundrobin' } });
    for (let i = 0; i < 14; i++) (await open(f)).destroy();
    // Smooth: b and c interleave with a (plain weighted rotation would give a a a a a b c).
    assert.equal(f.order.join(''), 'aabacaa'.repeat(2));
  });

  it('static-rr: weighted rotation in declaration order', async () => {
    const f = await farm([{ name: 'a', partial: { weight: 2 } }, { name: 'b' }], { backend: { balance: 'static-rr' } });
    for (let i = 0; i < 6; i++) (await open(f)).destroy();
    assert.deepEqual(f.order, ['a', 'a', 'b', 'a', 'a', 'b']);
  });

  it('leastconn: a new session goes to the server with the fewest open connections', async () => {
    const f = await farm([{ name: 'a' }, { name: 'b' }], { backend: { balance: 'leastconn' } });
    for (let i = 0; i < 4; i++) await open(f);
    assert.deepEqual(counts(f.order), { a: 2, b: 2 });
    // Close both connections that went to b: the next two sessions must go to b.
    const bIdx = f.order.map((n, i) => (n === 'b' ? i : -1)).filter((i) => i >= 0);
    for (const i of bIdx) f.clients[i]?.destroy();
    await waitFor(() => (f.servers[1] as RecordingServer).connections.every((c) => c.socket.destroyed || c.socket.readableEnded), 3000, 'b drained');
    await new Promise((r) => setTimeout(r, 50));
    await open(f);
    await open(f);
    assert.deepEqual(f.order.slice(4), ['b', 'b']);
  });

  it('source: the advertised client address picks the server, stably', async () => {
    const f = await farm([{ name: 'a' }, { name: 'b' }, { name: 'c' }], { backend: { balance: 'source' }, bind: { acceptProxy: true } });
    const first = new Map<number, string>();
    for (let round = 0; round < 2; round++) {
      for (let host = 1; host <= 12; host++) {
        const before = f.order.length;
        (await open(f, `PROXY TCP4 10.0.0.${host} 10.0.1.1 40000 80\r\n`)).destroy();
        const got = f.order[before] as string;
        if (round === 0) first.set(host, got);
        else assert.equal(got, first.get(host), `10.0.0.${host} moved`);
      }
    }
    assert.ok(new Set(first.values()).size >= 2, 'addresses spread over several servers');
  });

  it('first: fills the first server up to its maxconn, then the next', async () => {
    const f = await farm([{ name: 'a', partial: { maxconn: 2 } }, { name: 'b', partial: { maxconn: 2 } }], { backend: { balance: 'first' } });
    for (let i = 0; i < 3; i++) await open(f);
    assert.deepEqual(f.order, ['a', 'a', 'b']);
  });

  it('random (power of two choices): every server used, load kept even', async () => {
    let seed = 12345;
    const rand = (): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    const f = await farm([{ name: 'a' }, { name: 'b' }, { name: 'c' }], { backend: { balance: 'random' }, random: rand });
    for (let i = 0; i < 30; i++) await open(f);
    const c = counts(f.order);
    assert.equal(Object.keys(c).length, 3);
    // With connections held open, two choices keep the spread tight (pure random would not).
    const values = Object.values(c);
    assert.ok(Math.max(...values) - Math.min(...values) <= 4, JSON.stringify(c));
  });
});

describe('backup, disabled, maxconn and queue', () => {
  it('never picks a disabled server; uses the first backup only when no active server is up', async () => {
    const f = await farm([
      { name: 'a', partial: { disabled: true } },
      { name: 'b1', partial: { backup: true } },
      { name: 'b2', partial: { backup: true } },
    ]);
    for (let i = 0; i < 3; i++) (await open(f)).destroy();
    assert.deepEqual(f.order, ['b1', 'b1', 'b1']);
  });

  it('backups are not used while an active server is up', async () => {
    const f = await farm([{ name: 'a' }, { name: 'b1', partial: { backup: true } }]);
    for (let i = 0; i < 3; i++) (await open(f)).destroy();
    assert.deepEqual(f.order, ['a', 'a', 'a']);
  });

  it('server maxconn queues the next session and serves it when a slot frees', async () => {
    const f = await farm([{ name: 'a', partial: { maxconn: 1 } }], { backend: { timeouts: { connect: 2000, queue: 5000 } } });
    const c1 = await open(f);
    const c2 = await connect(f.port);
    f.clients.push(c2);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(f.order.length, 1, 'second session waits in the queue');
    c1.destroy();
    await waitFor(() => f.order.length === 2, 3000, 'queued session served');
  });

  it('timeout queue closes a session that waited too long and logs sQ', async () => {
    const f = await farm([{ name: 'a', partial: { maxconn: 1 } }], { backend: { timeouts: { connect: 2000, queue: 200 } } });
    await open(f);
    const c2 = await connect(f.port);
    f.clients.push(c2);
    assert.equal(await closedWithin(c2, 3000), true);
    await waitFor(() => / sQ /.test(f.logs.text), 2000, 'sQ log line');
    assert.equal(f.daemon.counters.queueTimeouts, 1);
  });

  it('frontend maxconn holds extra connections unread until a slot frees', async () => {
    const f = await farm([{ name: 'a' }], { frontend: { maxconn: 1 } });
    const c1 = await open(f);
    const c2 = await connect(f.port);
    f.clients.push(c2);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(f.order.length, 1);
    c1.destroy();
    await waitFor(() => f.order.length === 2, 3000, 'waiting connection admitted');
  });

  it('global maxconn holds extra connections unread until a slot frees', async () => {
    const f = await farm([{ name: 'a' }], { global: { maxconn: 2 } });
    const c1 = await open(f);
    await open(f);
    const c3 = await connect(f.port);
    f.clients.push(c3);
    c3.write('waiting');
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(f.order.length, 2, 'third connection not admitted');
    c1.destroy();
    await waitFor(() => f.order.length === 3, 3000, 'third connection admitted');
    const third = await (f.servers[0] as RecordingServer).connection(2);
    await waitFor(() => third.bytes().toString() === 'waiting', 2000, 'its bytes, not lost while waiting');
  });
});

