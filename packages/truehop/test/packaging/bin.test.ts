// The `truehop` command npm links (package.json "bin"): a committed, executable file that
// exists before the build (npm links a workspace's bin only if its file exists when `npm ci`
// runs), loads the compiled CLI and passes its exit status through; before the build it
// says how to build instead of failing with a module-not-found trace.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const PACKAGE_DIR = fileURLToPath(new URL('../../../', import.meta.url));
const pkg = JSON.parse(readFileSync(join(PACKAGE_DIR, 'package.json'), 'utf8')) as { version: string; bin: Record<string, string> };
const BIN = join(PACKAGE_DIR, pkg.bin['truehop'] ?? 'bin entry missing');
/** Every child gets this long at most; a hang fails the test instead of blocking the run. */
const CHILD_TIMEOUT_MS = 15_000;

/** Runs `file` as an executable (its shebang and execute bit, as a shell would). */
function exec(file: string, ...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(file, args, { encoding: 'utf8', timeout: CHILD_TIMEOUT_MS });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const scratch = mkdtempSync(join(tmpdir(), 'truehop-bin-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

describe('the truehop bin', () => {
  it('is a committed source file with a node shebang and the execute bit, not a build output', () => {
    assert.match(pkg.bin['truehop'] ?? '', /^\.\/bin\//);
    assert.ok(readFileSync(BIN, 'utf8').startsWith('#!/usr/bin/env node\n'));
    assert.equal(statSync(BIN).mode & 0o111, 0o111, 'executable by everyone');
  });

  it('package-lock.json records the same bin (npm ci links what the lockfile says, not package.json)', () => {
    const lock = JSON.parse(readFileSync(join(PACKAGE_DIR, '..', '..', 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { bin?: Record<string, string> }>;
    };
    const normalized = Object.fromEntries(Object.entries(pkg.bin).map(([name, path]) => [name, path.replace(/^\.\//, '')]));
    assert.deepEqual(lock.packages['packages/truehop']?.bin, normalized);
  });

  it('runs the compiled CLI, also through a symlink as npm links it, and passes its exit status through', () => {
    const link = join(scratch, 'truehop');
    // Made by a child process: the test runner's permission model refuses fs.symlink here.
    execFileSync(process.execPath, ['-e', 'fs.symlinkSync(process.argv[1], process.argv[2])', BIN, link], { timeout: CHILD_TIMEOUT_MS });
    for (const file of [BIN, link]) {
      assert.deepEqual(exec(file, '--version'), { code: 0, stdout: `truehop ${pkg.version}\n`, stderr: '' });
      const usage = exec(file);
      assert.equal(usage.code, 2, usage.stderr);
      assert.match(usage.stderr, /^truehop: no configuration file/);
      const invalid = exec(file, '-c', '-f', join(scratch, 'missing.cfg'));
      assert.equal(invalid.code, 1, invalid.stderr);
      assert.match(invalid.stderr, /\[FILE_UNREADABLE\]/);
    }
  });

  it('before the build: a clear message naming the missing file and `npm run build`, exit 1', () => {
    const unbuilt = join(scratch, 'unbuilt');
    mkdirSync(join(unbuilt, 'bin'), { recursive: true });
    const copy = join(unbuilt, 'bin', 'truehop.js');
    copyFileSync(BIN, copy);
    const r = exec(copy, '--version');
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, `truehop: the compiled CLI ${join(unbuilt, 'dist', 'src', 'cli', 'main.js')} does not exist yet: run \`npm run build\` first\n`);
  });
});
