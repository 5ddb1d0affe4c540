// The compile stage of a proxy's ACLs and rules: `acl`, `use_backend` and `tcp-request` lines
// were kept as words while keywords were applied; here they become closures, in line order,
// because HAProxy resolves an ACL name where it is used: an ACL counts only for the lines
// after its declaration. An ACL whose line failed still counts as declared (its line has the
// alert), so the rules using it do not add a false "no such ACL".
import type { ProxyDraft, RulePhase, ServiceRuleDraft, UseBackendDraft } from './draft.js';
import type { LoadContext } from './load-context.js';
import { compileEnvFor, newAclScope } from './load-context.js';
import type { AclScope } from './load-context.js';
import type { CompiledCondition, CompiledTcpRule } from '../sample/compiled.js';
import { defineAcl } from '../acl/acl.js';
import { compileCondition } from '../acl/condition.js';
import { compileTcpRequest } from '../rules/tcp-request.js';

/** A condition that always holds: `use_backend <b>` without if/unless. */
const ALWAYS: CompiledCondition = Object.freeze({ source: '', earliestPhase: 'connection' as const, test: () => true });

export interface CompiledRules {
  /** use_backend rules whose condition compiled, in order. */
  readonly useBackends: readonly { readonly draft: UseBackendDraft; readonly condition: CompiledCondition }[];
  readonly tcpRequest: Readonly<Record<RulePhase, readonly CompiledTcpRule[]>>;
  /** `http-request use-service` and `stats admin` conditions that compiled, in order. */
  readonly services: readonly { readonly draft: ServiceRuleDraft; readonly condition: CompiledCondition }[];
  /** Every ACL of the proxy, for what compiles after the rules. */
  readonly scope: AclScope;
}

export function compileRules(ctx: LoadContext, p: ProxyDraft): CompiledRules {
  const scope = newAclScope();
  const useBackends: { draft: UseBackendDraft; condition: CompiledCondition }[] = [];
  const tcpRequest: Record<RulePhase, CompiledTcpRule[]> = { connection: [], session: [], content: [] };
  const services: { draft: ServiceRuleDraft; condition: CompiledCondition }[] = [];
  let warnedNoDelay = false;
  for (const line of p.rules) {
    switch (line.kind) {
      case 'acl': {
        // ACLs are evaluated where they are used; 'backend' is the latest phase, so any fetch
        // is accepted here and the phase is checked at each use (condition.ts).
        const acl = defineAcl(line.args, compileEnvFor(ctx, p, 'backend', scope), scope.acls.get(line.name.text));
        if (acl) scope.acls.set(line.name.text, acl);
        else scope.failed.add(line.name.text);
        break;
      }
      case 'use_backend': {
        const condition = line.condition.length > 0 ? compileCondition(line.condition, compileEnvFor(ctx, p, 'content', scope)) : ALWAYS;
        if (condition) useBackends.push({ draft: line, condition });
        break;
      }
      case 'use-service':
      case 'stats-admin': {
        // Evaluated on each parsed request of a mode http service frontend (path is known).
        const condition = line.condition.length > 0 ? compileCondition(line.condition, compileEnvFor(ctx, p, 'http-request', scope)) : ALWAYS;
        if (condition) services.push({ draft: line, condition });
        break;
      }
      case 'tcp-request': {
        const rule = compileTcpRequest(line.ruleSet, line.args, compileEnvFor(ctx, p, line.ruleSet.text, scope));
        if (rule) tcpRequest[rule.phase].push(rule);
        if (rule?.inspectsContent === true && p.inspectDelayMs === undefined && !warnedNoDelay) {
          // HAProxy 2.6 warns so for track-sc/capture (action.c) but not for conditions; the
          // trap is the same: the rule decides on whatever bytes happened to arrive.
          warnedNoDelay = true;
          ctx.diagnostics.warning(line.ruleSet.pos, 'CONTENT_WITHOUT_INSPECT_DELAY',
            `'${p.name}': a 'tcp-request content' rule depends on the request contents without any 'tcp-request inspect-delay': it will decide on whatever bytes happened to arrive (set 'tcp-request inspect-delay')`);
        }
        break;
      }
    }
  }
  return { useBackends, tcpRequest, services, scope };
}
