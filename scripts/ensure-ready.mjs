// Makes a fresh clone (or a stale checkout) ready to run: installs dependencies when
// node_modules is missing or older than package-lock.json, then builds every package.
// `tsc -b` is incremental, so an up-to-date tree costs a second, and a newcomer types
// nothing beyond `npm start` / `npm test`. Plain Node on purpose: it runs before any
// dependency exists.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function run(cmd, args) {
  const result = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`truehop setup: '${cmd} ${args.join(' ')}' failed (exit ${result.status ?? result.signal})`);
    process.exit(result.status ?? 1);
  }
}

function mtime(path) {
  return existsSync(path) ? statSync(path).mtimeMs : 0;
}

// npm ci records its run in node_modules/.package-lock.json: older than the lock means stale.
const installedMarker = join(root, 'node_modules', '.package-lock.json');
if (!existsSync(installedMarker) || mtime(installedMarker) < mtime(join(root, 'package-lock.json'))) {
  console.error('truehop setup: installing dependencies (npm ci)…');
  run(npm, ['ci', '--no-audit', '--no-fund']);
}

run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-b',
  'packages/proxy-protocol', 'packages/node', 'packages/truehop']);
