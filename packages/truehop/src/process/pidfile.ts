// `-p <pidfile>` as HAProxy's: the file holds the pid an operator signals (the master in
// master-worker mode, the daemon itself after `-D`). It is removed on a clean exit when it still
// names this process, so a stale file never points a `kill` at an unrelated process.
import process from 'node:process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';

export function writePidFile(path: string): void {
  writeFileSync(path, `${process.pid}\n`);
  process.once('exit', () => {
    try {
      if (readFileSync(path, 'utf8').trim() === String(process.pid)) rmSync(path, { force: true });
    } catch {
      // Already gone or unreadable: nothing of ours to remove.
    }
  });
}
