// The rule evaluation points of a session before a server is chosen, in HAProxy's order:
// `tcp-request connection` (before the PROXY header: `src` is the real peer, §4.1, §4.2),
// then `tcp-request session` and `tcp-request content`, then use_backend/default_backend.
// Each returns what the session must do; the session does it.
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

/**
 * `tcp-request session`, then `tcp-request content`, then the backend: the chosen backend,
 * `reject` when a rule rejected, `undefined` when no backend applies (HAProxy logs <NOSRV>).
 */
export function chooseBackend(frontend: RuntimeFrontend, ctx: SessionContext): RuntimeBackend | 'reject' | undefined {
  const rules = frontend.model.tcpRequest;
  ctx.phase = 'session';
  if (!passes(rules.session, ctx)) return 'reject';
  // tcp-request content: evaluated once, now. truehop's fetches never need payload bytes,
  // so no rule can be undecided and HAProxy too would decide without waiting for
  // inspect-delay; a server-speaks-first protocol is therefore never delayed.
  ctx.phase = 'content';
  if (!passes(rules.content, ctx)) return 'reject';
  for (const rule of frontend.useBackends) if (rule.condition.test(ctx)) return rule.backend;
  return frontend.defaultBackend;
}
