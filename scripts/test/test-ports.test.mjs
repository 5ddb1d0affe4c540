// Test files run side by side (scripts/run-tests.mjs), so the ports they use must not collide.
// A "dead" port (one that refuses, for a DOWN server or a failed connect) comes from one block
// above the ephemeral range, DEAD_PORTS in packages/truehop/test/support/peers.ts, which no
// test may bind: a port bound then released is handed to the next listener on port 0, which
// may be another file's server, and that server then receives the health checks and connects
// meant for nobody.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from '../test-sandbox.mjs';

const PEERS_TS = 'packages/truehop/test/support/peers.ts';

function sources(dir, out = []) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist') continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) sources(path, out);
    else if (/\.(ts|mts|mjs|cfg|conf)$/.test(entry.name)) out.push(path);
  }
  return out;
}

function deadPorts() {
  const m = /DEAD_PORTS = \{ first: (\d+), count: (\d+) \}/.exec(readFileSync(join(REPO_ROOT, PEERS_TS), 'utf8'));
  assert.ok(m, `${PEERS_TS} declares DEAD_PORTS`);
  return { first: Number(m[1]), count: Number(m[2]) };
}

test('the dead-port block is above the ephemeral range, inside the port space', () => {
  const { first, count } = deadPorts();
  // Linux's default ip_local_port_range is 32768–60999: a listener on port 0 never gets these.
  assert.ok(first > 61000 && first + count - 1 <= 65535, `${first}+${count}`);
});

test('no source file names a port of the dead-port block, so no test listens on one', () => {
  const { first, count } = deadPorts();
  const files = [...sources(join(REPO_ROOT, 'packages')), ...sources(join(REPO_ROOT, 'scripts'))];
  assert.ok(files.length > 100, `${files.length} files`);
  const offenders = [];
  for (const file of files) {
    const rel = relative(REPO_ROOT, file);
    if (rel === PEERS_TS || rel === 'scripts/test/test-ports.test.mjs') continue;
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/\b6\d{4}\b/g)) {
      const port = Number(m[0]);
      if (port >= first && port < first + count) offenders.push(`${rel}: ${port}`);
    }
  }
  assert.deepEqual(offenders, []);
});

test('no test makes its own dead port by binding and releasing one', () => {
  const files = sources(join(REPO_ROOT, 'packages')).filter((f) => /\.test\.ts$|[\\/]test[\\/]/.test(f));
  const offenders = files
    .filter((f) => /function (deadPort|closedPort|unusedPort|refusingPort)\b/.test(readFileSync(f, 'utf8')))
    .map((f) => relative(REPO_ROOT, f))
    .filter((rel) => rel !== PEERS_TS);
  assert.deepEqual(offenders, []);
});
