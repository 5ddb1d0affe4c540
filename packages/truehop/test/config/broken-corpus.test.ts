// The broken-config corpus: each fixture under fixtures/broken/ ends with one or more
// `# expect: <alert|warning> <CODE> <line>:<col>` comments (at the end, so they do not shift
// line numbers). Every expected diagnostic must be reported at exactly that place, and no
// alert may be reported that the fixture does not expect (no cascades, no noise).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../src/config/load-config.js';

// dist/test/config → ../../../test/config/fixtures (fixtures are not compiled)
const DIR = fileURLToPath(new URL('../../../test/config/fixtures/broken/', import.meta.url));
const files = readdirSync(DIR).filter((f) => f.endsWith('.cfg')).sort();

interface Expectation { severity: string; code: string; line: number; col: number }

function expectations(text: string): Expectation[] {
  const out: Expectation[] = [];
  for (const m of text.matchAll(/^# expect: (alert|warning) ([A-Z0-9_]+) (\d+):(\d+)$/gm)) {
    out.push({ severity: m[1]!, code: m[2]!, line: Number(m[3]), col: Number(m[4]) });
  }
  return out;
}

test('the corpus has at least 40 configs that fail with an alert', () => {
  const failing = files.filter((f) => expectations(readFileSync(join(DIR, f), 'utf8')).some((e) => e.severity === 'alert'));
  assert.ok(failing.length >= 40, `only ${failing.length} alert fixtures`);
});

for (const file of files) {
  test(`broken/${file}`, () => {
    const path = join(DIR, file);
    const expected = expectations(readFileSync(path, 'utf8'));
    assert.ok(expected.length > 0, 'fixture has no # expect: line');
    const { diagnostics, ok } = loadConfig([path], { env: {} });
    const got = diagnostics.map((d) => `${d.severity} ${d.code} ${d.pos.line}:${d.pos.col}`);
    for (const e of expected) {
      assert.ok(got.includes(`${e.severity} ${e.code} ${e.line}:${e.col}`), `expected ${e.severity} ${e.code} at ${e.line}:${e.col}; got:\n${got.join('\n')}`);
    }
    const unexpectedAlerts = diagnostics
      .filter((d) => d.severity === 'alert')
      .filter((d) => !expected.some((e) => e.severity === 'alert' && e.code === d.code && e.line === d.pos.line && e.col === d.pos.col));
    assert.deepEqual(unexpectedAlerts.map((d) => `${d.code} ${d.pos.line}:${d.pos.col} ${d.message}`), []);
    assert.equal(ok, !expected.some((e) => e.severity === 'alert'));
    for (const d of diagnostics) assert.equal(d.pos.file, path);
  });
}
