// `acl <name> <expr> [flags] [operator] [patterns…]` (HAProxy acl.c). A second line with the
// same name extends the first: the ACL is true when any of its lines is (OR), as in HAProxy.
import type { Word } from '../text/source.js';
import { PHASE_ORDER } from '../model/session.js';
import type { CompileEnv, NamedAcl } from '../sample/compile-env.js';
import { compileAclTerm } from './acl-term.js';
import { PREDEFINED_ACLS } from './predefined.js';

const ACL_NAME = /^[A-Za-z0-9_.:-]+$/;

export function defineAcl(args: readonly Word[], env: CompileEnv, previous?: NamedAcl): NamedAcl | undefined {
  const nameWord = args[0];
  if (nameWord === undefined) return undefined;
  const name = nameWord.text;
  if (!ACL_NAME.test(name)) {
    env.diagnostics.alert(nameWord.pos, 'BAD_ACL', `'${name}' is not a valid ACL name (letters, digits, '-', '_', '.', ':')`);
    return undefined;
  }
  if (PREDEFINED_ACLS.has(name)) {
    env.diagnostics.warning(nameWord.pos, 'ACL_SHADOWS_PREDEFINED', `ACL '${name}' hides the predefined ACL of the same name`);
  }
  if (args.length < 2) {
    env.diagnostics.alert(nameWord.pos, 'BAD_ACL', `ACL '${name}' has no sample expression: acl <name> <expr> [flags] [operator] [patterns]`);
    return undefined;
  }
  const term = compileAclTerm(args.slice(1), env, false);
  if (term === undefined) return undefined;
  if (previous === undefined) {
    return { name, pos: nameWord.pos, earliestPhase: term.earliestPhase, test: term.test };
  }
  const before = previous.test;
  const now = term.test;
  return {
    name,
    pos: previous.pos,
    earliestPhase: PHASE_ORDER[term.earliestPhase] > PHASE_ORDER[previous.earliestPhase] ? term.earliestPhase : previous.earliestPhase,
    test: (ctx) => before(ctx) || now(ctx),
  };
}
