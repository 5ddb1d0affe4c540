// The packages as an npm user gets them: `npm pack` of the three workspaces, installed from
// those tarballs alone (offline, empty npm cache) into a project outside the repository.
// There, every entry point imports as ESM and loads with require() (engines promise it),
// TypeScript resolves the types under moduleResolution node16 and bundler, and the `truehop`
// bin runs. The packed file lists hold no tests, fixtures, benchmarks or fuzzers, and every
// relative reference inside a packed file (imports, source maps) resolves inside its tarball.
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { REPO_ROOT, WORKSPACES } from './workspaces.js';

/** npm pack, npm install and tsc each get this long at most: a hang fails instead of blocking. */
const STEP_TIMEOUT_MS = 120_000;
const TSC = join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
/**
 * Paths a published package must not contain: tests, fixtures, benchmarks, fuzzers, build
 * state, and the daemon's keyword-doc generator (config/docs/: it writes into the repository's
 * docs/, a path that from node_modules lies outside the user's project).
 */
const NOT_PUBLISHED = /(^|\/)(test|tests|__tests__|fixtures?|bench|fuzz)(\/|$)|\.test\.|-fixture\.|\.tsbuildinfo$|(^|\/)config\/docs\//;

/** Each published entry point by its import specifier, from the packages' `exports` maps. */
const ENTRY_POINTS = WORKSPACES.flatMap(({ manifest }) =>
  Object.keys(manifest.exports).filter((key) => key !== './package.json').map((key) => manifest.name + key.slice(1)));

/**
 * Uses every entry point with real types. The `@ts-expect-error` line needs the declared
 * types: if a package resolved to `any` (or not at all) the check fails.
 */
const TYPED_SNIPPET = `import { createServer } from 'node:net';
import { decode, encode, ProxyProtocolError } from '@truehop/proxy-protocol';
import type { ProxyHeader } from '@truehop/proxy-protocol';
import { readAwsVpceId } from '@truehop/proxy-protocol/aws';
import { readAzureLinkId } from '@truehop/proxy-protocol/azure';
import { readGcpPscConnectionId } from '@truehop/proxy-protocol/gcp';
import { readSsl } from '@truehop/proxy-protocol/ssl';
import { acceptProxyProtocol, getProxyInfo } from '@truehop/node';
import type { AcceptProxyOptions } from '@truehop/node';
import { proxyProtocolServerFactory } from '@truehop/node/fastify';
import { loadConfigText } from 'truehop';
import type { TruehopModel } from 'truehop';

const bytes: Buffer = encode({ version: 2, src: '192.0.2.1', srcPort: 51000, dst: '198.51.100.2', dstPort: 443 });
const result = decode(bytes);
if (result.status === 'complete') {
  const header: ProxyHeader = result.header;
  const ids: [string | undefined, number | undefined, bigint | undefined] = [readAwsVpceId(header), readAzureLinkId(header), readGcpPscConnectionId(header)];
  void [ids, readSsl(header)?.version];
}
// @ts-expect-error the statuses are a closed union: this line is an error only with the real types
const impossible: 'no-such-status' = result.status;
const options: AcceptProxyOptions = { trusted: ['127.0.0.1'] };
const server = acceptProxyProtocol(createServer(), options);
server.on('connection', (socket) => void getProxyInfo(socket));
const factory = proxyProtocolServerFactory(options);
const model: TruehopModel = loadConfigText([{ file: 'inline.cfg', text: '' }]).model;
const failure: unknown = new Error('x');
if (failure instanceof ProxyProtocolError) { const code: string = failure.code; void code; }
void [impossible, factory, model];
`;

interface PackResult { name: string; filename: string; files: { path: string; mode: number }[] }

/** The environment without npm's lifecycle variables, so the outer `npm test` cannot steer the inner npm. */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));
}

/**
 * The type checks, one per moduleResolution. Only the node16 one also checks the declaration
 * files themselves (skipLibCheck false: our .d.ts and the @types/node they use, ~10 s of the
 * run); the bundler one checks that the same imports resolve to the same types.
 */
const TYPE_CHECKS = [
  { module: 'node16', moduleResolution: 'node16', skipLibCheck: false },
  { module: 'esnext', moduleResolution: 'bundler', skipLibCheck: true },
] as const;

function run(command: string, args: readonly string[], cwd: string): string {
  const r = spawnSync(command, args, { cwd, encoding: 'utf8', timeout: STEP_TIMEOUT_MS, env: cleanEnv() });
  if (r.error !== undefined) throw r.error;
  assert.equal(r.status, 0, `${command} ${args.join(' ')} (in ${cwd}) exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

const scratch = realpathSync(mkdtempSync(join(tmpdir(), 'truehop-pack-')));
const tarballs = join(scratch, 'tarballs');
const app = join(scratch, 'app');
let packed: PackResult[] = [];
/** tsc runs started as soon as the packages are installed, concurrently with the other checks. */
const typeCheckRuns = new Map<string, Promise<unknown>>();
after(() => rmSync(scratch, { recursive: true, force: true }));

before(() => {
  assert.ok(!scratch.startsWith(REPO_ROOT), 'the consumer project is outside the repository');
  mkdirSync(tarballs);
  mkdirSync(app);
  const workspaceArgs = WORKSPACES.flatMap(({ folder }) => ['--workspace', `packages/${folder}`]);
  packed = JSON.parse(run('npm', ['pack', ...workspaceArgs, '--pack-destination', tarballs, '--json', '--ignore-scripts'], REPO_ROOT)) as PackResult[];
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  // --offline with a fresh, empty cache: nothing can come from a registry, so the three
  // tarballs must satisfy each other's dependencies on their own.
  run('npm', ['install', '--offline', '--cache', join(scratch, 'npm-cache'), '--no-audit', '--no-fund', '--ignore-scripts',
    ...packed.map((p) => join(tarballs, p.filename))], app);
  writeFileSync(join(app, 'check.ts'), TYPED_SNIPPET);
  for (const { skipLibCheck, ...resolution } of TYPE_CHECKS) {
    const tsconfig = `tsconfig.${resolution.moduleResolution}.json`;
    writeFileSync(join(app, tsconfig), JSON.stringify({
      compilerOptions: {
        ...resolution, target: 'es2022', strict: true, noEmit: true, skipLibCheck,
        // @types/node from the repository: the consumer project has no registry to get it from.
        typeRoots: [join(REPO_ROOT, 'node_modules', '@types')], types: ['node'],
      },
      files: ['check.ts'],
    }));
    const running = promisify(execFile)(process.execPath, [TSC, '-p', tsconfig], { cwd: app, timeout: STEP_TIMEOUT_MS, env: cleanEnv() });
    running.catch(() => undefined); // awaited by its test; this only keeps an early failure from being "unhandled"
    typeCheckRuns.set(resolution.moduleResolution, running);
  }
});

describe('npm pack → npm install from the tarballs → use', () => {
  it('each tarball holds README, LICENSE and package.json, and no tests, fixtures, benchmarks or fuzzers', () => {
    assert.deepEqual(packed.map((p) => p.name), WORKSPACES.map((w) => w.manifest.name));
    for (const { name, files } of packed) {
      const paths = files.map((f) => f.path);
      for (const required of ['README.md', 'LICENSE', 'package.json']) assert.ok(paths.includes(required), `${name}: ${required}`);
      assert.deepEqual(paths.filter((path) => NOT_PUBLISHED.test(path)), [], name);
    }
  });

  it('every relative import and source-map reference in a packed file resolves inside its tarball', () => {
    for (const { name, files } of packed) {
      const paths = new Set(files.map((f) => f.path));
      const root = join(app, 'node_modules', name);
      const dangling: string[] = [];
      for (const path of paths) {
        if (!/\.(js|d\.ts|map)$/.test(path)) continue;
        const text = readFileSync(join(root, path), 'utf8');
        const dir = posix.dirname(path);
        const targets: string[] = [];
        if (path.endsWith('.map')) {
          const map = JSON.parse(text) as { sources: string[]; sourceRoot?: string };
          for (const source of map.sources) targets.push(posix.join(dir, map.sourceRoot ?? '', source));
        } else {
          for (const m of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"](\.{1,2}\/[^'"]+)['"]/g)) {
            const target = posix.join(dir, m[1] ?? '');
            targets.push(path.endsWith('.d.ts') ? target.replace(/\.js$/, '.d.ts') : target);
          }
          for (const m of text.matchAll(/^\/\/# sourceMappingURL=(\S+)$/gm)) targets.push(posix.join(dir, m[1] ?? ''));
        }
        for (const target of targets) if (!paths.has(target)) dangling.push(`${name}/${path} → ${target}`);
      }
      assert.deepEqual(dangling, [], name);
    }
  });

  it('every entry point imports as ESM from the installed copy, and works', () => {
    const probe = `
      const specifiers = ${JSON.stringify(ENTRY_POINTS)};
      const out = { resolved: {}, exports: {} };
      for (const s of specifiers) {
        out.resolved[s] = import.meta.resolve(s);
        out.exports[s] = Object.keys(await import(s)).sort();
      }
      const { decode, encode } = await import('@truehop/proxy-protocol');
      const result = decode(encode({ version: 2, src: '192.0.2.1', srcPort: 51000, dst: '198.51.100.2', dstPort: 443 }));
      out.decoded = [result.status, result.header.src, result.header.srcPort];
      const { loadConfigText } = await import('truehop');
      out.configOk = loadConfigText([{ file: 'inline.cfg', text: 'backend b\\n  server s1 127.0.0.1:8080 send-proxy-v2\\n' }]).ok;
      process.stdout.write(JSON.stringify(out));`;
    writeFileSync(join(app, 'probe.mjs'), probe);
    const out = JSON.parse(run(process.execPath, ['probe.mjs'], app)) as {
      resolved: Record<string, string>; exports: Record<string, string[]>; decoded: unknown[]; configOk: boolean;
    };
    for (const specifier of ENTRY_POINTS) {
      assert.ok(out.resolved[specifier]?.startsWith(`file://${join(app, 'node_modules')}/`), `${specifier} → ${out.resolved[specifier]}`);
      assert.ok((out.exports[specifier]?.length ?? 0) > 0, `${specifier} exports something`);
    }
    assert.ok(out.exports['@truehop/node/fastify']?.includes('proxyProtocolServerFactory'));
    assert.deepEqual(out.decoded, ['complete', '192.0.2.1', 51000]);
    assert.equal(out.configOk, true);
  });

  it('every entry point loads with require() from CommonJS, with the same exports', () => {
    const probe = `
      const specifiers = ${JSON.stringify(ENTRY_POINTS)};
      (async () => {
        const out = { required: {}, imported: {} };
        for (const s of specifiers) {
          out.required[s] = Object.keys(require(s)).filter((k) => k !== '__esModule').sort();
          out.imported[s] = Object.keys(await import(s)).sort();
        }
        process.stdout.write(JSON.stringify(out));
      })();`;
    writeFileSync(join(app, 'probe.cjs'), probe);
    const out = JSON.parse(run(process.execPath, ['probe.cjs'], app)) as { required: Record<string, string[]>; imported: Record<string, string[]> };
    assert.deepEqual(Object.keys(out.required), ENTRY_POINTS);
    assert.deepEqual(out.required, out.imported);
  });

  for (const { moduleResolution } of TYPE_CHECKS) {
    it(`TypeScript resolves the published types with moduleResolution ${moduleResolution}`, async () => {
      const running = typeCheckRuns.get(moduleResolution);
      assert.ok(running !== undefined, 'tsc was started');
      try {
        await running;
      } catch (err) {
        const { stdout, stderr } = err as { stdout?: string; stderr?: string };
        assert.fail(`tsc (${moduleResolution}) failed:\n${stdout ?? ''}${stderr ?? String(err)}`);
      }
    });
  }

  it('the truehop bin runs from node_modules/.bin', () => {
    const bin = join(app, 'node_modules', '.bin', 'truehop');
    assert.ok(existsSync(bin), 'npm linked the bin');
    const version = WORKSPACES.find((w) => w.manifest.name === 'truehop')?.manifest.version;
    assert.equal(run(bin, ['--version'], app), `truehop ${version}\n`);
  });
});
