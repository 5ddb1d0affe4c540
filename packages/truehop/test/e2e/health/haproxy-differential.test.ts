// Differential test against HAProxy 2.6 from Debian: the same server lines, checked by
// HAProxy and by truehop, each against its own recording servers; the bytes each check sends
// must be identical once the ephemeral source port is normalised (after asserting it is the
// check connection's real port) and the CRC32C verified then zeroed (§3.3, §4.8, §4.9).
// HAProxy missing → skipped and counted in the run's summary (a failure under CI=true).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decode } from '@truehop/proxy-protocol';
import { loadConfigText } from '../../../src/config/load-config.js';
import { createHealthMonitor } from '../../../src/health/monitor.js';
import type { CheckKind, ProxyV2Option, ServerModel, TruehopModel } from '../../../src/model/config-model.js';
import { afterProxyHeader, model, RecordingServer, server } from './fixtures.js';
import { haproxyBin, haproxySkip } from '../../support/haproxy.js';
import { waitFor } from '../../support/peers.js';
import type { Behaviour, RecordedConnection } from './fixtures.js';
import { waitListening } from '../../support/listening.js';

/** Frontend ports HAProxy needs to start (this suite's range: 64000–64499). */
const FRONTEND_PORTS = { local: 64110, neverSendLocal: 64111 };

const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

interface Case {
  name: string;
  /** HAProxy server keywords after `check inter 100`. */
  keywords: string;
  sendProxy: ServerModel['sendProxy'];
  options: ProxyV2Option[];
}

const CASES: Case[] = [
  { name: 'v1', keywords: 'send-proxy', sendProxy: 'v1', options: [] },
  { name: 'v2', keywords: 'send-proxy-v2', sendProxy: 'v2', options: [] },
  { name: 'v2crc', keywords: 'send-proxy-v2 proxy-v2-options crc32c', sendProxy: 'v2', options: ['crc32c'] },
  { name: 'v2ssl', keywords: 'send-proxy-v2 proxy-v2-options crc32c,ssl', sendProxy: 'v2', options: ['crc32c', 'ssl'] },
];

const HTTP_CHECK: CheckKind = { kind: 'httpchk', method: 'GET', uri: '/health', version: 'HTTP/1.1' };
const OK: Behaviour = { kind: 'http', status: 200, reason: 'OK' };

/** Replaces what legitimately differs between two runs by a placeholder, after checking it. */
function normalise(c: RecordedConnection, serverPort: number): string {
  const bytes = Buffer.from(c.bytes);
  const result = decode(bytes); // throws on a bad header, verifies CRC32C
  assert.equal(result.status, 'complete', `no PROXY header in ${bytes.toString('hex')}`);
  if (result.status !== 'complete') return '';
  const { header } = result;
  if (header.version === 1) {
    if (c.remotePort > 0) assert.equal(header.srcPort, c.remotePort, `v1 source port = the check connection port (${bytes.toString('latin1')})`);
    assert.equal(header.dstPort, serverPort);
    const rest = bytes.subarray(result.length).toString('latin1');
    return `${header.protocol} ${header.src} ${header.dst} <sport> <dport>|${rest}`;
  }
  let offset = 16;
  if (header.src !== null) {
    if (c.remotePort > 0) assert.equal(header.srcPort, c.remotePort, 'v2 source port = the check connection port');
    assert.equal(header.dstPort, serverPort);
    const block = bytes[13] === 0x11 ? 12 : 36;
    const portsAt = 16 + block - 4;
    bytes.fill(0, portsAt, portsAt + 4);
    offset += block;
  }
  // Zero the (verified) CRC32C value: it covers the ports, so it differs with them.
  while (offset + 3 <= result.length) {
    const type = bytes[offset];
    const length = bytes.readUInt16BE(offset + 1);
    if (type === 0x03) bytes.fill(0, offset + 3, offset + 3 + length);
    offset += 3 + length;
  }
  return bytes.toString('hex');
}

async function recorders(count: number, behaviour: Behaviour): Promise<RecordingServer[]> {
  const list: RecordingServer[] = [];
  for (let i = 0; i < count; i += 1) {
    const rec = await new RecordingServer(behaviour).listen();
    cleanups.push(() => rec.close());
    list.push(rec);
  }
  return list;
}

async function runHaproxy(config: string, frontendPort: number, until: () => boolean): Promise<void> {
  const binary = haproxyBin();
  const dir = mkdtempSync(join(tmpdir(), 'truehop-health-haproxy-'));
  const file = join(dir, 'haproxy.cfg');
  writeFileSync(file, config);
  let output = '';
  const child = spawn(binary, ['-db', '-f', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    const started = await waitListening(frontendPort, 5000, 25, () => child.exitCode !== null);
    if (started === 'exited') throw new Error(`haproxy exited:\n${output}`);
    if (started === 'timed-out') throw new Error(`haproxy did not start:\n${output}`);
    await waitFor(until, 5000, `HAProxy's checks (output so far: ${output})`);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  }
}

function haproxyConfig(frontendPort: number, neverSendLocal: boolean, tcp: RecordingServer[], http: RecordingServer[]): string {
  const lines = ['global', ...(neverSendLocal ? ['  pp2-never-send-local'] : []), 'defaults', '  mode tcp',
    '  timeout connect 1s', '  timeout client 5s', '  timeout server 5s', '  timeout check 1s',
    // The frontend only proves HAProxy is up; it rejects, so the probe never reaches a recorder.
    'frontend fe', `  bind 127.0.0.1:${frontendPort}`, '  tcp-request connection reject', '  default_backend tcp', 'backend tcp'];
  CASES.forEach((c, i) => lines.push(`  server ${c.name} 127.0.0.1:${tcp[i]?.port} check inter 100 ${c.keywords}`));
  lines.push('backend http', '  option httpchk GET /health HTTP/1.1');
  CASES.forEach((c, i) => lines.push(`  server ${c.name} 127.0.0.1:${http[i]?.port} check inter 100 ${c.keywords}`));
  return `${lines.join('\n')}\n`;
}

function truehopModels(neverSendLocal: boolean, tcp: RecordingServer[], http: RecordingServer[]): TruehopModel[] {
  const servers = (list: RecordingServer[]): ServerModel[] =>
    CASES.map((c, i) => server(c.name, list[i]?.port ?? 0, { sendProxy: c.sendProxy, proxyV2Options: new Set(c.options) }));
  const global = { pp2NeverSendLocal: neverSendLocal };
  return [
    model(servers(tcp), { global, backend: 'tcp', timeouts: { connect: 1000, check: 1000 } }),
    model(servers(http), { global, backend: 'http', checkKind: HTTP_CHECK, timeouts: { connect: 1000, check: 1000 } }),
  ];
}

/**
 * Finished connections that carried bytes. HAProxy ends plain TCP checks with a reset, which
 * can reach the server before Node reads the peer's address (remotePort unknown): those
 * cannot have their source port checked and are left out.
 */
function usable(rec: RecordingServer): RecordedConnection[] {
  return rec.connections.filter((c) => c.closed && c.bytes.length > 0);
}

/** Distinct normalised byte strings of the usable connections. */
function seen(list: RecordingServer[]): string[][] {
  return list.map((rec) => [...new Set(usable(rec).map((c) => normalise(c, rec.port)))]);
}

const enough = (list: RecordingServer[]) => (): boolean => list.every((rec) => usable(rec).length >= 2);

for (const neverSendLocal of [false, true]) {
  test(`check bytes equal HAProxy 2.6's${neverSendLocal ? ' with pp2-never-send-local' : ''}: send-proxy, send-proxy-v2, + crc32c, + ssl; tcp and httpchk`, { skip: haproxySkip }, async () => {
    const port = neverSendLocal ? FRONTEND_PORTS.neverSendLocal : FRONTEND_PORTS.local;
    const hTcp = await recorders(CASES.length, { kind: 'accept' });
    const hHttp = await recorders(CASES.length, OK);
    const haproxy = [...hTcp, ...hHttp];
    await runHaproxy(haproxyConfig(port, neverSendLocal, hTcp, hHttp), port, enough(haproxy));

    const tTcp = await recorders(CASES.length, { kind: 'accept' });
    const tHttp = await recorders(CASES.length, OK);
    const truehop = [...tTcp, ...tHttp];
    const monitors = truehopModels(neverSendLocal, tTcp, tHttp).map((m) => createHealthMonitor(m, { log: () => {} }));
    for (const monitor of monitors) monitor.start();
    try {
      await waitFor(enough(truehop), 5000, "truehop's checks");
    } finally {
      for (const monitor of monitors) await monitor.stop();
    }

    const expected = seen(haproxy);
    const actual = seen(truehop);
    for (const [i, rec] of haproxy.entries()) {
      const label = `${i < CASES.length ? 'tcp' : 'httpchk'} ${CASES[i % CASES.length]?.name}`;
      assert.equal(expected[i]?.length, 1, `HAProxy sent one kind of check for ${label}: ${JSON.stringify(expected[i])}`);
      assert.deepEqual(actual[i], expected[i], `${label}: truehop's check bytes differ from HAProxy's (port ${rec.port})`);
    }
    // The HTTP request follows the header unchanged.
    assert.ok(afterProxyHeader(hHttp[0]?.connections[0]?.bytes ?? Buffer.alloc(0))?.toString().startsWith('GET /health HTTP/1.1\r\n'));
  });
}

test('which checks carry a header (send-proxy, port, check-send-proxy, no-check-send-proxy) matches HAProxy 2.6, from config text', { skip: haproxySkip }, async () => {
  const port = 64112;
  // Server lines as a user writes them; `{p}` is each line's check recorder port.
  const lines = [
    'send-proxy',
    'send-proxy port {p}',
    'send-proxy port {p} check-send-proxy',
    'send-proxy no-check-send-proxy',
    'send-proxy-v2 proxy-v2-options crc32c addr 127.0.0.1 port {p} check-send-proxy',
  ];
  const dead = 1; // traffic port nobody listens on: only checks matter here
  const render = (list: RecordingServer[]): string[] =>
    lines.map((keywords, i) => {
      const rec = list[i];
      const address = keywords.includes('{p}') ? `127.0.0.1:${dead}` : `127.0.0.1:${rec?.port}`;
      return `  server s${i} ${address} check inter 100 ${keywords.replace('{p}', String(rec?.port))}`;
    });

  const hRecs = await recorders(lines.length, OK);
  const hConfig = ['defaults', '  mode tcp', '  timeout connect 1s', '  timeout client 5s', '  timeout server 5s',
    'frontend fe', `  bind 127.0.0.1:${port}`, '  tcp-request connection reject', '  default_backend be',
    'backend be', '  option httpchk GET /health HTTP/1.1', ...render(hRecs)].join('\n');
  await runHaproxy(`${hConfig}\n`, port, enough(hRecs));

  const tRecs = await recorders(lines.length, OK);
  const tText = ['defaults', '  mode tcp', '  timeout connect 1s', 'backend be', ...render(tRecs)].join('\n');
  const loaded = loadConfigText([{ file: 'checks.cfg', text: `${tText}\n` }]);
  assert.ok(loaded.ok, JSON.stringify(loaded.diagnostics));
  const be = loaded.model.backends.get('be');
  assert.ok(be);
  // `option httpchk` is not parsed by the loader yet: set the same check kind on the model.
  const m: TruehopModel = { ...loaded.model, backends: new Map([['be', { ...be, checkKind: HTTP_CHECK }]]) };
  const monitor = createHealthMonitor(m, { log: () => {} });
  monitor.start();
  try {
    await waitFor(enough(tRecs), 5000, "truehop's checks");
  } finally {
    await monitor.stop();
  }

  const headerOf = (c: RecordedConnection, rec: RecordingServer): string => {
    const request = c.bytes.indexOf('GET /health');
    assert.ok(request >= 0, c.bytes.toString('latin1'));
    if (request === 0) return 'no header';
    return normalise({ ...c, bytes: c.bytes.subarray(0, request) }, rec.port);
  };
  const kinds = (list: RecordingServer[]): string[][] => list.map((rec) => [...new Set(usable(rec).map((c) => headerOf(c, rec)))]);
  const expected = kinds(hRecs);
  const actual = kinds(tRecs);
  lines.forEach((line, i) => {
    assert.equal(expected[i]?.length, 1, `${line}: ${JSON.stringify(expected[i])}`);
    assert.deepEqual(actual[i], expected[i], `server … ${line}`);
  });
  // What HAProxy 2.6 does, spelled out: port/addr stop the inheritance, check-send-proxy forces
  // the header, and no-check-send-proxy only undoes check-send-proxy (inheritance remains).
  assert.deepEqual(expected.map((e) => e[0] === 'no header'), [false, true, false, false, false]);
});
