// `tcp-request connection|session|content <action> [args] [if|unless <cond>]` and
// `tcp-request inspect-delay <time>` (HAProxy src/tcp_rules.c). Each rule becomes one closure:
// the condition, then the action. The phase comes from the rule's keyword, not from env.
import type { Word } from '../text/source.js';
import type { Phase, SessionContext } from '../model/session.js';
import { PHASE_ORDER } from '../model/session.js';
import { compileCondition } from '../acl/condition.js';
import type { CompiledCondition, CompiledTcpRule, RuleVerdict } from '../sample/compiled.js';
import type { CompileEnv } from '../sample/compile-env.js';
import { suggestion } from '../text/did-you-mean.js';
import { compileExpression } from '../sample/expression.js';
import { compileLogFormat } from '../sample/log-format.js';
import { PHASE_LABEL } from '../sample/phase-names.js';
import { clearVar, isSetVarCondition, parseVarName, SET_VAR_CONDITIONS, setVarAllowed, VAR_SCOPE_PHASE, writeVar } from '../sample/variables.js';
import type { SetVarCondition, VarRef } from '../sample/variables.js';
import type { Sample } from '../sample/types.js';

/** The rule sets of `tcp-request`, in the order they run. */
export const TCP_RULE_SETS = ['connection', 'session', 'content'] as const;
export type TcpRuleSet = (typeof TCP_RULE_SETS)[number];

/**
 * The rule-set word of a `tcp-request` line once the keyword has checked it
 * (config/keywords/proxy/routing.ts, the one place that reports a wrong one): the rule
 * compiler takes only this, so it never sees `inspect-delay` or a misspelt set.
 */
export type TcpRuleSetWord = Word & { readonly text: TcpRuleSet };

export function isTcpRuleSetWord(word: Word): word is TcpRuleSetWord {
  return (TCP_RULE_SETS as readonly string[]).includes(word.text);
}

type RulePhase = TcpRuleSet;
type Action = (ctx: SessionContext) => void;

const ACTIONS: Readonly<Record<RulePhase, readonly string[]>> = {
  connection: ['accept', 'reject', 'expect-proxy', 'set-var', 'unset-var', 'set-var-fmt'],
  session: ['accept', 'reject', 'set-var', 'unset-var', 'set-var-fmt'],
  content: ['accept', 'reject', 'set-var', 'unset-var', 'set-var-fmt'],
};

/** HAProxy actions that exist but truehop does not implement yet: named in the alert, never ignored. */
const KNOWN_UNSUPPORTED = new Set([
  'track-sc0', 'track-sc1', 'track-sc2', 'capture', 'silent-drop', 'set-src', 'set-dst', 'set-src-port', 'set-dst-port',
  'set-mark', 'set-tos', 'set-fc-mark', 'set-fc-tos', 'set-log-level', 'set-nice', 'set-priority-class', 'set-priority-offset',
  'sc-inc-gpc', 'sc-inc-gpc0', 'sc-inc-gpc1', 'sc-set-gpt', 'sc-set-gpt0', 'sc-add-gpc', 'send-spoe-group', 'do-resolve',
  'switch-mode', 'use-service', 'set-bandwidth-limit', 'attach-srv', 'close', 'expect-netscaler-cip', 'set-dst-port',
  'lua', 'set-bc-mark', 'set-bc-tos', 'set-retries',
]);

// Shared, frozen results: running a rule allocates nothing.
const CONTINUE_UNMATCHED = Object.freeze({ verdict: 'continue', matched: false });

function conditionStart(args: readonly Word[], from: number): number {
  for (let i = from; i < args.length; i++) {
    const w = args[i] as Word;
    if (!w.quoted && (w.text === 'if' || w.text === 'unless')) return i;
  }
  return args.length;
}

/** `set-var(name[,cond…])`: the parenthesised name of a variable action and its conditions. */
function varActionName(word: Word, action: string, env: CompileEnv): { ref: VarRef; conds: SetVarCondition[] } | undefined {
  const m = /^[a-z-]+\((.*)\)$/.exec(word.text);
  if (m === null) {
    env.diagnostics.alert(word.pos, 'BAD_ACTION', `'${action}' needs a variable name: ${action}(<scope>.<name>)`);
    return undefined;
  }
  const [name, ...conditions] = (m[1] as string).split(',');
  if (conditions.length > 0 && action === 'unset-var') {
    env.diagnostics.alert(word.pos, 'BAD_ACTION', "unset-var takes no condition after the variable name (only set-var and set-var-fmt do)");
    return undefined;
  }
  const conds: SetVarCondition[] = [];
  for (const c of conditions) {
    if (!isSetVarCondition(c)) {
      env.diagnostics.alert(word.pos, 'BAD_ACTION', `unknown ${action} condition '${c}'${suggestion(c, SET_VAR_CONDITIONS)}; conditions: ${SET_VAR_CONDITIONS.join(' ')}`);
      return undefined;
    }
    conds.push(c);
  }
  const ref = parseVarName(name ?? '');
  if (ref === undefined) {
    env.diagnostics.alert(word.pos, 'BAD_ACTION', `'${name ?? ''}' is not a variable name <scope>.<name> (scopes proc, sess, txn, req, res)`);
    return undefined;
  }
  return { ref, conds };
}

/** `set-var(…) <value>` and `set-var-fmt(…) <format>`: the variable, its conditions and the one value word. */
function setVarParts(
  actionWord: Word, action: string, actionArgs: readonly Word[], env: CompileEnv, valueSyntax: string,
): { ref: VarRef; conds: SetVarCondition[]; value: Word } | undefined {
  const named = varActionName(actionWord, action, env);
  if (named === undefined) return undefined;
  const value = actionArgs[0];
  if (value === undefined || actionArgs.length !== 1) {
    env.diagnostics.alert((actionArgs[1] ?? actionWord).pos, 'BAD_ACTION', `'${action}' takes ${valueSyntax}`);
    return undefined;
  }
  return { ...named, value };
}

/**
 * txn/req/res variables belong to a stream, which does not exist before 'tcp-request content'.
 * HAProxy accepts such a rule and silently does nothing; truehop does the same (the config
 * still loads) but says so, since the rule can never have an effect.
 */
function scopeExists(word: Word, ref: VarRef, env: CompileEnv, phase: RulePhase): boolean {
  if (PHASE_ORDER[VAR_SCOPE_PHASE[ref.scope]] <= PHASE_ORDER[phase]) return true;
  env.diagnostics.warning(word.pos, 'VAR_SCOPE_NOT_AVAILABLE',
    `variable scope '${ref.scope}' does not exist in ${PHASE_LABEL[phase]} (only 'proc' and 'sess' do; '${ref.scope}' starts with the stream, in 'tcp-request content'): this action never does anything (HAProxy ignores it the same way)`);
  return false;
}

function phaseEnv(env: CompileEnv, phase: Phase): CompileEnv {
  return {
    diagnostics: env.diagnostics,
    proxyName: env.proxyName,
    phase,
    lookupAcl: (name) => env.lookupAcl(name),
    aclNames: () => env.aclNames?.() ?? [],
    readPatternFile: (path, pos) => env.readPatternFile(path, pos),
  };
}

/**
 * Compiles one `tcp-request connection|session|content …` rule: `ruleSet` is the checked
 * rule-set word, `args` the words after it. `tcp-request inspect-delay` is a proxy setting,
 * read by the keyword itself (config/keywords/proxy/routing.ts), not a rule.
 */
export function compileTcpRequest(ruleSet: TcpRuleSetWord, args: readonly Word[], env: CompileEnv): CompiledTcpRule | undefined {
  const phase: RulePhase = ruleSet.text;
  const actionWord = args[0];
  if (actionWord === undefined) {
    env.diagnostics.alert(ruleSet.pos, 'BAD_ACTION', `'tcp-request ${phase}' needs an action: ${ACTIONS[phase].join(', ')}`);
    return undefined;
  }
  const action = actionWord.text.split('(')[0] as string;
  const condAt = conditionStart(args, 1);
  const actionArgs = args.slice(1, condAt);
  const scoped = phaseEnv(env, phase);
  let condition: CompiledCondition | undefined;
  if (condAt < args.length) {
    if (condAt === args.length - 1) {
      env.diagnostics.alert((args[condAt] as Word).pos, 'BAD_CONDITION', `'${(args[condAt] as Word).text}' needs a condition`);
      return undefined;
    }
    condition = compileCondition(args.slice(condAt), scoped);
    if (condition === undefined) return undefined;
  }

  if (!ACTIONS[phase].includes(action)) {
    if (action === 'expect-proxy') {
      env.diagnostics.alert(actionWord.pos, 'BAD_ACTION', "'expect-proxy layer4' is only valid in 'tcp-request connection' (§4.2)");
    } else if (KNOWN_UNSUPPORTED.has(action) || action.startsWith('lua.') || action.startsWith('sc-')) {
      env.diagnostics.alert(actionWord.pos, 'NOT_SUPPORTED_YET', `tcp-request ${phase} action '${action}' is not supported by truehop yet`);
    } else {
      env.diagnostics.alert(actionWord.pos, 'UNKNOWN_ACTION',
        `unknown tcp-request ${phase} action '${action}'${suggestion(action, ACTIONS[phase])}; supported: ${ACTIONS[phase].join(', ')}`);
    }
    return undefined;
  }

  let verdict: RuleVerdict = 'continue';
  let act: Action | undefined;
  let expectsProxy = false;
  const noArgs = (): boolean => {
    if (actionArgs.length === 0) return true;
    env.diagnostics.alert((actionArgs[0] as Word).pos, 'BAD_ACTION', `'${action}' takes no argument, found '${(actionArgs[0] as Word).text}' (conditions start with 'if' or 'unless')`);
    return false;
  };
  switch (action) {
    case 'accept':
    case 'reject':
      if (actionWord.text !== action) {
        env.diagnostics.alert(actionWord.pos, 'BAD_ACTION', `'${action}' takes no argument`);
        return undefined;
      }
      if (!noArgs()) return undefined;
      verdict = action;
      break;
    case 'expect-proxy': {
      // Only the literal `layer4` exists (§4.2). Not terminal: later connection rules still run.
      if (actionArgs.length !== 1 || (actionArgs[0] as Word).text !== 'layer4') {
        env.diagnostics.alert((actionArgs[0] ?? actionWord).pos, 'BAD_ACTION', "'expect-proxy' only accepts 'layer4': tcp-request connection expect-proxy layer4 [if|unless <cond>]");
        return undefined;
      }
      expectsProxy = true;
      break;
    }
    case 'set-var': {
      const parts = setVarParts(actionWord, action, actionArgs, env, "one sample expression, then optionally 'if'/'unless' <cond>");
      if (parts === undefined) return undefined;
      const { ref, conds } = parts;
      const expr = compileExpression(parts.value, scoped, { checkPhase: true });
      if (expr === undefined) return undefined;
      const evaluate = expr.evaluate;
      if (!scopeExists(actionWord, ref, env, phase)) break;
      // A missing sample leaves the variable as it was (HAProxy does not set it).
      act = conds.length === 0
        ? (ctx) => {
          const s = evaluate(ctx);
          if (s !== undefined) writeVar(ctx, ref, s);
        }
        : (ctx) => {
          const s = evaluate(ctx);
          if (s !== undefined && setVarAllowed(ctx, ref, s, conds)) writeVar(ctx, ref, s);
        };
      break;
    }
    case 'set-var-fmt': {
      const parts = setVarParts(actionWord, action, actionArgs, env, 'one log-format string (quote it if it has spaces)');
      if (parts === undefined) return undefined;
      const { ref, conds } = parts;
      const fmt = compileLogFormat(parts.value, scoped);
      if (fmt === undefined) return undefined;
      if (!scopeExists(actionWord, ref, env, phase)) break;
      act = (ctx) => {
        const s: Sample = { type: 'str', value: fmt.render(ctx).toString('latin1') };
        if (setVarAllowed(ctx, ref, s, conds)) writeVar(ctx, ref, s);
      };
      break;
    }
    case 'unset-var': {
      const ref = varActionName(actionWord, action, env)?.ref;
      if (ref === undefined || !noArgs()) return undefined;
      if (!scopeExists(actionWord, ref, env, phase)) break;
      act = (ctx) => clearVar(ctx, ref);
      break;
    }
  }

  const matched = Object.freeze({ verdict, matched: true });
  const test = condition?.test;
  const doAction = act;
  const run = (ctx: SessionContext): { verdict: RuleVerdict; matched: boolean } => {
    // This rule runs in its own phase: `src` inside 'tcp-request connection' is the real peer.
    ctx.phase = phase;
    if (test !== undefined && !test(ctx)) return CONTINUE_UNMATCHED;
    if (doAction !== undefined) doAction(ctx);
    return matched;
  };
  const source = args.map((w) => w.text).join(' ');
  return { source: `tcp-request ${phase} ${source}`, phase, expectsProxy, inspectsContent: condition?.earliestPhase === 'content', run };
}
