import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Diagnostics } from '../text/diagnostics.js';
import { evaluate, filterConditionalBlocks } from './conditional-blocks.js';
import { tokenizeText } from './tokenize.js';

const env = (n: string): string | undefined => ({ A: '1', B: 'x' } as Record<string, string>)[n];
const pos = { file: 'f', line: 1, col: 1 };

test('conditions: numbers, predicates, !, &&, ||, parentheses', () => {
  const d = new Diagnostics();
  const cases: [string, boolean][] = [
    ['1', true], ['0', false], ['defined(A)', true], ['defined(Z)', false], ['!defined(Z)', true],
    ['streq(a,a)', true], ['strneq(a,a)', false], ['strstr(abc,b)', true], ['feature(OPENSSL)', false],
    ['defined(A) && defined(Z)', false], ['defined(A) || defined(Z)', true], ['!(0 || 0) && 1', true],
  ];
  for (const [text, want] of cases) assert.equal(evaluate(text, pos, env, d), want, text);
  assert.equal(d.items.length, 0);
  assert.equal(evaluate('version_atleast(2.4)', pos, env, d), false);
  assert.equal(evaluate('defined(A) &&', pos, env, d), false);
  assert.equal(evaluate('((((1', pos, env, d), false);
  assert.deepEqual(d.items.map((i) => i.code), ['BAD_CONDITION', 'BAD_CONDITION', 'BAD_CONDITION']);
});

test('blocks: nesting, elif taken once, else, stray and unclosed directives', () => {
  const text = [
    '.if 0', 'a', '.elif 1', 'b', '  .if 0', 'c', '  .else', 'd', '  .endif', '.elif 1', 'e', '.else', 'f', '.endif',
    'g', '.warning careful', '.endif', '.if 1', 'h',
  ].join('\n');
  const d = new Diagnostics();
  const lines = filterConditionalBlocks(tokenizeText(text, 'f', env, d), 'f', env, d);
  assert.deepEqual(lines.map((l) => l.words[0]?.text), ['b', 'd', 'g', 'h']);
  assert.deepEqual(d.items.map((i) => [i.severity, i.code, i.pos.line]), [
    ['warning', 'CONFIG_WARNING', 16],
    ['alert', 'BAD_CONDITION', 17],
    ['alert', 'BAD_CONDITION', 18],
  ]);
});
