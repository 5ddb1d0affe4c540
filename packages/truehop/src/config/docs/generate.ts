// Writes docs/config-keywords.md from the registries: `node packages/truehop/dist/src/config/docs/generate.js`
// (from the repository root or anywhere: the path is resolved from this file). With `--check`
// it only compares and exits 1 when the committed document is stale.
import process from 'node:process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderKeywordDoc } from './render.js';

/** dist/src/config/docs → repository root/docs/config-keywords.md */
export const KEYWORD_DOC_PATH = fileURLToPath(new URL('../../../../../../docs/config-keywords.md', import.meta.url));

function main(): number {
  const text = renderKeywordDoc();
  if (process.argv.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(KEYWORD_DOC_PATH, 'utf8');
    } catch {
      // missing file = stale
    }
    if (current === text) return 0;
    process.stderr.write(`${KEYWORD_DOC_PATH} is stale: run node packages/truehop/dist/src/config/docs/generate.js\n`);
    return 1;
  }
  writeFileSync(KEYWORD_DOC_PATH, text);
  process.stdout.write(`wrote ${KEYWORD_DOC_PATH}\n`);
  return 0;
}

process.exitCode = main();
