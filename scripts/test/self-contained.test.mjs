// The repository holds everything its code, tests, fuzzing and benchmarks read (issue 10):
// a fresh clone with nothing beside it must pass. Checked three ways:
// 1. no tracked file under packages/, scripts/ or .ci/ names the old reference folder beside
//    the repository;
// 2. every test file runs in the permission sandbox (scripts/test-sandbox.mjs) in the main pass
//    (the raw-transport lane runs the same files again outside it, docs/transport.md): shown here to
//    refuse a read beside the repository and allow one inside it, so any test that reads
//    outside fails wherever it runs;
// 3. the fuzz campaign (not a test file) finds its corpus inside the repository, in the sandbox.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { peerSkip, requirePeer } from '../peers.mjs';
import { REPO_ROOT, sandboxFlags } from '../test-sandbox.mjs';

test('no file under packages/, scripts/ or .ci/ refers to the folder beside the repository', { skip: peerSkip('git') }, () => {
  const tracked = execFileSync(requirePeer('git'), ['ls-files', '-z', 'packages', 'scripts', '.ci'], { cwd: REPO_ROOT, encoding: 'utf8' })
    .split('\0').filter((f) => f !== '');
  // Built from pieces so that this file does not match itself.
  const needles = ['..' + '/shared', 'shared' + '/spec'];
  assert.ok(tracked.length > 100, `git ls-files listed ${tracked.length} files`);
  const offenders = tracked.filter((file) => {
    const text = readFileSync(join(REPO_ROOT, file), 'latin1');
    return needles.some((needle) => text.includes(needle));
  });
  assert.deepEqual(offenders, []);
});

function inSandbox(args) {
  const tmp = mkdtempSync(join(tmpdir(), 'truehop-sandbox-'));
  try {
    return spawnSync(process.execPath, [...sandboxFlags(tmp), ...args], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 60_000, env: { ...process.env, TMPDIR: tmp } });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

test('the test sandbox refuses reads beside the repository and allows them inside', { skip: sandboxFlags(tmpdir()).length === 0 && 'this Node has no permission model' }, () => {
  const read = (path) => inSandbox(['-e', `require('node:fs').readdirSync(${JSON.stringify(path)})`]);
  const outside = read(dirname(REPO_ROOT));
  assert.notEqual(outside.status, 0, 'listing the folder that holds the repository must fail');
  assert.match(outside.stderr, /ERR_ACCESS_DENIED/);
  const inside = read(join(REPO_ROOT, 'packages'));
  assert.equal(inside.status, 0, inside.stderr);
});

test('the fuzz campaign reads its vectors from the repository, inside the sandbox', () => {
  const r = inSandbox([join(REPO_ROOT, 'packages/proxy-protocol/dist/fuzz/campaign.js'), '--runs', '50', '--seed', '1']);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout + r.stderr, /60 vectors from .*packages\/proxy-protocol\/test\/fixtures\/vectors\.json/);
});
