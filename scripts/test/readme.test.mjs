// Every shell command in the README's code blocks is run here (or named as the run itself), so
// the README cannot drift from what works: a command this file does not know fails the first
// test. `npm start` runs forever: it is started, probed with the README's own curl commands,
// then stopped. The install command the README gives is the one of scripts/peers.mjs.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { installCommand, peerSkip, requirePeer } from '../peers.mjs';
import { REPO_ROOT } from '../test-sandbox.mjs';

const README = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
const STARTUP_MS = 120_000; // prestart may run `tsc -b` on a busy machine
const COMMAND_MS = 20_000;

/** The commands of the README's sh code blocks, each with its trailing comment. */
const commands = [...README.matchAll(/```(?:sh|bash|shell)\n([\s\S]*?)```/g)]
  .flatMap((m) => m[1].split('\n'))
  .map((line) => /^(.*?)(?:\s+#\s*(.*))?$/.exec(line.trim()))
  .filter((m) => m[1] !== '')
  .map((m) => ({ command: m[1].trim(), comment: m[2] ?? '' }));

/** How each README command is proven. */
const KNOWN = [
  { pattern: /^npm test$/, how: 'the run this test belongs to' },
  { pattern: /^npm start$/, how: 'started, probed with the curl commands, stopped' },
  { pattern: /^curl /, how: 'run against npm start' },
  { pattern: /^npx truehop /, how: 'run on a small configuration' },
];

test('every shell command of the README is one this file runs', () => {
  assert.ok(commands.length >= 6, `found ${commands.length} commands`);
  const unknown = commands.filter(({ command }) => !KNOWN.some((k) => k.pattern.test(command)));
  assert.deepEqual(unknown, [], 'a README command no test runs: add it to KNOWN with a way to prove it');
});

test('the README gives the install command of the peer registry', () => {
  assert.ok(README.includes(installCommand()), `README.md should say: ${installCommand()}`);
});

/** Runs a shell command line (argument words as written), resolves with status and output. */
function run(command, cwd = REPO_ROOT, timeout = COMMAND_MS) {
  return new Promise((resolve) => {
    const child = spawn('sh', ['-c', command], { cwd, stdio: ['ignore', 'pipe', 'pipe'], timeout });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.once('close', (status) => resolve({ status, output }));
  });
}

function portFree(port) {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

/** Starts a long-running command in its own process group; stopped by t.after. */
function startBackground(t, command, ready) {
  const child = spawn('sh', ['-c', `exec ${command}`], { cwd: REPO_ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  t.after(() => {
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${command} did not get ready in ${STARTUP_MS} ms:\n${output}`)), STARTUP_MS);
    const onData = (d) => {
      output += d;
      if (ready.test(output)) {
        clearTimeout(timer);
        resolve(child);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${command} exited (${code}):\n${output}`));
    });
  });
}

test('npm start: the demo answers the README\'s curl commands, then stops', { skip: peerSkip('curl') }, async (t) => {
  requirePeer('curl');
  if (!(await portFree(8080)) || !(await portFree(8081))) {
    t.skip('127.0.0.1:8080 or :8081 is taken by another program: the demo cannot start');
    return;
  }
  await startBackground(t, 'npm start', /truehop demo is running/);
  const curls = commands.filter(({ command }) => command.startsWith('curl '));
  assert.equal(curls.length, 3);
  for (const { command, comment } of curls) {
    const r = await run(`${command} --silent --show-error --max-time 10`);
    if (/refused/.test(comment)) {
      assert.notEqual(r.status, 0, `${command} should be refused: ${r.output}`);
    } else {
      assert.equal(r.status, 0, `${command}: ${r.output}`);
      assert.match(r.output, /your address, as the PROXY header told me: 127\.0\.0\.1:\d+/, command);
    }
  }
});

const BIN = join(REPO_ROOT, 'node_modules', '.bin', 'truehop');

test('npx truehop -c -f / -f: checks, then runs a configuration', async (t) => {
  assert.ok(existsSync(BIN), `${BIN} is missing: npm ci links it from packages/truehop/bin`);
  const dir = mkdtempSync(join(tmpdir(), 'truehop-readme-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const cfg = join(dir, 'haproxy.cfg');
  writeFileSync(cfg, [
    'defaults', '  mode tcp', '  timeout connect 1s', '  timeout client 5s', '  timeout server 5s',
    'frontend fe', '  bind 127.0.0.1:0', '  default_backend be',
    'backend be', '  server s1 127.0.0.1:9', '',
  ].join('\n'));
  const npx = commands.filter(({ command }) => command.startsWith('npx truehop '));
  assert.deepEqual(npx.map((c) => c.command), ['npx truehop -c -f haproxy.cfg', 'npx truehop -f haproxy.cfg']);
  const check = await run(npx[0].command.replace('haproxy.cfg', cfg));
  assert.equal(check.status, 0, check.output);
  // Running = the daemon says it listens; then SIGTERM to the whole group (npx, its shell, the
  // daemon) ends it. npm itself dies of that signal, so its exit status says nothing about the
  // daemon's (graceful stops are proven by test/e2e/runtime/signals.test.ts).
  const daemon = await startBackground(t, npx[1].command.replace('haproxy.cfg', cfg), /truehop: frontend 'fe' listening on 127\.0\.0\.1:\d+/);
  const exited = new Promise((resolve) => daemon.once('exit', () => resolve(true)));
  process.kill(-daemon.pid, 'SIGTERM');
  const ended = await Promise.race([exited, new Promise((resolve) => setTimeout(() => resolve(false), 10_000))]);
  assert.equal(ended, true, 'npx truehop did not stop on SIGTERM');
});

// The README's TypeScript and JavaScript snippets compile against the built packages' types,
// so a renamed export or option cannot hide in the README. Their free names (a received
// `chunk`, a decoded `header`) are declared; tsc runs in a scratch project whose node_modules
// is the repository's (linked by the child process: the sandbox lets this one write only in
// its temporary directory).
test('the README\'s TypeScript and JavaScript snippets type-check', async (t) => {
  const snippets = [...README.matchAll(/```(ts|js)\n([\s\S]*?)```/g)].map((m) => m[2]);
  assert.ok(snippets.length >= 2, `found ${snippets.length} snippets`);
  const dir = mkdtempSync(join(tmpdir(), 'truehop-readme-ts-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const prelude = "declare const chunk: Buffer;\ndeclare const header: import('@truehop/proxy-protocol').ProxyHeader;\nexport {};\n";
  const names = snippets.map((code, i) => {
    writeFileSync(join(dir, `snippet-${i}.ts`), prelude + code);
    return `snippet-${i}.ts`;
  });
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { strict: true, noEmit: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', types: ['node'], skipLibCheck: true },
    files: names,
  }));
  const tsc = join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const r = await run(`ln -s ${JSON.stringify(join(REPO_ROOT, 'node_modules'))} node_modules && ${JSON.stringify(process.execPath)} ${JSON.stringify(tsc)} -p tsconfig.json`, dir, STARTUP_MS);
  assert.equal(r.status, 0, r.output);
});
