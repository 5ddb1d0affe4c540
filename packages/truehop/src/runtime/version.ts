// The daemon's version, from its package.json (`truehop -v`, the runtime API's `show info`).
import { readFileSync } from 'node:fs';

export function daemonVersion(): string {
  try {
    // From dist/src/runtime/ to the package root.
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}
