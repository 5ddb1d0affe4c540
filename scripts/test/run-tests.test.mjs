// The test runner itself (scripts/run-tests.mjs) on two fixture files: a file that never ends
// is killed at the time bound with the processes it started, reported, and fails the run; the
// summary counts the tests skipped for a missing peer and gives the command that installs it.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from '../test-sandbox.mjs';

function runner(files, env) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(REPO_ROOT, 'scripts', 'run-tests.mjs')], {
      cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env, TRUEHOP_TEST_FILES: files.join(',') },
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.once('close', (code) => resolve({ code, output }));
  });
}

/** Whether `pid` still exists after up to 5 s (a killed orphan stays a zombie until reaped). */
async function stillAlive(pid) {
  for (const deadline = Date.now() + 5000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) {
    try {
      process.kill(pid, 0);
    } catch {
      return false;
    }
  }
  return true;
}

test('a file that never ends is killed at its time bound, with what it started, and fails the run', async () => {
  const started = Date.now();
  const r = await runner(['scripts/test/fixtures/hangs.mjs'], { TRUEHOP_TEST_FILE_TIMEOUT_S: '3' });
  assert.ok(Date.now() - started < 60_000, 'the run ended soon after the bound');
  assert.equal(r.code, 1, r.output);
  assert.match(r.output, /scripts\/test\/fixtures\/hangs\.mjs: TIMED OUT after 3 s/);
  assert.match(r.output, /1 files in [\d.]+ s: 1 passed, 0 failed/);
  const pid = Number(/started pid (\d+)/.exec(r.output)?.[1]);
  assert.ok(pid > 0, r.output);
  assert.equal(await stillAlive(pid), false, 'the sleep the file started was killed with it');
});

test('tests skipped for a missing peer are counted in one summary line with the install command', async () => {
  const r = await runner(['scripts/test/fixtures/peer-skips.mjs'], {});
  assert.equal(r.code, 0, r.output);
  assert.match(r.output, /1 files in [\d.]+ s: 1 passed, 0 failed, 2 skipped/);
  assert.match(r.output, /missing peers — wrk: 2 skipped/);
  assert.match(r.output, /install them and rerun: sudo apt-get install -y --no-install-recommends wrk/);
});
