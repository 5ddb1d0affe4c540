// Real peers (HAProxy, curl, openssl, wrk) are part of the proof: when one is missing the test
// must fail and say how to get it — never skip silently (CI installs them, see .ci/run).
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

export function requireTool(name: string, debianPackage = name): string {
  for (const dir of (process.env.PATH ?? '').split(delimiter).concat(['/usr/sbin', '/usr/bin', '/sbin'])) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // keep looking
    }
  }
  throw new Error(`${name} is required by this test but was not found on PATH: apt-get install -y ${debianPackage}`);
}
