// Runs every compiled test file with node:test. Node 20's runner takes no globs, so the
// files are listed here: packages/*/dist/**/*.test.js (unit tests beside the sources,
// end-to-end tests under test/). Extra arguments pass through, e.g.
// `npm test -- --test-name-pattern=v1`.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function collect(dir, out) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) collect(path, out);
    else if (entry.name.endsWith('.test.js')) out.push(relative(root, path));
  }
  return out;
}

const files = [];
for (const pkg of ['proxy-protocol', 'node', 'truehop']) {
  for (const sub of ['src', 'test']) collect(join(root, 'packages', pkg, 'dist', sub), files);
}
files.sort();
if (files.length === 0) {
  console.error('run-tests: no compiled test files found (did the build run?)');
  process.exit(1);
}
const result = spawnSync(process.execPath, ['--test', ...process.argv.slice(2), ...files], {
  cwd: root,
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
