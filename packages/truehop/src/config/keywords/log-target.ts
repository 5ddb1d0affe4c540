// `log <target> [len <n>] [format <fmt>] <facility> [<level> [<minlevel>]]`, shared by the
// global section and proxies (HAProxy manual §3.1 "log"). Targets: stdout, stderr (also
// fd@1/fd@2) or a UDP syslog address (`host[:port]`, `udp@…`, default port 514). UNIX datagram
// socket paths, TCP and ring targets are real HAProxy syntax not supported yet.
import { isIP } from 'node:net';
import type { DiagnosticSink } from '../../text/diagnostics.js';
import type { Word } from '../../text/source.js';
import type { LogTarget } from '../../model/config-model.js';
import { suggestion } from '../../text/did-you-mean.js';

export const SYSLOG_FACILITIES = [
  'kern', 'user', 'mail', 'daemon', 'auth', 'syslog', 'lpr', 'news', 'uucp', 'cron', 'auth2',
  'ftp', 'ntp', 'audit', 'alert', 'cron2', 'local0', 'local1', 'local2', 'local3', 'local4',
  'local5', 'local6', 'local7',
] as const;
export const SYSLOG_LEVELS = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'] as const;
const FORMATS = ['rfc3164', 'rfc5424', 'raw', 'short'] as const;
const UNSUPPORTED_FORMATS = ['local', 'iso', 'priority', 'timed'];
const DEFAULT_SYSLOG_PORT = 514;

/** Parses the words after `log` (not `log global`). Reports and returns undefined on error. */
export function parseLogTarget(args: readonly Word[], kw: Word, sink: DiagnosticSink): LogTarget | undefined {
  const target = args[0];
  if (!target) {
    sink.alert(kw.pos, 'MISSING_ARGUMENT', "'log' expects a target ('global', stdout, stderr, a syslog address or a socket path) and a facility");
    return undefined;
  }
  let dest: Pick<LogTarget, 'kind'> & { address?: string; port?: number };
  const t = target.text;
  if (t === 'stdout' || t === 'fd@1') dest = { kind: 'stdout' };
  else if (t === 'stderr' || t === 'fd@2') dest = { kind: 'stderr' };
  else if (t.startsWith('/') || t.startsWith('unix@')) {
    // In HAProxy a path is a unix DATAGRAM socket (Debian's default `log /dev/log`). Node can
    // open unix stream sockets only, so every line would be lost: refuse it at load, once,
    // with the two forms that reach the same syslog daemon.
    sink.alert(target.pos, 'NOT_SUPPORTED_YET',
      `log target '${t}' is a unix datagram socket, which Node cannot write to; use 'log stdout format raw <facility>' ` +
      "(under systemd the journal keeps it) or a UDP syslog address such as 'log 127.0.0.1:514 <facility>'");
    return undefined;
  } else if (/^(ring|tcp|tcp4|tcp6|fd|abns|abnsz)@/.test(t)) {
    sink.alert(target.pos, 'NOT_SUPPORTED_YET', `log target '${t}' is not supported yet (stdout, stderr and UDP syslog are)`);
    return undefined;
  } else {
    const body = t.replace(/^(udp|udp4|udp6|ipv4|ipv6)@/, '');
    let host = body;
    let port = DEFAULT_SYSLOG_PORT;
    const m = /^\[([^\]]*)\](?::([0-9]+))?$/.exec(body) ?? (isIP(body) === 6 ? null : /^([^:]*)(?::([0-9]+))?$/.exec(body));
    if (m) {
      host = m[1] as string;
      if (m[2] !== undefined) port = Number(m[2]);
    }
    if (host === '' || (isIP(host) === 0 && !/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(host)) || /^[0-9.]+$/.test(host) && isIP(host) === 0) {
      sink.alert(target.pos, 'BAD_LOG_TARGET', `invalid log target '${t}'`);
      return undefined;
    }
    if (!(port >= 1 && port <= 65535)) {
      sink.alert(target.pos, 'BAD_PORT', `invalid port in log target '${t}' (1-65535)`);
      return undefined;
    }
    dest = { kind: 'udp', address: host, port };
  }
  let i = 1;
  let format: LogTarget['format'];
  while (i < args.length) {
    const w = args[i] as Word;
    if (w.text === 'len') {
      const v = args[i + 1];
      if (!v || !/^[0-9]+$/.test(v.text)) {
        sink.alert(w.pos, 'MISSING_ARGUMENT', "'len' expects a maximum line length");
        return undefined;
      }
      sink.warning(w.pos, 'PARSED_NOT_APPLIED', "'len' on a log target is parsed but not applied yet");
      i += 2;
    } else if (w.text === 'format') {
      const v = args[i + 1];
      if (!v) {
        sink.alert(w.pos, 'MISSING_ARGUMENT', "'format' expects a log format name");
        return undefined;
      }
      if ((FORMATS as readonly string[]).includes(v.text)) format = v.text as LogTarget['format'];
      else if (UNSUPPORTED_FORMATS.includes(v.text)) {
        sink.alert(v.pos, 'NOT_SUPPORTED_YET', `log format '${v.text}' is not supported yet (${FORMATS.join(', ')} are)`);
        return undefined;
      } else {
        sink.alert(v.pos, 'BAD_VALUE', `unknown log format '${v.text}'${suggestion(v.text, FORMATS)}`);
        return undefined;
      }
      i += 2;
    } else if (w.text === 'sample') {
      sink.alert(w.pos, 'NOT_SUPPORTED_YET', "'sample' (log sampling) is not supported yet");
      return undefined;
    } else break;
  }
  const facility = args[i];
  if (!facility) {
    sink.alert(target.pos, 'MISSING_ARGUMENT', `'log ${t}' expects a syslog facility (e.g. local0)`);
    return undefined;
  }
  if (!(SYSLOG_FACILITIES as readonly string[]).includes(facility.text)) {
    sink.alert(facility.pos, 'BAD_FACILITY', `unknown syslog facility '${facility.text}'${suggestion(facility.text, SYSLOG_FACILITIES)}`);
    return undefined;
  }
  const out: LogTarget = { ...dest, facility: facility.text, pos: kw.pos };
  if (format !== undefined) out.format = format;
  const level = args[i + 1];
  if (level) {
    if (!(SYSLOG_LEVELS as readonly string[]).includes(level.text)) {
      sink.alert(level.pos, 'BAD_LEVEL', `unknown syslog level '${level.text}'${suggestion(level.text, SYSLOG_LEVELS)}`);
      return undefined;
    }
    out.level = level.text;
    const minLevel = args[i + 2];
    if (minLevel) {
      if (!(SYSLOG_LEVELS as readonly string[]).includes(minLevel.text)) {
        sink.alert(minLevel.pos, 'BAD_LEVEL', `unknown syslog level '${minLevel.text}'${suggestion(minLevel.text, SYSLOG_LEVELS)}`);
        return undefined;
      }
      sink.warning(minLevel.pos, 'PARSED_NOT_APPLIED', 'the minimum syslog level is parsed but not applied yet');
      const extra = args[i + 3];
      if (extra) {
        sink.alert(extra.pos, 'EXTRA_ARGUMENT', `unexpected argument '${extra.text}' after the log levels`);
        return undefined;
      }
    }
  }
  return out;
}
