// Which backend a frontend uses and the rules that decide it: default_backend, use_backend,
// acl and tcp-request. ACL and rule lines are kept as words (draft.ts RuleDraft) and compiled
// in the compile stage (compile-rules.ts), in line order.
import { FRONTEND_SECTIONS } from '../keyword.js';
import { parseTime } from '../../../text/time.js';
import { suggestion } from '../../../text/did-you-mean.js';
import { isTcpRuleSetWord, TCP_RULE_SETS } from '../../../rules/tcp-request.js';
import type { ProxyKeyword } from './proxy-keyword.js';
import { NAME_CHARS, need, tooMany } from './proxy-keyword.js';

export const ROUTING_KEYWORDS: readonly ProxyKeyword[] = [
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
      if (!isTcpRuleSetWord(sub)) {
        return sink.alert(sub.pos, 'UNKNOWN_KEYWORD', `unknown 'tcp-request' rule set '${sub.text}'${suggestion(sub.text, [...TCP_RULE_SETS, 'inspect-delay'])}`);
      }
      if (proxy.kind === 'defaults') {
        return sink.alert(sub.pos, 'NOT_SUPPORTED_YET', `'tcp-request ${sub.text}' rules in a defaults section are not supported by truehop yet; put them in the proxy`);
      }
      if ((sub.text === 'connection' || sub.text === 'session') && !proxy.fe) {
        // These run when a client connects to a listener: a backend has none.
        return sink.alert(sub.pos, 'NOT_ALLOWED_IN_SECTION', `'tcp-request ${sub.text}' is not allowed in backend '${proxy.name}' (it has no listener)`);
      }
      if (!proxy.fe) {
        // HAProxy runs a backend's content rules once the backend is chosen; the data path runs
        // only the frontend's, so accepting them here would drop them silently.
        return sink.alert(sub.pos, 'NOT_SUPPORTED_YET', `'tcp-request content' rules in backend '${proxy.name}' are not supported by truehop yet; put them in the frontend`);
      }
      proxy.rules.push({ kind: 'tcp-request', ruleSet: sub, args: args.slice(1) });
    },
  },
];
