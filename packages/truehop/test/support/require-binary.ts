// Tests that talk to a real peer (HAProxy, nginx) need its binary: a missing one is a clear
// failure naming the Debian package, never a silent skip (CI installs them, see .ci/run).
import { accessSync, constants } from 'node:fs';

/** `path` if it is an executable file; otherwise throws, saying how to install it. */
export function requireBinary(path: string, debianPackage: string): string {
  try {
    accessSync(path, constants.X_OK);
    return path;
  } catch {
    throw new Error(`${path} is required by this test but is missing: apt-get install -y ${debianPackage} (CI installs it, see .ci/run)`);
  }
}
