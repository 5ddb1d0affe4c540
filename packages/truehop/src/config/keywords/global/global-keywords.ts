// Keywords of the `global` section (HAProxy manual §3). Process-management keywords that make
// no sense for a Node process (`daemon`, `user`, `chroot`, …) are accepted with a warning so
// an existing HAProxy config loads, and the warning says they are not applied.
import type { DiagnosticSink } from '../../../text/diagnostics.js';
import type { Word } from '../../../text/source.js';
import { lookupKeyword, notYetSupported } from '../keyword.js';
import { HAPROXY_GLOBAL_KEYWORDS } from '../../../text/haproxy-names.js';
import type { GlobalDraft } from '../../draft.js';
import { parseLogTarget } from '../log-target.js';
import { suggestion } from '../../../text/did-you-mean.js';
import { SECTION_KEYWORDS } from '../../sections.js';
import { extraArgument, integerKeyword, timeKeyword, type GlobalKeyword } from './global-keyword.js';
import { STATS_SOCKET_KEYWORDS } from './stats-socket.js';
import { SERVER_TLS_GLOBAL_KEYWORDS } from './server-tls-defaults.js';
import { SSL_BIND_DEFAULT_KEYWORDS } from './ssl-bind-defaults.js';

export type { GlobalKeyword } from './global-keyword.js';

const MAX_INT = 2_147_483_647;
/** HAProxy's MAX_THREADS on 64-bit builds; more is surely a typo. */
export const MAX_NBTHREAD = 4096;

function notApplied(name: string, args: number, summary: string): GlobalKeyword {
  return {
    name,
    syntax: args === 0 ? '' : '<arg>',
    summary,
    status: 'parsed-not-applied',
    apply(_g, a, kw, sink) {
      if (args > 0 && !a[0]) return sink.alert(kw.pos, 'MISSING_ARGUMENT', `'${name}' expects an argument`);
      if (extraArgument(a, args, kw, sink)) return;
      sink.warning(kw.pos, 'PARSED_NOT_APPLIED', `'${name}' is accepted for compatibility but not applied by truehop (${summary})`);
    },
  };
}

/** A keyword without arguments that switches one setting of the global section on. */
function flag(name: string, summary: string, set: (g: GlobalDraft) => void): GlobalKeyword {
  return {
    name,
    syntax: '',
    summary,
    status: 'supported',
    apply(g, args, kw, sink) {
      if (!extraArgument(args, 0, kw, sink)) set(g);
    },
  };
}

function notAppliedAnyArgs(name: string, summary: string): GlobalKeyword {
  return {
    name,
    syntax: '<arg>…',
    summary,
    status: 'parsed-not-applied',
    apply(_g, a, kw, sink) {
      if (!a[0]) return sink.alert(kw.pos, 'MISSING_ARGUMENT', `'${name}' expects an argument`);
      sink.warning(kw.pos, 'PARSED_NOT_APPLIED', `'${name}' is accepted for compatibility but not applied by truehop (${summary})`);
    },
  };
}

const SUPPORTED: readonly GlobalKeyword[] = [
  integerKeyword('maxconn', 'maximum concurrent connections for the whole process', { min: 0, max: MAX_INT, expects: 'a non-negative integer' }, (g, n) => {
    g.maxconn = n;
  }),
  integerKeyword(
    'nbthread', 'number of worker processes sharing every listener (default: the CPUs the process may use)',
    { min: 1, max: MAX_NBTHREAD, expects: `an integer between 1 and ${MAX_NBTHREAD}` },
    (g, n) => {
      g.nbthread = n;
    },
  ),
  flag('master-worker', 'run a master process that starts, restarts and reloads (SIGUSR2) the workers, as -W', (g) => {
    g.masterWorker = true;
  }),
  {
    name: 'log',
    syntax: '<target> [len <n>] [format <fmt>] <facility> [<level> [<minlevel>]]',
    summary: "a log target that proxies reuse with 'log global'",
    status: 'supported',
    apply(g, args, kw, sink) {
      // `log global` points proxies at these targets; in the global section it would be
      // read as a syslog host named "global".
      if (args[0]?.text === 'global') return sink.alert(args[0].pos, 'BAD_VALUE', "'log global' is only meaningful in proxies and defaults sections");
      const t = parseLogTarget(args, kw, sink);
      if (t) g.logs.push(t);
    },
  },
  flag('pp2-never-send-local', 'health checks of send-proxy-v2 servers send PROXY with real addresses instead of LOCAL (§4.9)', (g) => {
    g.pp2NeverSendLocal = true;
  }),
  timeKeyword('hard-stop-after', 'maximum time a graceful stop may take before remaining connections are closed', false, (g, ms) => {
    g.hardStopAfterMs = ms;
  }),
  ...STATS_SOCKET_KEYWORDS,
  notApplied('daemon', 0, 'run truehop under a service manager instead'),
  notApplied('user', 1, 'start truehop as the intended user'),
  notApplied('group', 1, 'start truehop with the intended group'),
  notApplied('uid', 1, 'start truehop as the intended user'),
  notApplied('gid', 1, 'start truehop with the intended group'),
  notApplied('chroot', 1, 'Node cannot chroot; use the service manager'),
  notApplied('pidfile', 1, 'the service manager tracks the process'),
  // TLS defaults: ssl-default-bind-*, crt-base and ca-base apply to ssl binds
  // (ssl-bind-defaults.ts), ssl-default-server-* to ssl servers (server-tls-defaults.ts).
  ...SSL_BIND_DEFAULT_KEYWORDS,
  notApplied('key-base', 1, 'keys are read from the crt PEM itself'),
  notAppliedAnyArgs('ssl-default-bind-sigalgs', 'truehop does not restrict TLS signature algorithms yet'),
  ...SERVER_TLS_GLOBAL_KEYWORDS,
];

/** Every other keyword of HAProxy's global section (text/haproxy-names.ts): "not supported yet". */
const IMPLEMENTED_NAMES = new Set(SUPPORTED.map((k) => k.name));
const NOT_YET: readonly GlobalKeyword[] = HAPROXY_GLOBAL_KEYWORDS.filter((name) => !IMPLEMENTED_NAMES.has(name)).map((name) => ({
  ...notYetSupported(name, 0, 'HAProxy global keyword; not supported by truehop yet'),
  syntax: '…',
  apply: () => undefined,
}));

export const GLOBAL_KEYWORDS: readonly GlobalKeyword[] = [...SUPPORTED, ...NOT_YET];
const BY_NAME = new Map(GLOBAL_KEYWORDS.map((k) => [k.name, k]));
const SUPPORTED_NAMES = SUPPORTED.map((k) => k.name);
/** Whole keyword families of HAProxy's global section (tune.*, ssl-*, …) not supported yet. */
const NOT_YET_PREFIXES = ['tune.', 'ssl-', 'httpclient.', 'profiling.', 'ocsp-update.', 'harden.', 'debug.', 'quic-', 'wurfl-', '51degrees-', 'deviceatlas-', 'lua-', 'mworker-'];

export function dispatchGlobalLine(global: GlobalDraft, words: readonly Word[], sink: DiagnosticSink): void {
  const w0 = words[0];
  if (!w0) return;
  const w1 = words[1];
  const match = lookupKeyword(BY_NAME, words);
  if (!match) {
    if (w0.text === 'stats') {
      sink.alert(w0.pos, 'NOT_SUPPORTED_YET', `'stats ${w1?.text ?? ''}' is an HAProxy global keyword truehop does not support yet`);
    } else if (NOT_YET_PREFIXES.some((p) => w0.text.startsWith(p))) {
      sink.alert(w0.pos, 'NOT_SUPPORTED_YET', `'${w0.text}' is an HAProxy global keyword truehop does not support yet`);
    } else {
      sink.alert(w0.pos, 'UNKNOWN_KEYWORD', `unknown keyword '${w0.text}' in 'global' section${suggestion(w0.text, [...SUPPORTED_NAMES, ...SECTION_KEYWORDS])}`);
    }
    return;
  }
  const { desc, used } = match;
  const kw: Word = { text: desc.name, pos: w0.pos, quoted: w0.quoted };
  if (desc.status === 'not-yet-supported') {
    sink.alert(w0.pos, 'NOT_SUPPORTED_YET', `'${desc.name}' is an HAProxy global keyword truehop does not support yet`);
    return;
  }
  desc.apply(global, words.slice(used), kw, sink);
}

// Guard against a name being both implemented and listed as not supported yet.
for (const k of SUPPORTED) {
  if (NOT_YET.some((n) => n.name === k.name)) throw new Error(`global keyword '${k.name}' is registered twice`);
}
