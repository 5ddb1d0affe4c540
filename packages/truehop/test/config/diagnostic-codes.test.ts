// Every code the configuration loader emits is listed (and so documented) in
// diagnostic-codes.ts, and every listed code is still emitted somewhere.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CONFIG_DIAGNOSTIC_CODES } from '../../src/text/diagnostic-codes.js';

const SRC = fileURLToPath(new URL('../../../src/config/', import.meta.url));

test('diagnostic codes used by src/config are exactly the documented ones', () => {
  const used = new Set<string>();
  for (const f of readdirSync(SRC).filter((n) => n.endsWith('.ts') && !n.endsWith('.test.ts'))) {
    const text = readFileSync(SRC + f, 'utf8');
    for (const m of text.matchAll(/\.(?:alert|warning)\(\s*(?:\{[^}]*\}|[^,]+),\s*'([A-Z0-9_]+)'/g)) used.add(m[1]!);
  }
  const documented = new Set(Object.keys(CONFIG_DIAGNOSTIC_CODES));
  assert.deepEqual([...used].filter((c) => !documented.has(c)).sort(), [], 'used but not documented');
  assert.deepEqual([...documented].filter((c) => !used.has(c)).sort(), [], 'documented but never used');
});
