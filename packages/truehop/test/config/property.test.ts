// Property: the loader never throws on any input. Random text (biased towards the characters
// and words the tokenizer and parser care about) gives diagnostics, never an exception, and
// every diagnostic has a code and a position inside the text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { loadConfigText } from '../../src/config/load-config.js';
import { tokenizeText } from '../../src/config/tokenize.js';
import { Diagnostics } from '../../src/text/diagnostics.js';

const TOKENS = [
  'global', 'defaults', 'frontend', 'backend', 'listen', 'from', 'bind', 'server', 'default-server',
  'mode', 'tcp', 'http', 'timeout', 'client', 'connect', 'option', 'redispatch', 'no', 'log', 'global',
  'acl', 'use_backend', 'default_backend', 'if', 'unless', '!', '||', '{', '}', 'tcp-request', 'content',
  'connection', 'session', 'inspect-delay', 'accept', 'reject', 'set-var(sess.x)', 'fc_pp_tlv(0xEE)',
  'src', 'bytes(0,1)', 'hex', 'eq', '-m', 'bin', 'send-proxy', 'send-proxy-v2', 'check', 'port', 'addr',
  'proxy-v2-options', 'crc32c,ssl', 'set-proxy-v2-tlv-fmt(0xE1)', '%[src]', 'balance', 'random(2)',
  ':80', '*:81', '[::1]:82', ':::83', '127.0.0.1:1-2', 'fe', 'be', 'x', '10s', '0', '.if', '.else',
  '.endif', 'defined(X)', '"${X-1}"', "'q'", '\\', '#', '"', "'", '\\x4', '${', '$X', ' ', '\t', '\n', '\r\n',
];

const configText = fc.array(fc.oneof(fc.constantFrom(...TOKENS), fc.string({ maxLength: 6 }), fc.constantFrom(' ', '\n', '  ')), { maxLength: 80 })
  .map((parts) => parts.join(' '));

test('tokenizer: any text gives words or diagnostics, never an exception', () => {
  fc.assert(fc.property(fc.string({ maxLength: 300 }), (text) => {
    const d = new Diagnostics();
    const lines = tokenizeText(text, 'p.cfg', () => undefined, d);
    for (const l of lines) for (const w of l.words) assert.ok(w.pos.line >= 1 && w.pos.col >= 1);
  }), { numRuns: 500 });
});

test('loader: random configuration-like text never throws', () => {
  fc.assert(fc.property(configText, (text) => {
    const r = loadConfigText([{ file: 'p.cfg', text }], { env: { X: 'v' } });
    const lineCount = text.split('\n').length;
    for (const d of r.diagnostics) {
      assert.match(d.code, /^[A-Z0-9_]+$/);
      assert.ok(d.pos.line >= 1 && d.pos.line <= lineCount, `line ${d.pos.line} of ${lineCount}`);
      assert.ok(d.pos.col >= 1);
    }
    assert.equal(r.ok, !r.diagnostics.some((d) => d.severity === 'alert'));
  }), { numRuns: 400 });
});

test('loader: random unicode and binary-looking text never throws', () => {
  fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (text) => {
    loadConfigText([{ file: 'p.cfg', text: `frontend fe\n  bind :80\n${text}` }], { env: {} });
  }), { numRuns: 300 });
});
