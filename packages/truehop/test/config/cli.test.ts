// The compiled CLI as a child process: exit codes and output lines of check mode, usage
// errors, and run mode (start on a loopback port-0 listener, stop on SIGTERM).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const FIX = fileURLToPath(new URL('../../../test/config/fixtures/', import.meta.url));
const LINE = /^(.+):(\d+):(\d+): (alert|warning): .+ \[([A-Z0-9_]+)\]$/;
/** Every child gets this long at most; a hang fails the test instead of blocking the run. */
const CHILD_TIMEOUT_MS = 15_000;

function run(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: CHILD_TIMEOUT_MS, env: { PATH: process.env.PATH ?? '' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('check mode on a valid config: warnings as file:line:col lines, then "Configuration file is valid", exit 0', () => {
  const file = FIX + 'examples/02-send-v1.cfg';
  const r = run('-c', '-f', file);
  assert.equal(r.code, 0);
  assert.equal(r.stdout, 'Configuration file is valid\n');
  const lines = r.stderr.trimEnd().split('\n');
  assert.deepEqual(lines.map((l) => { const m = LINE.exec(l); return m ? `${m[1]}:${m[2]}:${m[3]} ${m[4]} ${m[5]}` : l; }), [
    `${file}:2:1 warning MISSING_TIMEOUTS`,
    `${file}:2:1 warning NO_LISTENER`,
  ]);
});

test('check mode on a broken config: every alert printed, exit 1, no "valid" line', () => {
  const file = FIX + 'broken/05-bind-ssl-missing-crt.cfg';
  const r = run('-c', '-f', file);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '');
  const diag = r.stderr.split('\n').filter((l) => LINE.test(l));
  assert.ok(diag.includes(`${file}:2:21: alert: cannot read certificate '${FIX}broken/no-such-site.pem': ENOENT [FILE_UNREADABLE]`), r.stderr);
  assert.ok(diag.includes(`${file}:2:38: alert: bind option 'npn' is not supported by truehop yet [NOT_SUPPORTED_YET]`), r.stderr);
});

test('several -f are read in order, and a long option works too', () => {
  const a = FIX + 'broken/02-unknown-server-option.cfg';
  const b = FIX + 'broken/03-unknown-bind-option.cfg';
  const r = run('-c', '-f', a, '--file', b);
  assert.equal(r.code, 1);
  const files = r.stderr.split('\n').map((l) => LINE.exec(l)?.[1]).filter((f) => f !== undefined);
  assert.deepEqual([...new Set(files)], [a, b]);
});

test('unreadable file, usage errors, version and help', () => {
  const missing = run('-c', '-f', '/nonexistent/truehop.cfg');
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /^\/nonexistent\/truehop\.cfg:1:1: alert: .*\[FILE_UNREADABLE\]$/m);
  assert.equal(run('-c').code, 2);
  const bad = run('--bogus');
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /Usage: truehop/);
  const v = run('-v');
  assert.equal(v.code, 0);
  assert.match(v.stdout, /^truehop \d+\.\d+\.\d+\n$/);
  const h = run('--help');
  assert.equal(h.code, 0);
  assert.match(h.stdout, /-c, --check/);
});

test('run mode refuses a config with alerts and starts nothing', () => {
  const r = run('-f', FIX + 'broken/01-unknown-proxy-keyword.cfg');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /\[UNKNOWN_KEYWORD\]/);
});

test('run mode starts the daemon on loopback and stops on SIGTERM with exit 0', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'truehop-cli-'));
  const cfg = join(dir, 'run.cfg');
  writeFileSync(cfg, [
    'defaults', '  timeout connect 1s', '  timeout client 1s', '  timeout server 1s',
    'frontend fe', '  bind 127.0.0.1:0', '  default_backend be',
    'backend be', '  server s1 127.0.0.1:9', '',
  ].join('\n'));
  const child = spawn(process.execPath, [CLI, '-f', cfg], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  let onListening: () => void = () => undefined;
  const listening = new Promise<void>((resolve) => { onListening = resolve; });
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString();
    if (/^truehop: frontend 'fe' listening on 127\.0\.0\.1:[1-9][0-9]*$/m.test(stderr)) onListening();
  });
  child.stdout.resume();
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const killer = setTimeout(() => child.kill('SIGKILL'), CHILD_TIMEOUT_MS);
  try {
    const first = await Promise.race([listening.then(() => 'listening'), exited.then((code) => `exited ${code}`)]);
    assert.equal(first, 'listening', stderr);
    child.kill('SIGTERM');
    assert.equal(await exited, 0, stderr);
  } finally {
    clearTimeout(killer);
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});
