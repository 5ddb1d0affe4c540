// The one registry of real peers (scripts/peers.mjs) is the only place that names them: the
// tests ask for peers it knows, no test hard-codes where a peer lives or spawns one by name,
// .ci/run installs the registry's packages and the pretest checks them.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { PEERS, installCommand, peerSkip, requirePeer } from '../peers.mjs';
import { REPO_ROOT } from '../test-sandbox.mjs';

const skip = peerSkip('git');
const tracked = skip === false
  ? execFileSync(requirePeer('git'), ['ls-files', '-z', 'packages', 'scripts'], { cwd: REPO_ROOT, encoding: 'utf8' })
    .split('\0').filter((f) => /\.(ts|mjs)$/.test(f))
  : [];
const read = (file) => readFileSync(join(REPO_ROOT, file), 'utf8');
const isTestCode = (file) => /\.test\.ts$/.test(file) || /^packages\/[^/]+\/test\//.test(file);

test('every peer the code asks for is registered, and every registered peer is used', { skip }, () => {
  const asked = new Set();
  for (const file of tracked) {
    for (const call of read(file).matchAll(/\b(?:peerSkip|requirePeer)\(([^)]*)\)/g)) {
      for (const name of call[1].matchAll(/'([^']+)'/g)) asked.add(name[1]);
    }
  }
  const registered = PEERS.map((p) => p.binary);
  assert.deepEqual([...asked].filter((name) => !registered.includes(name)), [], 'asked for but not in scripts/peers.mjs');
  assert.deepEqual(registered.filter((name) => !asked.has(name)), [], 'registered but never asked for');
});

test('no test hard-codes a peer\'s path or spawns one by name', { skip }, () => {
  const names = PEERS.map((p) => p.binary).join('|');
  const byName = new RegExp(`\\b(?:spawn|spawnSync|execFile|execFileSync)\\(\\s*'(?:${names})'`);
  const offenders = tracked.filter(isTestCode).filter((file) => {
    const text = read(file);
    return text.includes('/usr/sbin/') || byName.test(text);
  });
  assert.deepEqual(offenders, []);
});

test('.ci/run installs the registry\'s packages; the pretest checks the peers', () => {
  assert.match(read('.ci/run'), /node scripts\/peers\.mjs debian-packages/);
  const scripts = JSON.parse(read('package.json')).scripts;
  assert.match(scripts.pretest, /node scripts\/ensure-peers\.mjs/);
  assert.equal(scripts.test.includes('node scripts/run-tests.mjs'), true);
});

test('under CI=true no test is skipped for a peer: it runs and fails naming the package', () => {
  const saved = process.env.CI;
  process.env.CI = 'true';
  try {
    assert.equal(peerSkip(...PEERS.map((p) => p.binary)), false);
  } finally {
    if (saved === undefined) delete process.env.CI;
    else process.env.CI = saved;
  }
  assert.equal(installCommand(PEERS.slice(0, 2)), 'apt-get install -y --no-install-recommends haproxy nginx');
});
