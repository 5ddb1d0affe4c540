// Differential check against the real HAProxy (Debian's 2.6, when installed): every valid
// fixture that uses only keywords HAProxy 2.6 knows must be accepted by `haproxy -c` too
// (exit 0, or 2 = "valid but no listener"). This keeps "HAProxy syntax" honest: truehop does
// not accept configs HAProxy would refuse. Keywords newer than 2.6 (timeout client-hs from
// 2.9) are removed from the copy; files built on 2.9+ fetches are left out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../src/config/load-config.js';
import { haproxyBin, haproxySkip } from '../support/haproxy.js';

const DIR = fileURLToPath(new URL('../../../test/config/fixtures/', import.meta.url));
const FILES = [
  'valid/full.cfg', 'valid/listen.cfg', 'valid/defaults-inheritance.cfg', 'valid/default-server-order.cfg',
  'valid/send-proxy-semantics.cfg', 'valid/bind-forms.cfg', 'valid/conditional.cfg', 'valid/health-checks.cfg',
  'examples/01-receive.cfg', 'examples/02-send-v1.cfg', 'examples/03-send-v2.cfg',
];
const NEWER_THAN_2_6 = /client-hs/;

test('valid fixtures are accepted by haproxy -c as well', { skip: haproxySkip }, () => {
  const tmp = mkdtempSync(join(tmpdir(), 'truehop-diff-'));
  try {
    for (const name of FILES) {
      const text = readFileSync(DIR + name, 'utf8').split('\n').filter((l) => !NEWER_THAN_2_6.test(l)).join('\n');
      const copy = join(tmp, name.replace('/', '-'));
      writeFileSync(copy, text);
      const ours = loadConfig([copy], { env: {} });
      assert.equal(ours.ok, true, `truehop refuses ${name}`);
      const r = spawnSync(haproxyBin(), ['-c', '-f', copy], { encoding: 'utf8', timeout: 10_000, env: {} });
      assert.ok(r.status === 0 || r.status === 2, `haproxy -c refuses ${name} (exit ${r.status}):\n${r.stderr}`);
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
