// The Node flags every test file runs under: the permission model with file reads allowed only
// inside the repository (plus the run's own temporary directory and the program directories
// where real peers are looked up) and writes only in that temporary directory. The runner
// gives each run a fresh temporary directory (TMPDIR), so a clone inside /tmp does not open
// its siblings. A test, fixture loader,
// fuzz corpus or helper that reads anything beside the repository (a reference folder beside it, a
// file in someone's home) fails with ERR_ACCESS_DENIED instead of passing only on the machine
// that has it. Child processes the tests spawn (HAProxy, the CLI) are not confined.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Where scripts/peers.mjs looks for programs (it only checks they are executable). */
const PROGRAM_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin',
  // nginx's dynamic modules (the registry's libnginx-mod-stream peer is a module, not a program).
  '/usr/lib/nginx/modules'];

const major = Number(process.versions.node.split('.')[0]);
/** Node 20 grants a directory's contents with `dir/*`; later releases take the directory. */
const tree = (dir) => (major === 20 ? join(dir, '*') : dir);

/** The flags for a run whose temporary directory is `tmp`, or [] without a permission model. */
export function sandboxFlags(tmp) {
  const flag = process.allowedNodeEnvironmentFlags.has('--permission') ? '--permission'
    : process.allowedNodeEnvironmentFlags.has('--experimental-permission') ? '--experimental-permission' : undefined;
  if (flag === undefined) return [];
  // PATH directories too, except one that contains the repository (it would open its siblings).
  const path = (process.env.PATH ?? '').split(':').filter((d) => d.startsWith('/') && d !== '/' && !REPO_ROOT.startsWith(`${d}/`));
  const reads = [REPO_ROOT, resolve(tmp), ...PROGRAM_DIRS, ...path];
  return [
    flag,
    ...[...new Set(reads)].map((dir) => `--allow-fs-read=${tree(dir)}`),
    `--allow-fs-write=${tree(resolve(tmp))}`,
    '--allow-child-process',
    '--allow-worker',
    // The permission model is experimental in Node 20 and warns about child processes: noise.
    '--disable-warning=ExperimentalWarning',
    '--disable-warning=SecurityWarning',
  ];
}
