// Conditions: `if|unless <acl> [<acl>…] [|| <acl>…]` (HAProxy acl.c build_acl_cond). Terms
// next to each other are AND-ed, `||` (or `or`) separates OR-ed groups, `!` negates the next
// term, `{ … }` is an anonymous ACL. Named ACLs are resolved now, at load time, as HAProxy does.
import type { Word } from '../text/source.js';
import type { Phase, SessionContext } from '../model/session.js';
import { PHASE_ORDER } from '../model/session.js';
import type { CompiledCondition } from '../sample/compiled.js';
import type { CompileEnv } from '../sample/compile-env.js';
import { suggestion } from '../text/did-you-mean.js';
import { findFetch } from '../sample/keyword.js';
import { PHASE_LABEL } from '../sample/phase-names.js';
import { compileAclTerm } from './acl-term.js';
import { PREDEFINED_ACLS, UNSUPPORTED_PREDEFINED } from './predefined.js';

type Test = (ctx: SessionContext) => boolean;

interface Term {
  readonly negate: boolean;
  readonly test: Test;
}

/** Stands for a term that failed to compile, so the syntax checks below stay accurate. */
const FAILED: Term = { negate: false, test: () => false };

function andAll(terms: readonly Term[]): Test {
  if (terms.length === 1) {
    const t = terms[0] as Term;
    const test = t.test;
    return t.negate ? (ctx) => !test(ctx) : test;
  }
  return (ctx) => {
    for (let i = 0; i < terms.length; i++) {
      const t = terms[i] as Term;
      if (t.test(ctx) === t.negate) return false;
    }
    return true;
  };
}

function anyOf(groups: readonly Test[]): Test {
  if (groups.length === 1) return groups[0] as Test;
  return (ctx) => {
    for (let i = 0; i < groups.length; i++) if ((groups[i] as Test)(ctx)) return true;
    return false;
  };
}

export function compileCondition(words: readonly Word[], env: CompileEnv): CompiledCondition | undefined {
  const keyword = words[0];
  if (keyword === undefined) return undefined;
  if (keyword.text !== 'if' && keyword.text !== 'unless') {
    env.diagnostics.alert(keyword.pos, 'BAD_CONDITION', `expected 'if' or 'unless', found '${keyword.text}'`);
    return undefined;
  }
  const unless = keyword.text === 'unless';
  const groups: Term[][] = [[]];
  let phase: Phase = 'connection';
  let negate = false;
  let ok = true;
  const needPhase = (p: Phase): void => {
    if (PHASE_ORDER[p] > PHASE_ORDER[phase]) phase = p;
  };

  for (let i = 1; i < words.length; i++) {
    const w = words[i] as Word;
    let text = w.text;
    if (!w.quoted && (text === '||' || text === 'or')) {
      if (negate || (groups[groups.length - 1] as Term[]).length === 0) {
        env.diagnostics.alert(w.pos, 'BAD_CONDITION', `'${text}' must sit between two ACLs`);
        return undefined;
      }
      groups.push([]);
      continue;
    }
    if (!w.quoted && text === '!') {
      negate = !negate;
      continue;
    }
    if (!w.quoted && text === '{') {
      let j = i + 1;
      while (j < words.length && !((words[j] as Word).text === '}' && !(words[j] as Word).quoted)) j++;
      if (j >= words.length) {
        env.diagnostics.alert(w.pos, 'BAD_CONDITION', "missing '}' to close the anonymous ACL");
        return undefined;
      }
      if (j === i + 1) {
        env.diagnostics.alert(w.pos, 'BAD_CONDITION', "empty anonymous ACL '{ }'");
        return undefined;
      }
      const term = compileAclTerm(words.slice(i + 1, j), env, true);
      if (term === undefined) {
        ok = false;
        (groups[groups.length - 1] as Term[]).push(FAILED);
      } else {
        needPhase(term.earliestPhase);
        (groups[groups.length - 1] as Term[]).push({ negate, test: term.test });
      }
      negate = false;
      i = j;
      continue;
    }
    if (!w.quoted && text === '}') {
      env.diagnostics.alert(w.pos, 'BAD_CONDITION', "'}' without a matching '{'");
      return undefined;
    }
    while (text.startsWith('!')) {
      negate = !negate;
      text = text.slice(1);
    }
    const acl = env.lookupAcl(text) ?? PREDEFINED_ACLS.get(text);
    if (acl === undefined && env.isFailedAcl?.(text) === true) {
      // Declared on an earlier line whose expression failed: that line has the alert.
      ok = false;
      (groups[groups.length - 1] as Term[]).push(FAILED);
      negate = false;
      continue;
    }
    if (acl === undefined) {
      let hint: string;
      if (UNSUPPORTED_PREDEFINED.has(text)) hint = ` ('${text}' is an HAProxy predefined ACL about HTTP or request buffers, not available in truehop yet)`;
      else if (findFetch(text.split('(')[0] ?? '') !== undefined) hint = ` ('${text}' is a fetch: write '{ ${text} }' for an anonymous ACL)`;
      else hint = suggestion(text, [...(env.aclNames?.() ?? []), ...PREDEFINED_ACLS.keys()]) || ' (ACLs must be declared before the line that uses them)';
      env.diagnostics.alert(w.pos, 'UNKNOWN_ACL', `no such ACL '${text}' in ${env.proxyName}${hint}`);
      ok = false;
      (groups[groups.length - 1] as Term[]).push(FAILED);
      negate = false;
      continue;
    }
    if (PHASE_ORDER[acl.earliestPhase] > PHASE_ORDER[env.phase]) {
      env.diagnostics.alert(w.pos, 'ACL_NOT_AVAILABLE',
        `ACL '${acl.name}' will never match in ${PHASE_LABEL[env.phase]}: it uses data that exists only from ${PHASE_LABEL[acl.earliestPhase]} on`);
      ok = false;
    }
    needPhase(acl.earliestPhase);
    (groups[groups.length - 1] as Term[]).push({ negate, test: (ctx) => acl.test(ctx) });
    negate = false;
  }
  const last = (words[words.length - 1] as Word).pos;
  if (negate) {
    // HAProxy ignores a dangling '!'; so do we, loudly.
    env.diagnostics.warning(last, 'CONDITION_TRAILING_OPERATOR', "'!' at the end of the condition negates nothing: ignored (as HAProxy does)");
  }
  if ((groups[groups.length - 1] as Term[]).length === 0) {
    if (groups.length === 1) {
      env.diagnostics.alert(last, 'BAD_CONDITION', `'${keyword.text}' needs at least one ACL`);
      return undefined;
    }
    // HAProxy ignores a trailing '||' (an empty last alternative); so do we, loudly.
    env.diagnostics.warning(last, 'CONDITION_TRAILING_OPERATOR', "'||' at the end of the condition has nothing after it: ignored (as HAProxy does)");
    groups.pop();
  }
  if (!ok) return undefined;
  // `phase` is raised inside needPhase(), which TypeScript's narrowing cannot see.
  if ((phase as Phase) === 'content') return missAwareCondition(words, groups, unless);
  const test = anyOf(groups.map(andAll));
  return {
    source: words.map((w) => w.text).join(' '),
    earliestPhase: phase,
    test: unless ? (ctx) => !test(ctx) : test,
  };
}

/**
 * A condition on the client's bytes keeps HAProxy's third answer, ACL_TEST_MISS ("not yet",
 * acl.c): a failed term whose sample may still change sets `ctx.requestMiss`
 * (acl-term.ts), and here neither `!` nor `unless` turns that into a pass — the rule waits for
 * more bytes instead. A pass clears it. Where HAProxy would combine a miss with a pass of
 * another alternative (`A || B`) this waits too, then decides the same with more bytes.
 */
function missAwareCondition(words: readonly Word[], groups: readonly Term[][], unless: boolean): CompiledCondition {
  const keepMiss = groups.map((terms) => terms.map((t): Term => (t.negate ? { negate: false, test: negateUnlessMiss(t.test) } : t)));
  const test = anyOf(keepMiss.map(andAll));
  return {
    source: words.map((w) => w.text).join(' '),
    earliestPhase: 'content',
    test: (ctx) => {
      ctx.requestMiss = false;
      if (test(ctx)) {
        ctx.requestMiss = false;
        return !unless;
      }
      return ctx.requestMiss ? false : unless;
    },
  };
}

function negateUnlessMiss(test: Test): Test {
  return (ctx) => {
    const before = ctx.requestMiss;
    ctx.requestMiss = false;
    if (test(ctx)) {
      ctx.requestMiss = before;
      return false;
    }
    if (ctx.requestMiss) return false;
    ctx.requestMiss = before;
    return true;
  };
}
