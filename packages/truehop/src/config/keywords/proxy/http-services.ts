// The keywords of truehop's two HTTP services, the only HTTP it parses: the stats page
// (`stats enable|uri|refresh|auth|admin|realm|hide-version`, HAProxy manual §4.2) and
// `http-request use-service prometheus-exporter` (HAProxy's addons/promex). As in HAProxy,
// any `stats` line enables the page. They make sense only in a `mode http` frontend/listen
// whose requests all go to these services (validate.ts says so otherwise); other `stats` and
// `http-request` forms are "not supported yet" alerts, never ignored.
import { ALL_PROXY_SECTIONS } from '../keyword.js';
import type { ProxyDraft, StatsDraft } from '../../draft.js';
import type { DiagnosticSink } from '../../../text/diagnostics.js';
import type { Word } from '../../../text/source.js';
import { parseTime } from '../../../text/time.js';
import { suggestion } from '../../../text/did-you-mean.js';
import type { ProxyKeyword, ProxyLineContext } from './proxy-keyword.js';
import { need, tooMany } from './proxy-keyword.js';

/** HAProxy's defaults (STATS_DEFAULT_URI, STATS_DEFAULT_REALM). */
export const DEFAULT_STATS_URI = '/haproxy?stats';
export const DEFAULT_STATS_REALM = 'HAProxy Statistics';

/** The one service `http-request use-service` knows (HAProxy also has Lua services). */
export const SERVICES = ['prometheus-exporter'] as const;

/** The proxy's stats draft, made on its first `stats` line. */
function statsOf(proxy: ProxyDraft, kw: Word): StatsDraft {
  proxy.stats ??= { enabled: true, uri: undefined, refreshMs: undefined, realm: undefined, users: [], hideVersion: false, pos: kw.pos };
  proxy.stats.enabled = true;
  return proxy.stats;
}

/** A backend reached through use_backend would need HTTP forwarding, which truehop lacks. */
function inBackend(proxy: ProxyDraft, kw: Word, sink: DiagnosticSink): boolean {
  if (proxy.kind !== 'backend') return false;
  sink.alert(kw.pos, 'NOT_SUPPORTED_YET', `'${kw.text}' in backend '${proxy.name}' is not supported by truehop yet; put it in the mode http frontend or listen that serves the page`);
  return true;
}

/** Reads `if|unless <condition>` words after `from`; false (reported) when malformed. */
function conditionWords(args: readonly Word[], from: number, kw: Word, sink: DiagnosticSink, required: boolean): readonly Word[] | undefined {
  const first = args[from];
  if (first === undefined) {
    if (required) sink.alert(kw.pos, 'MISSING_ARGUMENT', `'${kw.text}' expects 'if' or 'unless' followed by a condition`);
    return required ? undefined : [];
  }
  if (first.quoted || (first.text !== 'if' && first.text !== 'unless')) {
    sink.alert(first.pos, 'BAD_CONDITION', `'${kw.text}' expects 'if' or 'unless', got '${first.text}'`);
    return undefined;
  }
  if (args[from + 1] === undefined) {
    sink.alert(first.pos, 'MISSING_ARGUMENT', `'${kw.text} ${first.text}' expects a condition`);
    return undefined;
  }
  return args.slice(from);
}

function statsKeyword(name: string, syntax: string, summary: string, apply: (ctx: ProxyLineContext, stats: StatsDraft, args: readonly Word[], kw: Word) => void): ProxyKeyword {
  return {
    name,
    syntax,
    summary,
    status: 'supported',
    sections: ALL_PROXY_SECTIONS,
    misplaced: 'alert',
    apply(ctx, args, kw) {
      if (inBackend(ctx.proxy, kw, ctx.sink)) return;
      apply(ctx, statsOf(ctx.proxy, kw), args, kw);
    },
  };
}

export const HTTP_SERVICE_KEYWORDS: readonly ProxyKeyword[] = [
  statsKeyword('stats enable', '', 'serve the stats page (at stats uri, default /haproxy?stats); needs mode http', ({ sink }, _s, args, kw) => {
    tooMany(args, 0, kw, sink);
  }),
  statsKeyword('stats uri', '<prefix>', 'URI prefix of the stats page (enables it)', ({ sink }, stats, args, kw) => {
    const v = need(args, kw, '<prefix>', sink);
    if (!v || tooMany(args, 1, kw, sink)) return;
    stats.uri = v.text;
  }),
  statsKeyword('stats refresh', '<delay>', 'the page reloads itself every <delay> (enables it)', ({ sink }, stats, args, kw) => {
    const v = need(args, kw, '<delay>', sink);
    if (!v || tooMany(args, 1, kw, sink)) return;
    const r = parseTime(v.text);
    if (!r.ok) return sink.alert(v.pos, 'BAD_TIME', `'stats refresh': ${r.reason}`);
    stats.refreshMs = r.ms;
  }),
  statsKeyword('stats auth', '<user>:<passwd>', 'require Basic authentication; several lines allow several users (enables the page)', ({ sink }, stats, args, kw) => {
    const v = need(args, kw, '<user>:<passwd>', sink);
    if (!v || tooMany(args, 1, kw, sink)) return;
    const colon = v.text.indexOf(':');
    if (colon <= 0) return sink.alert(v.pos, 'BAD_VALUE', `'stats auth' expects <user>:<passwd>, got '${v.text}'`);
    stats.users.push({ user: v.text.slice(0, colon), password: v.text.slice(colon + 1) });
  }),
  statsKeyword('stats realm', '<realm>', 'Basic authentication realm (default "HAProxy Statistics")', ({ sink }, stats, args, kw) => {
    const v = need(args, kw, '<realm>', sink);
    if (!v || tooMany(args, 1, kw, sink)) return;
    stats.realm = v.text;
  }),
  statsKeyword('stats hide-version', '', 'do not show the version on the page', ({ sink }, stats, args, kw) => {
    if (tooMany(args, 0, kw, sink)) return;
    stats.hideVersion = true;
  }),
  {
    ...statsKeyword('stats admin', 'if|unless <condition>', 'the page offers ready/drain/maint actions when the condition holds', ({ proxy, sink }, _s, args, kw) => {
      const condition = conditionWords(args, 0, kw, sink, true);
      if (condition !== undefined) proxy.rules.push({ kind: 'stats-admin', condition, pos: kw.pos });
    }),
    sections: ['frontend', 'listen', 'backend'],
  },
  {
    name: 'http-request',
    syntax: 'use-service prometheus-exporter [if|unless <condition>]',
    summary: "only 'use-service prometheus-exporter', in a mode http frontend/listen; other http-request actions are not supported yet",
    status: 'supported',
    sections: ALL_PROXY_SECTIONS,
    misplaced: 'alert',
    apply({ proxy, sink }, args, kw) {
      const action = need(args, kw, '<action>', sink);
      if (!action) return;
      if (action.text !== 'use-service') {
        return sink.alert(kw.pos, 'NOT_SUPPORTED_YET', `'http-request ${action.text}' is not supported by truehop yet (only 'http-request use-service prometheus-exporter')`);
      }
      if (proxy.kind === 'defaults' || proxy.kind === 'backend') {
        return sink.alert(action.pos, 'NOT_SUPPORTED_YET', `'http-request use-service' in a ${proxy.kind} section is not supported by truehop yet; put it in the mode http frontend or listen`);
      }
      const service = args[1];
      if (!service) return sink.alert(action.pos, 'MISSING_ARGUMENT', "'http-request use-service' expects a service name");
      if (!(SERVICES as readonly string[]).includes(service.text)) {
        return sink.alert(service.pos, 'BAD_VALUE', `'http-request use-service': unknown service '${service.text}'${suggestion(service.text, SERVICES)} (truehop has prometheus-exporter only)`);
      }
      const condition = conditionWords(args, 2, { ...kw, text: 'http-request use-service' }, sink, false);
      if (condition !== undefined) proxy.rules.push({ kind: 'use-service', condition, pos: kw.pos });
    },
  },
];
