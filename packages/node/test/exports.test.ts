// What each entry point costs an app that imports it: `@truehop/node` serves net and tls
// servers too, so it must not load Node's http, https or http2 modules on its own; only the
// fastify adapter (the subpath `@truehop/node/fastify`) needs them. Checked in a fresh child
// process, resolving the package by its published name (the `exports` map), by reading
// Node's own list of the builtin modules it has loaded.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';

const HTTP_MODULES = /^NativeModule (_http_\w+|http|https|http2|internal\/http2\/\w+)$/;

/** The http-family builtins loaded by a fresh Node process that imports `specifier`. */
function httpModulesLoadedBy(specifier: string): string[] {
  const script = `await import(${JSON.stringify(specifier)});
    process.stdout.write(JSON.stringify(process.moduleLoadList));`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: new URL('.', import.meta.url),
    encoding: 'utf8',
    timeout: 20_000,
  });
  const loaded = JSON.parse(out) as string[];
  return loaded.filter((name) => HTTP_MODULES.test(name)).map((name) => name.slice('NativeModule '.length));
}

describe('entry points load only what they need', () => {
  it('@truehop/node loads no http, https or http2 module', () => {
    assert.deepEqual(httpModulesLoadedBy('@truehop/node'), []);
  });

  it('@truehop/node/fastify does load them (so the probe above can see them)', () => {
    const loaded = httpModulesLoadedBy('@truehop/node/fastify');
    for (const name of ['http', 'https', 'http2']) assert.ok(loaded.includes(name), `${name} in ${loaded.join(', ')}`);
  });
});
