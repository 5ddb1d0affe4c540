// The interop suite's packages are all in the project's peer registry (scripts/peers.mjs), so
// the pretest and .ci/run install them and stop their services.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { INTEROP_PEERS } from './peer-packages.js';

/** scripts/peers.mjs from dist/test/interop (plain JavaScript outside the TypeScript project). */
const REGISTRY = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', '..', 'scripts', 'peers.mjs');

test('every interop peer package is in the peer registry', async () => {
  const registry = (await import(pathToFileURL(REGISTRY).href)) as { PEERS: { debian: string }[] };
  const registered = new Set(registry.PEERS.map((p) => p.debian));
  const missing = Object.values(INTEROP_PEERS).filter((p) => !registered.has(p.debianPackage)).map((p) => p.debianPackage);
  assert.deepEqual(missing, [], 'add them to scripts/peers.mjs');
});
