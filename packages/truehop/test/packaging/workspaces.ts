// The three published workspaces, as the packaging tests see them from the compiled tests.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../../../../', import.meta.url));

export interface Workspace {
  /** The folder under packages/. */
  readonly folder: string;
  readonly dir: string;
  readonly manifest: {
    name: string;
    version: string;
    license?: string;
    engines?: { node?: string };
    repository?: { type?: string; url?: string; directory?: string };
    bin?: Record<string, string>;
    exports: Record<string, unknown>;
  };
}

export const WORKSPACES: readonly Workspace[] = ['proxy-protocol', 'node', 'truehop'].map((folder) => {
  const dir = join(REPO_ROOT, 'packages', folder);
  return { folder, dir, manifest: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Workspace['manifest'] };
});
