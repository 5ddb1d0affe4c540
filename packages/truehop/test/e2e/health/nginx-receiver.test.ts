// A receiver that requires the PROXY protocol — nginx from Debian with `proxy_protocol` on its
// listen line — stays UP under truehop's checks in every mode (v1, v2 LOCAL, + crc32c, + ssl,
// pp2-never-send-local; plain TCP and httpchk), and nginx never logs a broken header. A
// control server without send-proxy goes DOWN, proving nginx really enforces the header.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHealthMonitor } from '../../../src/health/monitor.js';
import type { HealthMonitor } from '../../../src/health/monitor.js';
import type { CheckKind, GlobalModel, ProxyV2Option, ServerModel } from '../../../src/model/config-model.js';
import { model, server } from './fixtures.js';
import { peerSkip, requirePeer } from '../../support/require-peer.js';
import { waitFor } from '../../support/peers.js';
import { waitListening } from '../../support/listening.js';
import { nginxPreamble, nginxTempPaths } from '../../support/nginx.js';

/** Skipped (and counted in the run's summary) without nginx; a failure under CI=true. */
const skip = peerSkip('nginx');
/** nginx's listen port (this suite's range: 64000–64499). */
const NGINX_PORT = 64210;

let dir = '';
let child: ChildProcess | null = null;
let output = '';
const monitors: HealthMonitor[] = [];

before(async () => {
  if (skip !== false) return;
  const binary = requirePeer('nginx');
  dir = mkdtempSync(join(tmpdir(), 'truehop-health-nginx-'));
  mkdirSync(join(dir, 'logs'));
  const config = `
${nginxPreamble(dir)}
http {
  log_format pp '$proxy_protocol_addr $proxy_protocol_port $request $status';
  access_log ${dir}/logs/access.log pp;
  ${nginxTempPaths(dir)}
  server {
    listen 127.0.0.1:${NGINX_PORT} proxy_protocol;
    location / { return 200 "ok\\n"; }
  }
}
`;
  writeFileSync(join(dir, 'nginx.conf'), config);
  child = spawn(binary, ['-p', dir, '-c', join(dir, 'nginx.conf')], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const nginx = child;
  const started = await waitListening(NGINX_PORT, 5000, 25, () => nginx.exitCode !== null);
  if (started === 'exited') throw new Error(`nginx exited: ${output}`);
  if (started === 'timed-out') throw new Error(`nginx did not listen on ${NGINX_PORT}: ${output}`);
});

after(async () => {
  for (const monitor of monitors) await monitor.stop();
  if (child !== null && child.exitCode === null) {
    const exited = new Promise((resolve) => child?.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child?.kill('SIGKILL'), 2000);
    await exited;
    clearTimeout(timer);
  }
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

interface Mode {
  name: string;
  sendProxy: ServerModel['sendProxy'];
  options: ProxyV2Option[];
  global?: Partial<GlobalModel>;
}

const MODES: Mode[] = [
  { name: 'v1', sendProxy: 'v1', options: [] },
  { name: 'v2-local', sendProxy: 'v2', options: [] },
  { name: 'v2-crc32c', sendProxy: 'v2', options: ['crc32c'] },
  { name: 'v2-ssl', sendProxy: 'v2', options: ['crc32c', 'ssl'] },
  { name: 'v2-never-local', sendProxy: 'v2', options: ['crc32c'], global: { pp2NeverSendLocal: true } },
];

const KINDS: { name: string; kind: CheckKind }[] = [
  { name: 'tcp', kind: { kind: 'tcp' } },
  { name: 'httpchk', kind: { kind: 'httpchk', method: 'GET', uri: '/health', version: 'HTTP/1.1\r\nHost: nginx', expectStatus: '200' } },
];

test('nginx with proxy_protocol keeps every truehop check mode UP; a header-less check goes DOWN', { skip }, async () => {
  const logs: string[] = [];
  for (const mode of MODES) {
    for (const kind of KINDS) {
      const m = model([server(mode.name, NGINX_PORT, { sendProxy: mode.sendProxy, proxyV2Options: new Set(mode.options), check: { rise: 2, fall: 1 } })], {
        backend: kind.name,
        checkKind: kind.kind,
        global: mode.global ?? {},
        timeouts: { connect: 1000, check: 1000 },
      });
      monitors.push(createHealthMonitor(m, { log: (line) => logs.push(line) }));
    }
  }
  // Control: the same httpchk without any header. fall 1: one failure is enough.
  const control = createHealthMonitor(
    model([server('no-header', NGINX_PORT, { check: { rise: 2, fall: 1 } })], { backend: 'control', checkKind: KINDS[1]?.kind ?? { kind: 'tcp' } }),
    { log: (line) => logs.push(line) },
  );
  monitors.push(control);
  for (const monitor of monitors) monitor.start();

  const snapshots = () => monitors.flatMap((monitor) => monitor.snapshot());
  await waitFor(() => snapshots().every((s) => s.checks >= 5), 10_000, 'five checks of every mode');
  for (const monitor of monitors) await monitor.stop();

  for (const snap of snapshots()) {
    if (snap.backend === 'control') continue;
    const label = `${snap.backend}/${snap.server}`;
    assert.equal(snap.status, 'UP', `${label} went DOWN: ${snap.lastCheck?.reason ?? ''}`);
    assert.equal(snap.downTransitions, 0, label);
    assert.equal(snap.failedChecks, 0, label);
    assert.equal(snap.lastCheck?.passed, true, label);
    if (snap.backend === 'httpchk') assert.equal(snap.lastCheck?.code, 200, `${label}: nginx answered the request behind the header`);
  }
  const controlSnap = control.snapshot()[0];
  assert.equal(controlSnap?.status, 'DOWN', 'nginx must reject a check without a PROXY header');
  assert.equal(controlSnap?.lastCheck?.status, 'L7RSP');

  const errors = readFileSync(join(dir, 'logs', 'error.log'), 'utf8');
  const broken = errors.split('\n').filter((line) => line.includes('broken header'));
  // Only the control's requests may be refused as broken headers.
  assert.ok(broken.every((line) => line.includes('"GET /health HTTP/1.1')), `nginx saw a broken header from a PROXY check:\n${broken.join('\n')}`);
  assert.ok(broken.length >= 1, 'the control proves nginx logs header-less requests');
  const access = readFileSync(join(dir, 'logs', 'access.log'), 'utf8').trim().split('\n');
  // pp2-never-send-local and v1 carry 127.0.0.1; LOCAL headers leave $proxy_protocol_addr empty (logged '-').
  assert.ok(access.some((line) => line.startsWith('127.0.0.1 ') && line.endsWith('GET /health HTTP/1.1 200')), access.slice(0, 5).join('\n'));
  assert.ok(access.some((line) => line.startsWith('- - GET /health HTTP/1.1 200')), access.slice(0, 5).join('\n'));
  assert.equal(logs.filter((line) => / is DOWN/.test(line) && !line.includes('control/')).length, 0, logs.join('\n'));
});
