// The diagnostic codes are a contract: DiagnosticSink only accepts codes of DIAGNOSTIC_CODES
// (a code missing there does not compile); this checks the other direction — every listed code
// is still emitted by some module of the pipeline (config, text, sample, acl, rules) — and that
// docs/config-keywords.md documents every one of them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DIAGNOSTIC_CODES } from '../../src/text/diagnostic-codes.js';

const SRC = fileURLToPath(new URL('../../../src/', import.meta.url));
const DOC = fileURLToPath(new URL('../../../../../docs/config-keywords.md', import.meta.url));
const PIPELINE = ['config', 'text', 'sample', 'acl', 'rules'];

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    if (e.isDirectory()) out.push(...sources(path));
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') && !e.name.includes('fixture') && e.name !== 'diagnostic-codes.ts') out.push(path);
  }
  return out;
}

test('every diagnostic code of the table is emitted by the pipeline', () => {
  const text = PIPELINE.flatMap((d) => sources(join(SRC, d))).map((f) => readFileSync(f, 'utf8')).join('\n');
  const unused = Object.keys(DIAGNOSTIC_CODES).filter((c) => !text.includes(`'${c}'`));
  assert.deepEqual(unused, [], 'listed but never emitted');
});

test('docs/config-keywords.md documents every diagnostic code', () => {
  const doc = readFileSync(DOC, 'utf8');
  const missing = Object.keys(DIAGNOSTIC_CODES).filter((c) => !doc.includes(`| \`${c}\` |`));
  assert.deepEqual(missing, []);
});
