// What the nginx http and stream cells share: the split-header finding and reading a log file.
import { readFileSync } from 'node:fs';
import type { CellReport } from '../matrix.js';

/**
 * nginx parses the PROXY header from its first read only: the first segment alone is logged
 * as `broken header: "PROXY TCP4 127.0.0.6 "` and the connection closed. Not truehop's
 * concern (it writes each header in one write; the spec asks senders to send it at once), but
 * a peer limitation against the spec's advice that receivers tolerate fragmentation.
 */
export const NGINX_SPLIT = {
  outcome: 'rejected',
  note: 'nginx needs the whole header in its first read (error.log: broken header: "PROXY TCP4 127.0.0.6 "); truehop sends each header in one write, so its traffic is unaffected',
} as const satisfies CellReport;

/** A log file's text, '' before the peer created it. */
export function readLog(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
