// The runtime API's commands, each described once (words, usage, help line, the level HAProxy
// requires, the handler), with HAProxy 2.6's answers and error texts (src/cli.c, src/server.c,
// src/proxy.c, src/stats.c). The connection handling (cli-connection.ts) splits lines and
// commands; this module answers one command.
import { hostname } from 'node:os';
import type { CliLevel } from '../model/config-model.js';
import type { AdminAction, ServerAdminState } from '../runtime/admin-actions.js';
import { MAX_WEIGHT } from '../runtime/admin-actions.js';
import type { DaemonControl } from '../runtime/control.js';
import { formatStatCsv, statRows, type StatRowInput } from '../observe/stat-rows.js';
import { formatInfo } from './format-info.js';
import { formatErrors, formatProxyProtocol } from './format-proxy-protocol.js';
import { formatBackendList, formatServersState, formatSessions } from './format-servers.js';

const LEVEL_RANK: Readonly<Record<CliLevel, number>> = { user: 0, operator: 1, admin: 2 };

export function levelAllows(have: CliLevel, need: CliLevel): boolean {
  return LEVEL_RANK[have] >= LEVEL_RANK[need];
}

/** One connection's state that commands change: its level (user/operator lower it) and prompt mode. */
export interface CliSession {
  level: CliLevel;
  interactive: boolean;
  /** Set by `quit`: the connection closes after this command. */
  quit: boolean;
}

export interface CliContext {
  control: DaemonControl;
  /** Processes serving traffic (workers, or 1). */
  processes: () => number;
  listeners: () => number;
}

type Handler = (args: readonly string[], session: CliSession, ctx: CliContext) => string | Promise<string>;

interface CliCommand {
  /** The words that name the command (`set`, `server`). */
  words: readonly string[];
  usage: string;
  help: string;
  level: CliLevel;
  run: Handler;
}

export const PERMISSION_DENIED = 'Permission denied\n';

/** `<backend>/<server>`, or HAProxy's text when it is not one. */
function serverRef(arg: string | undefined): { backend: string; server: string } | string {
  const slash = arg?.indexOf('/') ?? -1;
  if (arg === undefined || slash <= 0 || slash === arg.length - 1) return "Require 'backend/server'.\n";
  return { backend: arg.slice(0, slash), server: arg.slice(slash + 1) };
}

/** Applies an action through the control and answers as HAProxy: nothing on success, the reason otherwise. */
function act(ctx: CliContext, action: AdminAction): string {
  const error = ctx.control.apply(action);
  return error === null ? '' : `${error}\n`;
}

/** The unknown-name answers HAProxy gives before anything else is checked. */
function knownServer(ctx: CliContext, ref: { backend: string; server: string }): string | null {
  const backend = ctx.control.model().backends.get(ref.backend);
  if (backend === undefined) return 'No such backend.\n';
  return backend.servers.some((s) => s.name === ref.server) ? null : 'No such server.\n';
}

/**
 * `set server … weight <w>[%]` (HAProxy's server_parse_weight_change_request): absolute 0…256,
 * or a percentage of the configured weight, clamped to 256.
 */
function parseWeight(text: string | undefined, initial: number): number | string {
  if (text === undefined || text === '') return 'Require <weight> or <weight%>.\n';
  const m = /^(-?\d+)(%?)$/.exec(text);
  if (m === null) return 'Empty weight string empty or preceded by garbage';
  const n = Number(m[1]);
  if (m[2] === '%') {
    if (n < 0) return 'Relative weight must be positive.\n';
    return Math.min(MAX_WEIGHT, Math.floor((initial * n + 50) / 100));
  }
  if (n < 0 || n > MAX_WEIGHT) return 'Absolute weight can only be between 0 and 256 inclusive.\n';
  return n;
}

function setWeight(ctx: CliContext, ref: { backend: string; server: string }, text: string | undefined): string {
  const unknown = knownServer(ctx, ref);
  if (unknown !== null) return unknown;
  const initial = ctx.control.model().backends.get(ref.backend)?.servers.find((s) => s.name === ref.server)?.weight ?? 1;
  const weight = parseWeight(text, initial);
  if (typeof weight === 'string') return weight;
  return act(ctx, { kind: 'server-weight', ...ref, weight });
}

const SERVER_STATES: readonly ServerAdminState[] = ['ready', 'drain', 'maint'];

const setServer: Handler = (args, _s, ctx) => {
  const ref = serverRef(args[0]);
  if (typeof ref === 'string') return ref;
  const unknown = knownServer(ctx, ref);
  if (unknown !== null) return unknown;
  const what = args[1];
  if (what === 'state') {
    const state = args[2] as ServerAdminState;
    if (!SERVER_STATES.includes(state)) return "'set server <srv> state' expects 'ready', 'drain' and 'maint'.\n";
    return act(ctx, { kind: 'server-state', ...ref, state });
  }
  if (what === 'weight') return setWeight(ctx, ref, args[2]);
  if (what === 'health' || what === 'agent' || what === 'addr' || what === 'check-port' || what === 'check-addr' ||
    what === 'agent-addr' || what === 'agent-port' || what === 'agent-send' || what === 'fqdn' || what === 'ssl') {
    return `'set server <srv> ${what}' is not supported by truehop yet (supported: state, weight).\n`;
  }
  return 'usage: set server <backend>/<server> addr | agent | agent-addr | agent-port | agent-send | check-addr | check-port | fqdn | health | ssl | state | weight\n';
};

/** Commands that take `<backend>/<server>` and turn it into one action. */
function onServer(make: (ref: { backend: string; server: string }) => AdminAction): Handler {
  return (args, _s, ctx) => {
    const ref = serverRef(args[0]);
    if (typeof ref === 'string') return ref;
    return knownServer(ctx, ref) ?? act(ctx, make(ref));
  };
}

function parseCount(text: string | undefined): number | undefined {
  return text !== undefined && /^\d{1,9}$/.test(text) ? Number(text) : undefined;
}

/** `show stat [{<iid>|<proxy>} <type> <sid>]`: the rows HAProxy would keep for that filter. */
function filterRows(rows: StatRowInput[], args: readonly string[]): StatRowInput[] | string {
  const [px, type, sid] = args;
  if (px === undefined || px === 'typed' || px === 'json' || px === 'up' || px === 'no-maint' || px === 'desc') return rows;
  if (type === undefined || sid === undefined) return 'Require <iid> <type> <sid>.\n';
  const typeMask = Number(type);
  const sidNumber = Number(sid);
  const TYPE_BIT: Readonly<Record<StatRowInput['type'], number>> = { frontend: 1, backend: 2, server: 4 };
  return rows.filter((r) => {
    const proxy = r.frontend ?? r.backend;
    if (px !== '-1' && proxy?.name !== px && String(proxy?.id) !== px) return false;
    if (typeMask !== -1 && (typeMask & TYPE_BIT[r.type]) === 0) return false;
    return sidNumber === -1 || r.type !== 'server' || r.server?.id === sidNumber;
  });
}

const COMMANDS: readonly CliCommand[] = [
  { words: ['help'], usage: 'help [<command>]', help: 'list matching or all commands', level: 'user', run: (args, s) => formatHelp(s.level, args) },
  {
    words: ['prompt'], usage: 'prompt', help: 'toggle interactive mode with prompt', level: 'user',
    run: (_a, s) => {
      s.interactive = !s.interactive;
      return '';
    },
  },
  {
    words: ['quit'], usage: 'quit', help: 'disconnect', level: 'user',
    run: (_a, s) => {
      s.quit = true;
      return '';
    },
  },
  {
    words: ['operator'], usage: 'operator', help: 'lower the level of the current CLI session to operator', level: 'operator',
    run: (_a, s) => {
      s.level = 'operator';
      return '';
    },
  },
  {
    words: ['user'], usage: 'user', help: 'lower the level of the current CLI session to user', level: 'user',
    run: (_a, s) => {
      s.level = 'user';
      return '';
    },
  },
  { words: ['show', 'cli', 'level'], usage: 'show cli level', help: 'display the level of the current CLI session', level: 'user', run: (_a, s) => `${s.level}\n` },
  {
    words: ['show', 'info'], usage: 'show info', help: 'report information about the running process', level: 'user',
    run: async (_a, _s, ctx) => formatInfo({
      snapshot: await ctx.control.stats(), startedAtMs: ctx.control.startedAtMs, nowMs: Date.now(), processes: ctx.processes(), hostname: hostname(), listeners: ctx.listeners(),
    }),
  },
  {
    words: ['show', 'stat'], usage: 'show stat [<iid> <type> <sid>]', help: 'report counters for each proxy and server (CSV)', level: 'user',
    run: async (args, s, ctx) => {
      if (args.includes('typed') || args.includes('json')) return "'show stat typed' and 'show stat json' are not supported by truehop yet; use the CSV form.\n";
      const now = Date.now();
      const rows = filterRows(statRows(await ctx.control.stats(), now, levelAllows(s.level, 'operator')), args);
      return typeof rows === 'string' ? rows : formatStatCsv(rows).slice(0, -1);
    },
  },
  {
    words: ['show', 'servers', 'state'], usage: 'show servers state [<backend>]', help: 'dump volatile server information for all or one backend', level: 'user',
    run: async (args, _s, ctx) => formatServersState(await ctx.control.stats(), args[0], Date.now()) ?? "Can't find backend.\n",
  },
  { words: ['show', 'backend'], usage: 'show backend', help: 'list backends in the current running config', level: 'user', run: async (_a, _s, ctx) => formatBackendList(await ctx.control.stats()) },
  { words: ['show', 'sess'], usage: 'show sess', help: 'report the list of current sessions', level: 'operator', run: async (_a, _s, ctx) => formatSessions(await ctx.control.stats()) },
  {
    words: ['show', 'errors'], usage: 'show errors [<frontend>]', help: 'report the last rejected PROXY headers of each frontend', level: 'operator',
    run: async (args, _s, ctx) => formatErrors(await ctx.control.stats(), args[0], Date.now()) ?? 'No such proxy.\n',
  },
  {
    words: ['show', 'proxy-protocol'], usage: 'show proxy-protocol [<frontend>]', help: 'PROXY headers, rejections, TLV types and upstream hops per frontend', level: 'user',
    run: async (args, s, ctx) => formatProxyProtocol(await ctx.control.stats(), args[0], levelAllows(s.level, 'operator')) ?? 'No such frontend.\n',
  },
  {
    words: ['get', 'weight'], usage: 'get weight <bk>/<srv>', help: "report a server's current weight", level: 'user',
    run: async (args, _s, ctx) => {
      const ref = serverRef(args[0]);
      if (typeof ref === 'string') return ref;
      const unknown = knownServer(ctx, ref);
      if (unknown !== null) return unknown;
      const server = (await ctx.control.stats()).backends.find((b) => b.name === ref.backend)?.servers.find((x) => x.name === ref.server);
      return `${server?.userWeight ?? 0} (initial ${server?.initialWeight ?? 0})\n`;
    },
  },
  { words: ['set', 'server'], usage: 'set server <bk>/<srv> [opts]', help: "change a server's state or weight", level: 'admin', run: setServer },
  {
    words: ['set', 'weight'], usage: 'set weight <bk>/<srv>  (DEPRECATED)', help: "change a server's weight (use 'set server' instead)", level: 'admin',
    run: (args, _s, ctx) => {
      const ref = serverRef(args[0]);
      return typeof ref === 'string' ? ref : setWeight(ctx, ref, args[1]);
    },
  },
  { words: ['disable', 'server'], usage: 'disable server (DEPRECATED)', help: "disable a server for maintenance (use 'set server' instead)", level: 'admin', run: onServer((r) => ({ kind: 'server-state', ...r, state: 'maint' })) },
  { words: ['enable', 'server'], usage: 'enable server  (DEPRECATED)', help: "enable a disabled server (use 'set server' instead)", level: 'admin', run: onServer((r) => ({ kind: 'server-state', ...r, state: 'ready' })) },
  { words: ['disable', 'health'], usage: 'disable health', help: 'disable health checks', level: 'admin', run: onServer((r) => ({ kind: 'server-health', ...r, enabled: false })) },
  { words: ['enable', 'health'], usage: 'enable health', help: 'enable health checks', level: 'admin', run: onServer((r) => ({ kind: 'server-health', ...r, enabled: true })) },
  {
    words: ['set', 'maxconn', 'frontend'], usage: 'set maxconn frontend <frontend> <value>', help: "change a frontend's maxconn setting", level: 'admin',
    run: (args, _s, ctx) => {
      const name = args[0];
      if (name === undefined) return 'A frontend name is expected.\n';
      const fe = ctx.control.model().frontends.get(name);
      if (fe === undefined || fe.binds.length === 0) return 'No such frontend.\n';
      const maxconn = parseCount(args[1]);
      if (maxconn === undefined) return 'Integer value expected.\n';
      return act(ctx, { kind: 'frontend-maxconn', frontend: name, maxconn });
    },
  },
  {
    words: ['set', 'maxconn', 'server'], usage: 'set maxconn server <bk>/<srv>', help: "change a server's maxconn setting", level: 'admin',
    run: (args, _s, ctx) => {
      const ref = serverRef(args[0]);
      if (typeof ref === 'string') return ref;
      const unknown = knownServer(ctx, ref);
      if (unknown !== null) return unknown;
      if (args[1] === undefined) return 'Require <maxconn>.\n';
      const maxconn = parseCount(args[1]);
      if (maxconn === undefined) return 'maxconn string empty or preceded by garbage';
      return act(ctx, { kind: 'server-maxconn', ...ref, maxconn });
    },
  },
  {
    words: ['shutdown', 'sessions', 'server'], usage: 'shutdown sessions server <bk>/<srv>', help: 'kill sessions on a server', level: 'admin',
    run: onServer((r) => ({ kind: 'shutdown-sessions', ...r })),
  },
  {
    words: ['reload'], usage: 'reload', help: 'reload the configuration (master-worker mode)', level: 'admin',
    run: (_a, _s, ctx) => {
      if (ctx.control.reload === undefined) return "reload needs master-worker mode (-W or 'master-worker' in global).\n";
      ctx.control.reload();
      return '';
    },
  },
];

const helpLine = (c: CliCommand): string => `  ${c.usage.padEnd(39)} : ${c.help}\n`;

/** `help`: every command, as HAProxy lists them (sorted, usage padded to one column). */
export function formatHelp(_level: CliLevel, _args: readonly string[]): string {
  return `The following commands are valid at this level:\n${[...COMMANDS].sort((a, b) => a.usage.localeCompare(b.usage)).map(helpLine).join('')}`;
}

/** HAProxy's answer to a command it does not know: the commands sharing its first word, else all. */
function unknownCommand(words: readonly string[]): string {
  const shared = (c: CliCommand): number => {
    let n = 0;
    while (n < c.words.length && c.words[n] === words[n]) n++;
    return n;
  };
  const most = Math.max(0, ...COMMANDS.map(shared));
  const near = most === 0 ? [] : COMMANDS.filter((c) => shared(c) === most);
  const always = COMMANDS.filter((c) => ['help', 'prompt', 'quit'].includes(c.words[0] ?? ''));
  if (near.length > 0) return `Unknown command, but maybe one of the following ones is a better match:\n${[...near, ...always].map(helpLine).join('')}`;
  return `Unknown command. Please enter one of the following commands only:\n${[...COMMANDS].sort((a, b) => a.usage.localeCompare(b.usage)).map(helpLine).join('')}`;
}

/** Runs one command (its words already split); the answer without the trailing empty line. */
export async function runCommand(words: readonly string[], session: CliSession, ctx: CliContext): Promise<string> {
  let best: CliCommand | undefined;
  for (const c of COMMANDS) {
    if (c.words.length > words.length || (best !== undefined && best.words.length >= c.words.length)) continue;
    if (c.words.every((w, i) => words[i] === w)) best = c;
  }
  if (best === undefined) return unknownCommand(words);
  if (!levelAllows(session.level, best.level)) return PERMISSION_DENIED;
  return best.run(words.slice(best.words.length), session, ctx);
}

/** Splits a line into commands on `;` and each into words on blanks; `\` escapes the next character. */
export function splitCommands(line: string): string[][] {
  const commands: string[][] = [];
  let words: string[] = [];
  let word = '';
  let inWord = false;
  const endWord = (): void => {
    if (inWord) words.push(word);
    word = '';
    inWord = false;
  };
  for (let i = 0; i < line.length; i++) {
    const ch = line[i] as string;
    if (ch === '\\' && i + 1 < line.length) {
      word += line[++i];
      inWord = true;
    } else if (ch === ';') {
      endWord();
      commands.push(words);
      words = [];
    } else if (ch === ' ' || ch === '\t') endWord();
    else {
      word += ch;
      inWord = true;
    }
  }
  endWord();
  commands.push(words);
  return commands.filter((c) => c.length > 0);
}
