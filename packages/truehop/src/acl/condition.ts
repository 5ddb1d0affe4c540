// CONTRACT STUB — the expression-engine helper replaces the body. `words` start with `if` or
// `unless` and run to the end of the line: named ACLs, `!`, `||`, `{ anonymous acl }`.
import type { Word } from '../config/source.js';
import type { CompiledCondition } from '../sample/compiled.js';
import type { CompileEnv } from '../sample/compile-env.js';

export function compileCondition(words: readonly Word[], env: CompileEnv): CompiledCondition | undefined {
  const at = words[0]?.pos;
  if (at) env.diagnostics.alert(at, 'NOT_IMPLEMENTED', 'conditions are not implemented yet');
  return undefined;
}
