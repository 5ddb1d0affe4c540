// Frames one log message for a target, as HAProxy does (`log … format rfc3164|rfc5424|short|raw`).
// Everything that depends only on the target (priority, tag, pid) is computed once when the
// target is opened; per message only the timestamp and the message change.
import type { LogTarget } from '../model/config-model.js';

export const SYSLOG_FACILITIES: Readonly<Record<string, number>> = {
  kern: 0, user: 1, mail: 2, daemon: 3, auth: 4, syslog: 5, lpr: 6, news: 7, uucp: 8, cron: 9,
  auth2: 10, ftp: 11, ntp: 12, audit: 13, alert: 14, cron2: 15,
  local0: 16, local1: 17, local2: 18, local3: 19, local4: 20, local5: 21, local6: 22, local7: 23,
};

export const SYSLOG_LEVELS: Readonly<Record<string, number>> = {
  emerg: 0, alert: 1, crit: 2, err: 3, warning: 4, notice: 5, info: 6, debug: 7,
};

/** Traffic logs are sent at `info`, as HAProxy does by default. */
export const TRAFFIC_LOG_LEVEL = SYSLOG_LEVELS['info'] as number;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function pad2(n: number): string {
  return n < 10 ? `0${n}` : `${n}`;
}

export type LogFramer = (message: string, atMs: number) => string;

/** Builds the framing function for one target; `tag` is the program name (`truehop`). */
export function buildFramer(target: LogTarget, tag: string, pid: number): LogFramer {
  const facility = SYSLOG_FACILITIES[target.facility] ?? SYSLOG_FACILITIES['local0'] ?? 16;
  const pri = `<${facility * 8 + TRAFFIC_LOG_LEVEL}>`;
  switch (target.format ?? 'rfc3164') {
    case 'raw':
      return (message) => message;
    case 'short':
      return (message) => pri + message;
    case 'rfc5424': {
      const head = `${pri}1 `;
      const tail = ` - ${tag} ${pid} - - `;
      return (message, atMs) => head + new Date(atMs).toISOString() + tail + message;
    }
    case 'rfc3164': {
      const tail = ` ${tag}[${pid}]: `;
      return (message, atMs) => {
        const d = new Date(atMs);
        const day = d.getDate();
        // RFC 3164 §4.1.2: the day is space-padded, not zero-padded.
        const stamp = `${MONTHS[d.getMonth()]} ${day < 10 ? ` ${day}` : day} ${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
        return pri + stamp + tail + message;
      };
    }
  }
}

/** True when a message at `level` passes the target's level filter. */
export function levelAllowed(target: LogTarget, level: number): boolean {
  if (target.level === undefined) return true;
  const max = SYSLOG_LEVELS[target.level];
  return max === undefined || level <= max;
}
