// The README is part of the contract: every reject code, API error code, stats field,
// diagnostics channel and option is documented there (STYLE.md §8), checked both ways for codes.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DIAGNOSTICS_CHANNELS, PROXY_SERVER_ERROR_CODES, REJECT_CODES, STATS_FIELDS } from '../src/index.js';

const readme = readFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'README.md'), 'utf8');

describe('README', () => {
  it('documents every reject code in the error table, and nothing else there', () => {
    const section = readme.slice(readme.indexOf('## Error codes'), readme.indexOf('## express and fastify'));
    const rows = [...section.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]);
    assert.deepEqual([...rows].sort(), [...REJECT_CODES].sort());
  });

  it('documents every API error code, stats field, channel and option', () => {
    for (const code of Object.keys(PROXY_SERVER_ERROR_CODES)) assert.ok(readme.includes(`\`${code}\``), code);
    for (const field of Object.keys(STATS_FIELDS)) assert.ok(readme.includes(`| \`${field}\` |`), field);
    for (const name of Object.values(DIAGNOSTICS_CHANNELS)) assert.ok(readme.includes(`\`${name}\``), name);
    for (const option of ['trusted', 'mode', 'headerTimeoutMs', 'maxHeaderBytes', 'onReject']) {
      assert.ok(readme.includes(`| \`${option}\` |`), option);
    }
  });

  it('has a quick start for http, https, express and fastify of at most 10 lines each', () => {
    for (const kind of ['http', 'https', 'express', 'fastify']) {
      const start = readme.indexOf(`**${kind}**`);
      assert.ok(start !== -1, kind);
      const open = readme.indexOf('```js\n', start) + 6;
      const code = readme.slice(open, readme.indexOf('```', open)).trimEnd().split('\n');
      assert.ok(code.length <= 10, `${kind}: ${code.length} lines`);
      assert.ok(code.some((line) => line.includes('acceptProxyProtocol(')), kind);
    }
  });
});
