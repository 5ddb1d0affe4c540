// docs/errors.md lists exactly the codes of PROXY_ERROR_CODES, each with its description: every
// code is documented and every documented code exists (both directions).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { PROXY_ERROR_CODES, ProxyProtocolError, isProxyProtocolError } from './errors.js';

// dist/src/errors-doc.test.js → repository root → docs/errors.md
const doc = readFileSync(new URL('../../../../docs/errors.md', import.meta.url), 'utf8');
const section = doc.slice(doc.indexOf('## `@truehop/proxy-protocol`'));
const table = section.slice(0, section.indexOf('### '));
const documented = new Map(
  [...table.matchAll(/^\| `([A-Z_]+)` \| (.+) \|$/gm)].map((m) => [m[1]!, m[2]!]),
);

test('every code of PROXY_ERROR_CODES is documented with its description', () => {
  for (const [code, description] of Object.entries(PROXY_ERROR_CODES)) {
    assert.equal(documented.get(code), description, `docs/errors.md row for ${code}`);
  }
});

test('every documented code exists', () => {
  assert.ok(documented.size > 0);
  for (const code of documented.keys()) assert.ok(Object.hasOwn(PROXY_ERROR_CODES, code), `${code} is not a code`);
});

test('every code also has a "who raises what" row', () => {
  for (const code of Object.keys(PROXY_ERROR_CODES)) assert.match(section, new RegExp(`\\| \`${code}\` \\| [^|]*(decode|encode|end|@truehop/node)`), code);
});

test('ProxyProtocolError carries code and offset, and is recognised by brand', () => {
  const e = new ProxyProtocolError('BAD_TLV', 'x', { offset: 7 });
  assert.equal(e.code, 'BAD_TLV');
  assert.equal(e.offset, 7);
  assert.equal(e.name, 'ProxyProtocolError');
  assert.ok(isProxyProtocolError(e));
  assert.ok(!isProxyProtocolError(new Error('x')));
});
