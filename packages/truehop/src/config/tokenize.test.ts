import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Diagnostics } from '../text/diagnostics.js';
import { tokenizeLine, tokenizeText } from './tokenize.js';

const ENV: Record<string, string> = { HOST: '10.0.0.1', EMPTY: '', PORT: '8080' };
const env = (n: string): string | undefined => ENV[n];

function words(line: string): { texts: string[]; d: Diagnostics } {
  const d = new Diagnostics();
  return { texts: tokenizeLine(line, 'f.cfg', 1, env, d).map((w) => w.text), d };
}

test('words, columns and comments', () => {
  const d = new Diagnostics();
  const ws = tokenizeLine('  bind\t:80   accept-proxy # a comment', 'f.cfg', 3, env, d);
  assert.deepEqual(ws.map((w) => [w.text, w.pos.line, w.pos.col]), [['bind', 3, 3], [':80', 3, 8], ['accept-proxy', 3, 14]]);
  assert.equal(d.items.length, 0);
  assert.deepEqual(words('acl a#b').texts, ['acl', 'a']);
});

test('quotes: glued parts form one word, quoted flag, empty quoted word', () => {
  assert.deepEqual(words(`log-format "%{+Q}o %t"' %s'\\ %{-Q}r`).texts, ['log-format', '%{+Q}o %t %s %{-Q}r']);
  const d = new Diagnostics();
  const ws = tokenizeLine(`x "if" '' "a#b"`, 'f', 1, env, d);
  assert.deepEqual(ws.map((w) => [w.text, w.quoted]), [['x', false], ['if', true], ['', true], ['a#b', true]]);
});

test('escapes as HAProxy: known ones, \\xHH, unknown kept, none inside single quotes', () => {
  assert.deepEqual(words('a\\ b \\# \\\\ \\" \\\' \\x41 \\1 \\r').texts, ['a b', '#', '\\', '"', "'", 'A', '\\1', '\r']);
  assert.deepEqual(words(`'\\x41 \\ '`).texts, ['\\x41 \\ ']);
});

test('a backslash at the end of a line is literal: no line continuation (HAProxy has none)', () => {
  const d = new Diagnostics();
  const lines = tokenizeText('bind :80 \\\n  accept-proxy\n', 'f', env, d);
  assert.equal(lines.length, 2);
  assert.deepEqual(lines[0]!.words.map((w) => w.text), ['bind', ':80', '\\']);
  assert.deepEqual(lines[1]!.words.map((w) => w.text), ['accept-proxy']);
});

test('environment variables expand in double quotes only, with defaults', () => {
  assert.deepEqual(words('"${HOST}:$PORT" \'${HOST}\' ${HOST} "${NOPE-1.2.3.4}" "${EMPTY-x}" "\\$HOST" "$1"').texts, [
    '10.0.0.1:8080', '${HOST}', '${HOST}', '1.2.3.4', '', '$HOST', '$1',
  ]);
});

test('unset variable warns; bad syntax and unmatched quotes alert with positions', () => {
  const a = words('bind "${NOPE}:80"');
  assert.deepEqual(a.texts, ['bind', ':80']);
  assert.deepEqual(a.d.items.map((i) => [i.severity, i.code, i.pos.col]), [['warning', 'ENV_UNDEFINED', 7]]);
  const b = words('bind "${HOST');
  assert.deepEqual(b.d.items.map((i) => [i.code, i.pos.col]).slice(0, 1), [['BAD_ENV_SYNTAX', 7]]);
  const c = words(`server s1 'abc`);
  assert.deepEqual(c.texts, []);
  assert.deepEqual(c.d.items.map((i) => [i.code, i.pos.col]), [['UNMATCHED_QUOTE', 11]]);
  const e = words('x \\xZZ');
  assert.deepEqual(e.d.items.map((i) => [i.code, i.pos.col]), [['BAD_ESCAPE', 3]]);
});

test('CRLF line endings and blank lines', () => {
  const d = new Diagnostics();
  const lines = tokenizeText('global\r\n\r\n  maxconn 10\r\n', 'f', env, d);
  assert.deepEqual(lines.map((l) => [l.pos.line, l.words.map((w) => w.text)]), [[1, ['global']], [3, ['maxconn', '10']]]);
});
