// Runs every compiled test file with node:test, one process per file, and ends with one summary.
// Node 20's runner takes no globs, so the files are listed here: packages/*/dist/**/*.test.js
// (unit tests beside the sources, end-to-end tests under test/) and scripts/test/*.test.mjs
// (checks of the repository itself); TRUEHOP_TEST_FILES (comma-separated) runs only those.
// Extra arguments pass through to every file, e.g. `npm test -- --test-name-pattern=v1`.
//
// * Each file has a time bound (TRUEHOP_TEST_FILE_TIMEOUT_S, default 120 s, about five times
//   the slowest file on a loaded 2-core machine): a file that hangs
//   (a server left open, a peer that never answers) is killed with its process group and
//   reported, and the run goes on.
// * Each file runs in the permission sandbox of scripts/test-sandbox.mjs: reading anything
//   outside the repository is an error.
// * The daemon runs on two transports (docs/transport.md), and its end-to-end files run on
//   both: the main pass with TRUEHOP_TRANSPORT=socket (net.Socket), and a lane of their own
//   beside it with TRUEHOP_TRANSPORT=raw (libuv handles), together with the raw transport's
//   unit tests; a file never runs in both lanes at once (fixed ports). The raw lane runs
//   outside the permission sandbox: the permission model refuses process.binding, which the
//   raw transport needs. The same files run sandboxed in the main pass, so a read outside the
//   repository is still caught there; the raw lane differs only in how sockets are driven.
// * Tests skipped for a missing peer (scripts/peers.mjs) are counted per peer and the summary
//   says how to install it.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { installCommand, peer } from './peers.mjs';
import { REPO_ROOT, sandboxFlags } from './test-sandbox.mjs';

const FILE_TIMEOUT_MS = Number(process.env.TRUEHOP_TEST_FILE_TIMEOUT_S ?? 120) * 1000;
/** Main-pass files at once: Node's own default for `node --test` (one core left free). */
const MAIN_LANES = Math.max(1, Number(process.env.TRUEHOP_TEST_CONCURRENCY ?? availableParallelism() - 1));
const E2E_DIR = 'packages/truehop/dist/test/e2e/';
const MAIN_PASS = { name: 'TRUEHOP_TRANSPORT=socket', env: { TRUEHOP_TRANSPORT: 'socket' }, sandboxed: true };
const RAW_TRANSPORT = { name: 'TRUEHOP_TRANSPORT=raw', env: { TRUEHOP_TRANSPORT: 'raw' }, sandboxed: false };
/** Unit tests of the raw transport itself: they need process.binding, so they run in the raw lane. */
const RAW_UNIT_DIR = 'packages/truehop/dist/src/datapath/transport/';

/** packages/<pkg>/dist/<sub>/…/x.test.js → packages/<pkg>/<sub>/…/x.test.ts */
function sourceOf(compiled) {
  return compiled.replace(/([\\/])dist([\\/])/, '$1').replace(/\.js$/, '.ts');
}

function collect(dir, suffix, out) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) collect(path, suffix, out);
    // A compiled test runs only while its TypeScript source exists: a test moved or deleted
    // since the last build leaves its copy in dist/ (tsc -b never removes it).
    else if (entry.name.endsWith(suffix) && (suffix !== '.test.js' || existsSync(sourceOf(path)))) out.push(relative(REPO_ROOT, path));
  }
  return out;
}

const files = [];
if (process.env.TRUEHOP_TEST_FILES !== undefined) {
  files.push(...process.env.TRUEHOP_TEST_FILES.split(',').map((f) => relative(REPO_ROOT, resolve(REPO_ROOT, f))));
} else {
  for (const pkg of ['proxy-protocol', 'node', 'truehop']) {
    for (const sub of ['src', 'test']) collect(join(REPO_ROOT, 'packages', pkg, 'dist', sub), '.test.js', files);
  }
  collect(join(REPO_ROOT, 'scripts', 'test'), '.test.mjs', files);
}
files.sort();
if (files.length === 0) {
  console.error('run-tests: no compiled test files found (did the build run?)');
  process.exit(1);
}

const passThrough = process.argv.slice(2);
// The run's own temporary directory: every file's TMPDIR, the only place it may write.
const runTmp = mkdtempSync(join(tmpdir(), 'truehop-tests-'));
const reports = mkdtempSync(join(runTmp, 'reports-'));
const sandbox = sandboxFlags(runTmp);
const running = new Set();

/** One file in one child process; resolves with its counts and how it ended. */
function runFile(job, index) {
  return new Promise((resolve) => {
    const countsFile = join(reports, `${index}.json`);
    const args = [...(job.pass.sandboxed ? sandbox : []), '--test-reporter=spec', '--test-reporter-destination=stdout',
      `--test-reporter=${join(REPO_ROOT, 'scripts', 'count-reporter.mjs')}`, `--test-reporter-destination=${countsFile}`,
      ...passThrough, job.file];
    const started = Date.now();
    // Its own process group, so a timeout also ends the peers (HAProxy, nginx) it started.
    const child = spawn(process.execPath, args, {
      cwd: REPO_ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...job.pass.env, TMPDIR: runTmp, FORCE_COLOR: process.stdout.isTTY ? '1' : '0' },
    });
    running.add(child);
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child);
    }, FILE_TIMEOUT_MS);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      running.delete(child);
      killGroup(child); // whatever it left running
      let counts = { pass: 0, fail: 0, skip: 0, todo: 0, peerSkips: {} };
      try {
        const lines = readFileSync(countsFile, 'utf8').trim().split('\n');
        if (lines.at(-1) !== '') counts = JSON.parse(lines.at(-1));
      } catch {
        // no test finished (or the file never started): the exit status says what happened
      }
      resolve({ job, output, code, signal, timedOut, counts, ms: Date.now() - started });
    });
  });
}

function killGroup(child) {
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // the group is already gone
  }
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    for (const child of running) killGroup(child);
    rmSync(runTmp, { recursive: true, force: true });
    process.exit(130);
  });
}

const isRawUnit = (f) => f.startsWith(RAW_UNIT_DIR);
const mainJobs = files.filter((f) => !isRawUnit(f)).map((file) => ({ file, pass: MAIN_PASS }));
const rawJobs = files.filter((f) => f.startsWith(E2E_DIR) || isRawUnit(f)).map((file) => ({ file, pass: RAW_TRANSPORT }));
const busy = new Set();
const results = [];
let jobIndex = 0;

function print(result) {
  const { job, output, code, signal, timedOut, ms } = result;
  const label = job.pass === MAIN_PASS ? job.file : `[${job.pass.name}] ${job.file}`;
  const failed = timedOut || code !== 0;
  console.log(`\n${failed ? '✖' : '▶'} ${label} (${(ms / 1000).toFixed(1)} s)`);
  process.stdout.write(output);
  if (timedOut) console.log(`✖ ${label}: TIMED OUT after ${FILE_TIMEOUT_MS / 1000} s, killed with its child processes (something it started never ended)`);
  else if (code !== 0) console.log(`✖ ${label}: exit ${code ?? signal}`);
}

/** One lane: takes the next job of `queue` whose file is not running elsewhere. */
async function lane(queue) {
  for (;;) {
    const at = queue.findIndex((job) => !busy.has(job.file));
    if (at === -1) {
      if (queue.length === 0) return;
      await new Promise((r) => setTimeout(r, 50));
      continue;
    }
    const [job] = queue.splice(at, 1);
    busy.add(job.file);
    const result = await runFile(job, jobIndex++);
    busy.delete(job.file);
    results.push(result);
    print(result);
  }
}

const t0 = Date.now();
await Promise.all([
  ...Array.from({ length: MAIN_LANES }, () => lane(mainJobs)),
  lane(rawJobs),
]);
rmSync(runTmp, { recursive: true, force: true });

// ---------------------------------------------------------------- summary
const mainResults = results.filter((r) => r.job.pass === MAIN_PASS);
const rawResults = results.filter((r) => r.job.pass === RAW_TRANSPORT);
const totals = (list) => {
  const n = (key) => list.reduce((sum, r) => sum + r.counts[key], 0);
  return `${n('pass')} passed, ${n('fail')} failed, ${n('skip')} skipped${n('todo') > 0 ? `, ${n('todo')} todo` : ''}`;
};
const bad = results.filter((r) => r.timedOut || r.code !== 0);
// Counted on the main pass only: the second pass skips the same tests again.
const peerSkips = {};
for (const r of mainResults) for (const [name, n] of Object.entries(r.counts.peerSkips)) peerSkips[name] = (peerSkips[name] ?? 0) + n;

console.log('\n──────── truehop test summary');
console.log(`${mainResults.length} files in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${totals(mainResults)}`);
if (rawResults.length > 0) console.log(`with ${RAW_TRANSPORT.name}, ${rawResults.length} end-to-end and transport files: ${totals(rawResults)}`);
for (const r of bad) {
  const label = r.job.pass === MAIN_PASS ? r.job.file : `[${r.job.pass.name}] ${r.job.file}`;
  console.log(`✖ ${label}: ${r.timedOut ? `timed out after ${FILE_TIMEOUT_MS / 1000} s` : `failed (exit ${r.code ?? r.signal})`}`);
}
const missing = Object.keys(peerSkips).sort();
if (missing.length > 0) {
  console.log(`missing peers — ${missing.map((name) => `${name}: ${peerSkips[name]} skipped`).join('; ')} (a skipped suite counts once)`);
  console.log(`  install them and rerun: sudo ${installCommand(missing.map(peer))} (npm test does it itself when run as root)`);
}
process.exit(bad.length > 0 ? 1 : 0);
