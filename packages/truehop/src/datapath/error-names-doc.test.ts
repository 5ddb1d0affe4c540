// docs/errors.md states what the daemon logs for each codec code; this keeps the table and
// HAPROXY_ERROR_NAME identical, row for row.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { HAPROXY_ERROR_NAME } from '../model/connection-errors.js';

// dist/src/datapath/error-names-doc.test.js → repository root → docs/errors.md
const doc = readFileSync(new URL('../../../../../docs/errors.md', import.meta.url), 'utf8');

test('docs/errors.md: the "the daemon logs" table is HAPROXY_ERROR_NAME', () => {
  const start = doc.indexOf('| ours | the daemon logs |');
  assert.ok(start >= 0, 'table header present');
  const rows = new Map<string, string>();
  for (const line of doc.slice(start).split('\n').slice(2)) {
    const m = /^\| `(\w+)` \| `(PRX_\w+)` \|$/.exec(line);
    if (m === null) break;
    rows.set(m[1] as string, m[2] as string);
  }
  assert.deepEqual(Object.fromEntries(rows), { ...HAPROXY_ERROR_NAME });
});
