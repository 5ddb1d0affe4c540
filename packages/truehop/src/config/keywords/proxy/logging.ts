// Logging keywords of proxies: log, option tcplog/httplog, log-format, unique-id-format.
// Formats are kept as words and compiled in the compile stage (compile.ts), so a format
// inherited from a defaults section is compiled for the proxy that uses it.
import { ALL_PROXY_SECTIONS, FRONTEND_SECTIONS } from '../keyword.js';
import { parseLogTarget } from '../log-target.js';
import type { ProxyKeyword } from './proxy-keyword.js';
import { need, tooMany } from './proxy-keyword.js';

function logFormatKeyword(name: 'log-format' | 'unique-id-format', summary: string): ProxyKeyword {
  return {
    name,
    syntax: '<fmt>',
    summary,
    status: 'supported',
    sections: FRONTEND_SECTIONS,
    misplaced: 'warning',
    apply({ proxy, sink }, args, kw) {
      const v = need(args, kw, '<fmt> (quote it if it contains spaces)', sink);
      if (!v) return;
      const extra = args[1];
      if (extra) return sink.alert(extra.pos, 'EXTRA_ARGUMENT', `'${name}' expects only one argument, possibly quoted: found '${extra.text}'`);
      // Compiled once the proxy is complete (compile.ts), so a format inherited from a
      // defaults section is compiled for the proxy that uses it.
      if (name === 'log-format') {
        proxy.logFormat = v;
        proxy.logOption = undefined;
      } else proxy.uniqueIdFormat = v;
    },
  };
}

export const LOGGING_KEYWORDS: readonly ProxyKeyword[] = [
  {
    name: 'option tcplog',
    syntax: '',
    summary: "log each connection in HAProxy's TCP log format",
    status: 'supported',
    sections: FRONTEND_SECTIONS,
    misplaced: 'warning',
    negatable: true,
    apply({ proxy, sink }, args, kw, negated) {
      const v = args[0];
      if (v?.text === 'clf') return sink.alert(v.pos, 'NOT_SUPPORTED_YET', "'option tcplog clf' is not supported by truehop yet");
      if (tooMany(args, 0, kw, sink)) return;
      if (negated) {
        if (proxy.logOption?.kind === 'tcplog') proxy.logOption = undefined;
      } else {
        proxy.logOption = { kind: 'tcplog', pos: kw.pos };
        proxy.logFormat = undefined;
      }
    },
  },
  {
    name: 'option httplog',
    syntax: '',
    summary: "HAProxy's HTTP log format: accepted, logged in the tcplog format (truehop forwards HTTP as TCP streams)",
    status: 'parsed-not-applied',
    sections: FRONTEND_SECTIONS,
    misplaced: 'warning',
    negatable: true,
    apply({ proxy, sink }, args, kw, negated) {
      const v = args[0];
      if (v?.text === 'clf') return sink.alert(v.pos, 'NOT_SUPPORTED_YET', "'option httplog clf' is not supported by truehop yet");
      if (tooMany(args, 0, kw, sink)) return;
      if (negated) {
        if (proxy.logOption?.kind === 'httplog') proxy.logOption = undefined;
      } else {
        proxy.logOption = { kind: 'httplog', pos: kw.pos };
        proxy.logFormat = undefined;
      }
    },
  },
  {
    name: 'log',
    syntax: 'global | <target> [len <n>] [format <fmt>] <facility> [<level> [<minlevel>]]',
    summary: "where to send logs: 'global' reuses the global section's targets; 'no log' clears inherited ones",
    status: 'supported',
    sections: ALL_PROXY_SECTIONS,
    misplaced: 'warning',
    negatable: true,
    apply({ proxy, sink }, args, kw, negated) {
      if (negated) {
        if (tooMany(args, 0, kw, sink)) return;
        proxy.logs = [];
        return;
      }
      if (args[0]?.text === 'global') {
        if (tooMany(args, 1, kw, sink)) return;
        proxy.logs.push({ kind: 'global', pos: kw.pos });
        return;
      }
      const t = parseLogTarget(args, kw, sink);
      if (t) proxy.logs.push({ kind: 'target', target: t });
    },
  },
  logFormatKeyword('log-format', 'per-connection log line format (log-format string, HAProxy manual §8.2.6)'),
  logFormatKeyword('unique-id-format', 'format of the unique id of each session (%ID, UNIQUE_ID TLV with proxy-v2-options unique-id)'),
];
