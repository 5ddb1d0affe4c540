// The package version, read once from package.json: `truehop -v`, the stats page and the
// exporter's haproxy_process_build_info.
import { readFileSync } from 'node:fs';

function readVersion(): string {
  try {
    // dist/src/version.js → the package root.
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

export const TRUEHOP_VERSION = readVersion();
