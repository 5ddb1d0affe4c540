// Real peers (HAProxy) come from the one registry in scripts/peers.mjs,
// shared with the pretest, the test runner and .ci/run. A test that needs a peer declares
// `{ skip: peerSkip('haproxy') }` (skipped and counted in the run's summary when it is missing,
// a failure under CI=true) and gets its path with requirePeer('haproxy').
import type * as Registry from '../../../scripts/peers.mjs';

// The compiled copy sits one level deeper (dist/), and a type import is not rewritten.
const toRoot = /\/packages\/[^/]+\/dist\//.test(import.meta.url) ? '../../../../' : '../../../';
export const { peerSkip, requirePeer } = (await import(new URL(`${toRoot}scripts/peers.mjs`, import.meta.url).href)) as typeof Registry;
