// Proxy settings: mode, maxconn, retries, option redispatch, balance, and the keywords accepted
// for compatibility without effect (option dontlognull, errorfile).
import type { ProxySectionKind } from '../keyword.js';
import { ALL_PROXY_SECTIONS, BACKEND_SECTIONS, FRONTEND_SECTIONS } from '../keyword.js';
import type { ProxyDraft } from '../../draft.js';
import { parseUnsigned } from '../../../text/integer.js';
import { suggestion } from '../../../text/did-you-mean.js';
import type { BalanceAlgorithm } from '../../../model/config-model.js';
import type { ProxyKeyword } from './proxy-keyword.js';
import { need, tooMany } from './proxy-keyword.js';

/** Maximum `retries` (HAProxy keeps it in an int; more than a few is already a smell). */
const MAX_RETRIES = 2_147_483_647;
const MAX_MAXCONN = 2_147_483_647;

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

/** Accepted for compatibility, then mode and the counts. */
export const SETTING_KEYWORDS: readonly ProxyKeyword[] = [
  // Common in stock HAProxy defaults sections; they only shape HTTP error pages and log
  // filtering, never where traffic goes or which client address is seen.
  notApplied('option dontlognull', '', FRONTEND_SECTIONS, 0, 'connections without data are logged too'),
  notApplied('errorfile', '<code> <file>', ALL_PROXY_SECTIONS, 2, 'truehop sends no HTTP error pages'),
  {
    name: 'mode',
    syntax: 'tcp|http',
    summary: "proxy mode: tcp (the default); 'mode http' only for a frontend/listen that serves the stats page or the Prometheus exporter",
    status: 'supported',
    sections: ALL_PROXY_SECTIONS,
    misplaced: 'warning',
    apply({ proxy, sink }, args, kw) {
      const v = need(args, kw, 'tcp|http', sink);
      if (!v || tooMany(args, 1, kw, sink)) return;
      if (v.text === 'tcp') {
        proxy.mode = v.text;
        proxy.modeHttpPos = undefined;
      } else if (v.text === 'http') {
        // truehop parses HTTP only for its built-in services (stats page, exporter); whether
        // this proxy is one is known once the section is read (validate.ts checks it), so any
        // other use is an alert there, at this line.
        proxy.mode = v.text;
        proxy.modeHttpPos = v.pos;
      } else if (v.text === 'log' || v.text === 'spop') sink.alert(v.pos, 'NOT_SUPPORTED_YET', `'mode ${v.text}' is not supported by truehop yet`);
      else sink.alert(v.pos, 'BAD_VALUE', `'mode' expects tcp or http, got '${v.text}'${suggestion(v.text, ['tcp', 'http'])}`);
    },
  },
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
        // HAProxy: P > 0 redispatches every Pth retry, N < 0 on the |N|th retry before the
        // last, 0 never (connect-policy.ts applies it).
        const interval = Number(v.text);
        if (!Number.isSafeInteger(interval)) return sink.alert(v.pos, 'BAD_NUMBER', `'option redispatch' interval out of range: '${v.text}'`);
        proxy.redispatchInterval = interval;
      } else proxy.redispatchInterval = undefined;
      proxy.redispatch = !negated;
    },
  },
];

export const BALANCE_KEYWORD: ProxyKeyword = {
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
  };
