// docs/config-keywords.md is generated from the registries; this fails when it is stale
// (regenerate with `node packages/truehop/dist/src/config/docs/generate.js`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderKeywordDoc } from '../../src/config/docs/render.js';
import { SERVER_KEYWORDS } from '../../src/config/keywords/server/server-keywords.js';
import { PROXY_KEYWORDS } from '../../src/config/keywords/proxy/registry.js';

const DOC = fileURLToPath(new URL('../../../../../docs/config-keywords.md', import.meta.url));

test('docs/config-keywords.md is up to date with the keyword registries', () => {
  const expected = renderKeywordDoc();
  let actual = '';
  try {
    actual = readFileSync(DOC, 'utf8');
  } catch {
    assert.fail(`${DOC} is missing: run node packages/truehop/dist/src/config/docs/generate.js`);
  }
  assert.ok(actual === expected, `${DOC} is stale: run node packages/truehop/dist/src/config/docs/generate.js`);
});

test('the document names every supported and not-yet-supported keyword', () => {
  const doc = renderKeywordDoc();
  for (const k of [...SERVER_KEYWORDS, ...PROXY_KEYWORDS]) assert.ok(doc.includes(k.name), k.name);
  assert.match(doc, /`set-proxy-v2-tlv-fmt\(<id>\)`/);
  assert.match(doc, /`fc_pp_tlv/);
});
