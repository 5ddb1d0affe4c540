// The document root the HTTP peers serve: /interop (the clients' request) and /health (the
// checks' request) both exist, so every answer behind a valid header is a 200.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function writeDocumentRoot(dir: string): string {
  const root = join(dir, 'www');
  mkdirSync(root, { mode: 0o755 });
  writeFileSync(join(root, 'interop'), 'interop\n', { mode: 0o644 });
  writeFileSync(join(root, 'health'), 'ok\n', { mode: 0o644 });
  return root;
}
