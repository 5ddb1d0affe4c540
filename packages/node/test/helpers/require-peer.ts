// Real peers (HAProxy, curl, openssl …) come from the one registry in scripts/peers.mjs,
// shared with the pretest, the test runner and .ci/run. A test that needs a peer declares
// `{ skip: peerSkip('haproxy') }` (skipped and counted in the run's summary when it is missing,
// a failure under CI=true) and gets its path with requirePeer('haproxy').
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type * as Registry from '../../../../scripts/peers.mjs';

/** scripts/peers.mjs, found upwards from here: the same from test/ and from dist/test/. */
function registryPath(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); dir !== dirname(dir); dir = dirname(dir)) {
    const candidate = join(dir, 'scripts', 'peers.mjs');
    if (existsSync(candidate)) return candidate;
  }
  throw new Error('scripts/peers.mjs not found above ' + fileURLToPath(import.meta.url));
}

export const { peerSkip, requirePeer } = (await import(pathToFileURL(registryPath()).href)) as typeof Registry;
