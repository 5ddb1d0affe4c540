// Keywords of `defaults`, `frontend`, `backend` and `listen` sections (HAProxy manual §4,
// src/cfgparse-listen.c, src/proxy.c). Each descriptor says in which sections it is allowed;
// the dispatcher (proxy-section.ts) checks that, so handlers only parse their arguments.
import type { DiagnosticSink } from '../text/diagnostics.js';
import type { Word } from '../text/source.js';
import type { KeywordDoc, ProxySectionKind } from './keyword.js';
import { ALL_PROXY_SECTIONS, BACKEND_SECTIONS, FRONTEND_SECTIONS, notYetSupported } from './keyword.js';
import type { ProxyDraft } from './draft.js';
import { cloneServerDraft } from './draft.js';
import type { LoadContext } from './load-context.js';
import { parseTime } from '../text/time.js';
import { parseUnsigned } from './integer.js';
import { parseLogTarget } from './log-target.js';
import { parseBindLine } from './bind-keywords.js';
import { applyServerOptions } from './server-keywords.js';
import { parseServerAddress } from './address.js';
import { suggestion } from '../text/did-you-mean.js';
import type { BalanceAlgorithm, Timeouts } from '../model/config-model.js';
import { CHECK_KEYWORDS } from './check-keywords.js';
import { HAPROXY_PROXY_KEYWORDS } from '../text/haproxy-names.js';

export interface ProxyLineContext {
  readonly load: LoadContext;
  readonly proxy: ProxyDraft;
  readonly sink: DiagnosticSink;
}

export interface ProxyKeyword extends KeywordDoc {
  readonly sections: readonly ProxySectionKind[];
  /**
   * Used in a frontend/backend that lacks the capability: HAProxy warns and ignores most
   * keywords ('warning'); truehop makes it an alert where the config could never work as
   * written (a bind in a backend, a default_backend in a backend, a server in a frontend).
   */
  readonly misplaced: 'alert' | 'warning';
  /** `no <keyword>` is accepted. */
  readonly negatable?: boolean;
  apply(ctx: ProxyLineContext, args: readonly Word[], kw: Word, negated: boolean): void;
}

/** Multi-word keyword families: an unknown second word is reported against the family. */
export const PROXY_KEYWORD_FAMILIES = ['timeout', 'option'] as const;

/** Maximum `retries` (HAProxy keeps it in an int; more than a few is already a smell). */
const MAX_RETRIES = 2_147_483_647;
const MAX_MAXCONN = 2_147_483_647;
/** Proxy and ACL names: HAProxy's invalid_char() allows letters, digits, '-', '_', '.', ':'. */
const NAME_CHARS = /^[A-Za-z0-9_.:-]+$/;

function tooMany(args: readonly Word[], n: number, kw: Word, sink: DiagnosticSink): boolean {
  const extra = args[n];
  if (extra) {
    sink.alert(extra.pos, 'EXTRA_ARGUMENT', `'${kw.text}' cannot handle unexpected argument '${extra.text}'`);
    return true;
  }
  return false;
}

function need(args: readonly Word[], kw: Word, syntax: string, sink: DiagnosticSink): Word | undefined {
  const v = args[0];
  if (!v) sink.alert(kw.pos, 'MISSING_ARGUMENT', `'${kw.text}' expects ${syntax} as an argument`);
  return v;
}

function timeout(
  which: keyof Timeouts,
  sections: readonly ProxySectionKind[],
  summary: string,
): ProxyKeyword {
  const name = `timeout ${which.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
  return {
    name,
    syntax: '<time>',
    summary,
    status: 'supported',
    sections,
    misplaced: 'warning',
    apply({ proxy, sink }, args, kw) {
      const v = need(args, kw, '<time>', sink);
      if (!v || tooMany(args, 1, kw, sink)) return;
      const r = parseTime(v.text);
      if (!r.ok) return sink.alert(v.pos, 'BAD_TIME', `'${name}': ${r.reason}`);
      // 0 means "no timeout" in HAProxy; the model says so with undefined.
      if (r.ms === 0) delete proxy.timeouts[which];
      else proxy.timeouts[which] = r.ms;
    },
  };
}

function countKeyword(name: string, sections: readonly ProxySectionKind[], summary: string, max: number, set: (p: ProxyDraft, n: number) => void): ProxyKeyword {
  return {
    name,
    syntax: '<number>',
    summary,
    status: 'supported',
    sections,
    misplaced: 'warning',
    apply({ proxy, sink }, args, kw) {
      const v = need(args, kw, '<number>', sink);
      if (!v || tooMany(args, 1, kw, sink)) return;
      const n = parseUnsigned(v.text, max);
      if (n === undefined) return sink.alert(v.pos, 'BAD_NUMBER', `'${name}' expects a non-negative integer, got '${v.text}'`);
      set(proxy, n);
    },
  };
}

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

const BALANCE: readonly BalanceAlgorithm[] = ['roundrobin', 'static-rr', 'leastconn', 'source', 'first', 'random'];
const BALANCE_NOT_YET = ['uri', 'url_param', 'hdr', 'rdp-cookie', 'hash', 'sticky'];


function notApplied(name: string, syntax: string, sections: readonly ProxySectionKind[], minArgs: number, why: string): ProxyKeyword {
  return {
    name,
    syntax,
    summary: `accepted, not applied: ${why}`,
    status: 'parsed-not-applied',
    sections,
    misplaced: 'warning',
    negatable: name.startsWith('option '),
    apply({ sink }, args, kw) {
      if (args.length < minArgs) return sink.alert(kw.pos, 'MISSING_ARGUMENT', `'${name}' expects ${syntax}`);
      sink.warning(kw.pos, 'PARSED_NOT_APPLIED', `'${name}' is accepted for compatibility but not applied by truehop (${why})`);
    },
  };
}

const SUPPORTED: readonly ProxyKeyword[] = [
  // Common in stock HAProxy defaults sections; they only shape HTTP error pages and log
  // filtering, never where traffic goes or which client address is seen.
  notApplied('option dontlognull', '', FRONTEND_SECTIONS, 0, 'connections without data are logged too'),
  notApplied('errorfile', '<code> <file>', ALL_PROXY_SECTIONS, 2, 'truehop sends no HTTP error pages'),
  {
    name: 'mode',
    syntax: 'tcp|http',
    summary: "proxy mode: tcp (the default); 'mode http' is not supported yet",
    status: 'supported',
    sections: ALL_PROXY_SECTIONS,
    misplaced: 'warning',
    apply({ proxy, sink }, args, kw) {
      const v = need(args, kw, 'tcp|http', sink);
      if (!v || tooMany(args, 1, kw, sink)) return;
      if (v.text === 'tcp') proxy.mode = v.text;
      // Until truehop has an HTTP mode, accepting `mode http` would silently forward HTTP as
      // plain TCP: no http-request rules, no headers, no httplog. Say so once, here.
      else if (v.text === 'http') sink.alert(v.pos, 'NOT_SUPPORTED_YET', "'mode http' is not supported by truehop yet (it forwards TCP streams only); use 'mode tcp'");
      else if (v.text === 'log' || v.text === 'spop') sink.alert(v.pos, 'NOT_SUPPORTED_YET', `'mode ${v.text}' is not supported by truehop yet`);
      else sink.alert(v.pos, 'BAD_VALUE', `'mode' expects tcp or http, got '${v.text}'${suggestion(v.text, ['tcp', 'http'])}`);
    },
  },
  timeout('connect', BACKEND_SECTIONS, 'maximum time to establish a connection to a server'),
  timeout('client', FRONTEND_SECTIONS, 'maximum inactivity time on the client side; also bounds the wait for a PROXY header without client-hs (§4.10)'),
  timeout('server', BACKEND_SECTIONS, 'maximum inactivity time on the server side'),
  timeout('clientHs', FRONTEND_SECTIONS, 'maximum time for the client handshake, including the PROXY header (§4.10)'),
  timeout('check', BACKEND_SECTIONS, 'additional read timeout for health checks once connected'),
  timeout('tunnel', BACKEND_SECTIONS, 'maximum inactivity time once a connection is a bidirectional tunnel'),
  timeout('clientFin', FRONTEND_SECTIONS, 'inactivity timeout on the client side for half-closed connections'),
  timeout('serverFin', BACKEND_SECTIONS, 'inactivity timeout on the server side for half-closed connections'),
  timeout('queue', BACKEND_SECTIONS, 'maximum time to wait in the queue for a connection slot'),
  countKeyword('maxconn', FRONTEND_SECTIONS, 'maximum concurrent connections on the frontend', MAX_MAXCONN, (p, n) => { p.maxconn = n; }),
  countKeyword('retries', BACKEND_SECTIONS, 'connection attempts to a server after a failure (default 3)', MAX_RETRIES, (p, n) => { p.retries = n; }),
  {
    name: 'option redispatch',
    syntax: '[<interval>]',
    summary: 'allow retrying on another server when a connection fails',
    status: 'supported',
    sections: BACKEND_SECTIONS,
    misplaced: 'warning',
    negatable: true,
    apply({ proxy, sink }, args, kw, negated) {
      if (tooMany(args, 1, kw, sink)) return;
      const v = args[0];
      if (v) {
        if (!/^-?[0-9]+$/.test(v.text)) return sink.alert(v.pos, 'BAD_NUMBER', `'option redispatch' expects an integer interval, got '${v.text}'`);
        sink.warning(v.pos, 'PARSED_NOT_APPLIED', "the redispatch interval is parsed but not applied: truehop redispatches on the last retry");
      }
      proxy.redispatch = !negated;
    },
  },
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
  {
    name: 'default_backend',
    syntax: '<backend>',
    summary: 'backend used when no use_backend rule matches',
    status: 'supported',
    sections: FRONTEND_SECTIONS,
    misplaced: 'alert',
    apply({ proxy, sink }, args, kw) {
      const v = need(args, kw, '<backend>', sink);
      if (!v || tooMany(args, 1, kw, sink)) return;
      if (v.text.includes('%[')) return sink.alert(v.pos, 'NOT_SUPPORTED_YET', 'dynamic backend names (log-format) are not supported by truehop yet');
      proxy.defaultBackend = v;
    },
  },
  {
    name: 'use_backend',
    syntax: '<backend> [if|unless <condition>]',
    summary: 'switch to a backend when the condition holds (evaluated in order, first match wins)',
    status: 'supported',
    sections: ['frontend', 'listen'],
    misplaced: 'alert',
    apply(ctx, args, kw) {
      const { proxy, sink } = ctx;
      const v = need(args, kw, '<backend> [if|unless <condition>]', sink);
      if (!v) return;
      if (v.text.includes('%[')) return sink.alert(v.pos, 'NOT_SUPPORTED_YET', 'dynamic backend names (log-format) are not supported by truehop yet');
      const cond = args.slice(1);
      const first = cond[0];
      if (first && (first.quoted || (first.text !== 'if' && first.text !== 'unless'))) {
        return sink.alert(first.pos, 'BAD_CONDITION', `'use_backend' expects 'if' or 'unless' after the backend name, got '${first.text}'`);
      }
      // Compiled in the compile stage (compile-rules.ts), in line order with the ACLs.
      proxy.rules.push({ kind: 'use_backend', backend: v, condition: cond, pos: kw.pos });
    },
  },
  {
    name: 'acl',
    syntax: '<name> <expr> [flags] [operator] [<pattern>…]',
    summary: 'declare a named ACL; lines with the same name are OR-ed; must be declared before use',
    status: 'supported',
    sections: ['frontend', 'listen', 'backend'],
    misplaced: 'alert',
    apply(ctx, args, kw) {
      const { proxy, sink } = ctx;
      const name = need(args, kw, '<name> <expr>', sink);
      if (!name) return;
      if (!NAME_CHARS.test(name.text)) return sink.alert(name.pos, 'BAD_NAME', `invalid ACL name '${name.text}' (letters, digits, '-', '_', '.', ':')`);
      if (!args[1]) return sink.alert(name.pos, 'MISSING_ARGUMENT', `'acl ${name.text}' expects a sample expression`);
      proxy.rules.push({ kind: 'acl', name, args });
    },
  },
  {
    name: 'tcp-request',
    syntax: 'connection|session|content <action> [<args>] [if|unless <condition>] | inspect-delay <time>',
    summary: 'layer-4 rules: connection (before the PROXY header is read, sees the real peer), session (after it), content (after inspect-delay)',
    status: 'supported',
    sections: ['defaults', 'frontend', 'listen', 'backend'],
    misplaced: 'alert',
    apply(ctx, args, kw) {
      const { proxy, sink } = ctx;
      const sub = need(args, kw, 'connection|session|content|inspect-delay', sink);
      if (!sub) return;
      if (sub.text === 'inspect-delay') {
        const v = args[1];
        if (!v) return sink.alert(sub.pos, 'MISSING_ARGUMENT', "'tcp-request inspect-delay' expects <time> as an argument");
        if (tooMany(args, 2, kw, sink)) return;
        const r = parseTime(v.text);
        if (!r.ok) return sink.alert(v.pos, 'BAD_TIME', `'tcp-request inspect-delay': ${r.reason}`);
        proxy.inspectDelayMs = r.ms;
        return;
      }
      if (sub.text !== 'connection' && sub.text !== 'session' && sub.text !== 'content') {
        return sink.alert(sub.pos, 'UNKNOWN_KEYWORD', `unknown 'tcp-request' rule set '${sub.text}'${suggestion(sub.text, ['connection', 'session', 'content', 'inspect-delay'])}`);
      }
      if (proxy.kind === 'defaults') {
        return sink.alert(sub.pos, 'NOT_SUPPORTED_YET', `'tcp-request ${sub.text}' rules in a defaults section are not supported by truehop yet; put them in the proxy`);
      }
      if ((sub.text === 'connection' || sub.text === 'session') && !proxy.fe) {
        // These run when a client connects to a listener: a backend has none.
        return sink.alert(sub.pos, 'NOT_ALLOWED_IN_SECTION', `'tcp-request ${sub.text}' is not allowed in backend '${proxy.name}' (it has no listener)`);
      }
      proxy.rules.push({ kind: 'tcp-request', phase: sub.text, args });
    },
  },
  {
    name: 'balance',
    syntax: BALANCE.join('|'),
    summary: 'load-balancing algorithm (default roundrobin)',
    status: 'supported',
    sections: BACKEND_SECTIONS,
    misplaced: 'warning',
    apply({ proxy, sink }, args, kw) {
      const v = need(args, kw, 'an algorithm', sink);
      if (!v) return;
      const m = /^random(?:\(([0-9]+)\))?$/.exec(v.text);
      if (m) {
        if (tooMany(args, 1, kw, sink)) return;
        if (m[1] !== undefined) sink.warning(v.pos, 'PARSED_NOT_APPLIED', "the number of draws of 'random(<draws>)' is parsed but not applied: truehop draws once");
        proxy.balance = 'random';
        return;
      }
      if ((BALANCE as readonly string[]).includes(v.text)) {
        if (tooMany(args, 1, kw, sink)) return;
        proxy.balance = v.text as BalanceAlgorithm;
        return;
      }
      const base = v.text.replace(/\(.*$/, '');
      if (BALANCE_NOT_YET.includes(base)) return sink.alert(v.pos, 'NOT_SUPPORTED_YET', `'balance ${base}' is not supported by truehop yet`);
      sink.alert(v.pos, 'BAD_VALUE', `unknown balancing algorithm '${v.text}'${suggestion(v.text, BALANCE)}`);
    },
  },
  {
    name: 'bind',
    syntax: '<address>:<port>[,…] [accept-proxy] [name <name>] [v4v6] [v6only]',
    summary: 'listening address: IPv4, [IPv6] or bare IPv6 (:::80), * or empty for all; port ranges are rejected',
    status: 'supported',
    sections: ['frontend', 'listen'],
    misplaced: 'alert',
    apply({ proxy, sink }, args, kw) {
      proxy.bindLines++;
      proxy.binds.push(...parseBindLine(args, kw, sink));
    },
  },
  {
    name: 'server',
    syntax: '<name> <address>:<port> [options…]',
    summary: 'a server of the backend; options are listed under "server options"',
    status: 'supported',
    sections: ['listen', 'backend'],
    misplaced: 'alert',
    apply({ proxy, sink }, args, kw) {
      const name = need(args, kw, '<name> <address>:<port>', sink);
      if (!name) return;
      if (!NAME_CHARS.test(name.text)) return sink.alert(name.pos, 'BAD_NAME', `invalid server name '${name.text}' (letters, digits, '-', '_', '.', ':')`);
      const addr = args[1];
      if (!addr) return sink.alert(name.pos, 'MISSING_ARGUMENT', `server '${name.text}' expects <address>:<port>`);
      const previous = proxy.servers.find((s) => s.name === name.text);
      if (previous) {
        sink.alert(name.pos, 'DUPLICATE_SERVER', `${proxy.kind} '${proxy.name}': another server named '${name.text}' was already defined at line ${previous.pos.line}`);
        return;
      }
      const a = parseServerAddress(addr.text, addr.pos, sink);
      // HAProxy starts every server as a copy of the current default-server.
      const server = cloneServerDraft(proxy.defaultServer);
      server.name = name.text;
      server.pos = kw.pos;
      applyServerOptions(server, args.slice(2), sink);
      if (!a) return;
      server.host = a.host;
      server.port = a.port;
      proxy.servers.push(server);
    },
  },
  {
    name: 'default-server',
    syntax: '[options…]',
    summary: 'default options for the servers declared after it (and, in defaults, for the proxies that follow)',
    status: 'supported',
    sections: BACKEND_SECTIONS,
    misplaced: 'alert',
    apply({ proxy, sink }, args) {
      applyServerOptions(proxy.defaultServer, args, sink);
    },
  },
];

/**
 * Every other keyword of HAProxy's proxy sections (text/haproxy-names.ts): "not supported
 * yet", never "unknown". A family truehop does not implement at all (`stats uri`, `capture
 * request header`, `stick on`) is registered by its first word, so any member is covered;
 * `timeout` and `option` members by their full name; the sub-words of a keyword truehop does
 * implement (`tcp-request`, `http-check`, `tcp-check`) are left to that keyword's parser.
 */
function notYetNames(implemented: ReadonlySet<string>): string[] {
  const out = new Set<string>();
  for (const name of HAPROXY_PROXY_KEYWORDS) {
    if (implemented.has(name)) continue;
    const first = name.split(' ')[0] as string;
    if (implemented.has(first)) continue;
    out.add((PROXY_KEYWORD_FAMILIES as readonly string[]).includes(first) ? name : first);
  }
  return [...out];
}

const IMPLEMENTED: readonly ProxyKeyword[] = [...SUPPORTED, ...CHECK_KEYWORDS];

const NOT_YET: readonly ProxyKeyword[] = notYetNames(new Set(IMPLEMENTED.map((k) => k.name))).map((name) => ({
  ...notYetSupported(name, 0, 'HAProxy proxy keyword; not supported by truehop yet'),
  syntax: '…',
  sections: ALL_PROXY_SECTIONS,
  misplaced: 'alert' as const,
  negatable: name.startsWith('option '),
  apply: () => undefined,
}));

export const PROXY_KEYWORDS: readonly ProxyKeyword[] = [...IMPLEMENTED, ...NOT_YET];

// Guard against a name being both implemented and listed as not supported yet.
{
  const names = new Set<string>();
  for (const k of PROXY_KEYWORDS) {
    if (names.has(k.name)) throw new Error(`proxy keyword '${k.name}' is registered twice`);
    names.add(k.name);
  }
}
