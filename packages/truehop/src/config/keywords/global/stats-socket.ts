// `stats socket`, `stats timeout` and `stats maxconn` of the global section: where the runtime
// API listens (runtime-api/), with which access level, file mode, idle limit and connection
// cap. The address forms are HAProxy's: a path (or `unix@path`) for a UNIX socket,
// `ipv4@addr:port`, `ipv6@addr:port` or `addr:port` for TCP.
import type { DiagnosticSink } from '../../../text/diagnostics.js';
import type { Word } from '../../../text/source.js';
import type { CliLevel, StatsSocketModel } from '../../../model/config-model.js';
import { parseUnsigned } from '../../../text/integer.js';
import type { GlobalDraft } from '../../draft.js';
import { integerKeyword, timeKeyword, type GlobalKeyword } from './global-keyword.js';

const LEVELS: readonly CliLevel[] = ['user', 'operator', 'admin'];
/** `bind` options HAProxy allows on a stats socket that truehop accepts without applying them. */
const NOT_APPLIED_OPTIONS: Readonly<Record<string, number>> = { 'expose-fd': 1, user: 1, group: 1, uid: 1, gid: 1, 'severity-output': 1 };

type Address = Pick<StatsSocketModel, 'path' | 'host' | 'port'>;

function parseAddress(text: string): Address | string {
  const at = text.indexOf('@');
  const family = at > 0 ? text.slice(0, at) : '';
  const rest = at > 0 ? text.slice(at + 1) : text;
  if (family === 'unix' || (family === '' && !/:\d+$/.test(rest))) return rest === '' ? 'an empty socket path' : { path: rest };
  if (family !== '' && family !== 'ipv4' && family !== 'ipv6') return `the address family '${family}@' (truehop serves unix@, ipv4@ and ipv6@)`;
  const colon = rest.lastIndexOf(':');
  const port = parseUnsigned(rest.slice(colon + 1), 65535);
  let host = rest.slice(0, colon);
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  if (port === undefined || port === 0) return `the port of '${text}'`;
  return { host: host === '' || host === '*' ? (family === 'ipv6' ? '::' : '0.0.0.0') : host, port };
}

function parseStatsSocket(g: GlobalDraft, args: readonly Word[], kw: Word, sink: DiagnosticSink): void {
  const where = args[0];
  if (!where) return sink.alert(kw.pos, 'MISSING_ARGUMENT', "'stats socket' expects a socket path or address");
  const address = parseAddress(where.text);
  if (typeof address === 'string') return sink.alert(where.pos, 'BAD_VALUE', `'stats socket': cannot use ${address}`);
  const socket: StatsSocketModel = { ...address, level: 'operator', pos: kw.pos };
  for (let i = 1; i < args.length; i++) {
    const opt = args[i] as Word;
    const value = args[i + 1];
    if (opt.text === 'level') {
      if (!value || !LEVELS.includes(value.text as CliLevel)) return sink.alert((value ?? opt).pos, 'BAD_VALUE', "'level' only supports 'user', 'operator', and 'admin'");
      socket.level = value.text as CliLevel;
      i++;
    } else if (opt.text === 'mode') {
      const mode = value && /^[0-7]{1,4}$/.test(value.text) ? parseInt(value.text, 8) : undefined;
      if (mode === undefined) return sink.alert((value ?? opt).pos, 'BAD_VALUE', "'mode' expects an octal file mode such as 600");
      socket.mode = mode;
      i++;
    } else if (NOT_APPLIED_OPTIONS[opt.text] !== undefined) {
      sink.warning(opt.pos, 'PARSED_NOT_APPLIED', `'stats socket' option '${opt.text}' is accepted for compatibility but not applied by truehop`);
      i += NOT_APPLIED_OPTIONS[opt.text] as number;
    } else {
      return sink.alert(opt.pos, 'NOT_SUPPORTED_YET', `'stats socket' option '${opt.text}' is not supported by truehop yet (supported: level, mode)`);
    }
  }
  if (socket.path === undefined && socket.mode !== undefined) sink.warning(kw.pos, 'PARSED_NOT_APPLIED', "'mode' applies to UNIX sockets only");
  g.statsSockets.push(socket);
}

export const STATS_SOCKET_KEYWORDS: readonly GlobalKeyword[] = [
  {
    name: 'stats socket',
    syntax: '<path>|ipv4@<addr>:<port> [level user|operator|admin] [mode <octal>]',
    summary: 'runtime API socket (docs/runtime-api.md); default level operator, as HAProxy',
    status: 'supported',
    apply: parseStatsSocket,
  },
  timeKeyword('stats timeout', 'a runtime API connection idle this long is closed (default 10s)', true, (g, ms) => {
    g.statsTimeoutMs = ms;
  }),
  integerKeyword(
    'stats maxconn', 'concurrent runtime API connections per socket (default 10); more are closed at once',
    { min: 1, max: 100_000, expects: 'a positive integer' },
    (g, n) => {
      g.statsMaxconn = n;
    },
  ),
];
