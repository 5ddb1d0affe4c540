// The rule evaluation points of a session before a server is chosen, in HAProxy's order:
// `tcp-request connection` (before the PROXY header: `src` is the real peer, §4.1, §4.2),
// then `tcp-request session` and `tcp-request content`, then use_backend/default_backend.
// Each returns what the session must do; the session does it. Content rules may need client
// bytes (req.ssl_sni …): the session then waits for them up to `tcp-request inspect-delay`
// (inspect-phase.ts) and runs them again from the rule that was waiting.
import type { CompiledTcpRule } from '../sample/compiled.js';
import type { SessionContext } from '../model/session.js';
import type { RuntimeFrontend } from './frontend.js';
import type { RuntimeBackend } from './runtime-backend.js';

/** `reject`, or whether a PROXY header must be read next (bind accept-proxy or expect-proxy). */
export type ConnectionVerdict = 'reject' | 'expect-proxy' | 'no-header';

export function runConnectionRules(frontend: RuntimeFrontend, acceptProxy: boolean, ctx: SessionContext): ConnectionVerdict {
  let expectProxy = acceptProxy;
  for (const rule of frontend.model.tcpRequest.connection) {
    const r = rule.run(ctx);
    if (r.matched && rule.expectsProxy) expectProxy = true;
    if (r.verdict === 'reject') return 'reject';
    if (r.verdict === 'accept') break;
  }
  return expectProxy ? 'expect-proxy' : 'no-header';
}

/** False when a rule rejected the session. */
function passes(rules: readonly CompiledTcpRule[], ctx: SessionContext): boolean {
  for (const rule of rules) {
    const r = rule.run(ctx);
    if (r.verdict === 'reject') return false;
    if (r.verdict === 'accept') break;
  }
  return true;
}

/** `tcp-request session`: false when a rule rejected the session. */
export function runSessionRules(frontend: RuntimeFrontend, ctx: SessionContext): boolean {
  ctx.phase = 'session';
  return passes(frontend.model.tcpRequest.session, ctx);
}

/** runContentRules: a rule rejected. */
export const CONTENT_REJECT = -1;
/** runContentRules: every rule ran (or one accepted): the backend can be chosen. */
export const CONTENT_DONE = -2;

/**
 * `tcp-request content` rules from the `from`-th on, over the client bytes in `ctx.request`.
 * Returns CONTENT_REJECT, CONTENT_DONE, or the index of the rule that needs more bytes
 * (HAProxy's ACL_TEST_MISS while the request is not final): the session waits and resumes
 * there, so the actions of the rules before it run once (src/tcp_rules.c, s->current_rule).
 */
export function runContentRules(frontend: RuntimeFrontend, ctx: SessionContext, from: number): number {
  const rules = frontend.model.tcpRequest.content;
  ctx.phase = 'content';
  for (let i = from; i < rules.length; i++) {
    const rule = rules[i] as CompiledTcpRule;
    ctx.requestMiss = false;
    const r = rule.run(ctx);
    if (!r.matched && ctx.requestMiss && !ctx.requestFinal) return i;
    if (r.verdict === 'reject') return CONTENT_REJECT;
    if (r.verdict === 'accept') break;
  }
  return CONTENT_DONE;
}

/**
 * use_backend, then default_backend: the chosen backend, or `undefined` when none applies
 * (HAProxy logs <NOSRV>). Evaluated once, on the bytes there are (HAProxy passes
 * SMP_OPT_FINAL to switching rules): waiting is the job of the content rules.
 */
export function pickBackend(frontend: RuntimeFrontend, ctx: SessionContext): RuntimeBackend | undefined {
  ctx.requestFinal = true;
  for (const rule of frontend.useBackends) if (rule.condition.test(ctx)) return rule.backend;
  return frontend.defaultBackend;
}
