// The log lines of a server state change, worded as HAProxy 2.6 words them (checked on the
// wire with `log stdout format raw`), so existing log alerts and dashboards keep matching:
//   Server b/s is DOWN, reason: Layer4 connection problem, info: "Connection refused", check
//   duration: 0ms. 0 active and 1 backup servers left. Running on backup. 0 sessions active,
//   0 requeued, 0 remaining in queue.
//   Backup Server b/k is UP, reason: Layer4 check passed, check duration: 0ms. 1 active and
//   1 backup servers online. 0 sessions requeued, 0 total in queue.
//   backend b has no server available!
// truehop never queues nor requeues, so those counts are always 0.
import type { CheckResult } from './check-status.js';
import { formatCheckReason } from './check-status.js';

export interface StateChange {
  backend: string;
  server: string;
  backup: boolean;
  to: 'UP' | 'DOWN';
  result: CheckResult;
  /** Servers of the backend usable after the change. */
  activeUp: number;
  backupUp: number;
  /** Sessions still running on the server (DOWN only). */
  sessionsActive: number;
}

export function formatStateChange(change: StateChange): string {
  const who = `${change.backup ? 'Backup ' : ''}Server ${change.backend}/${change.server}`;
  const reason = `reason: ${formatCheckReason(change.result)}, check duration: ${change.result.durationMs}ms.`;
  const onBackup = change.activeUp === 0 && change.backupUp > 0 ? ' Running on backup.' : '';
  if (change.to === 'DOWN') {
    return (
      `${who} is DOWN, ${reason} ${change.activeUp} active and ${change.backupUp} backup servers left.${onBackup}` +
      ` ${change.sessionsActive} sessions active, 0 requeued, 0 remaining in queue.`
    );
  }
  return (
    `${who} is UP, ${reason} ${change.activeUp} active and ${change.backupUp} backup servers online.${onBackup}` +
    ' 0 sessions requeued, 0 total in queue.'
  );
}

export function formatNoServerAvailable(backend: string): string {
  return `backend ${backend} has no server available!`;
}
