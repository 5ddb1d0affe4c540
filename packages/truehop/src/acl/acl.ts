// CONTRACT STUB — the expression-engine helper replaces the body. `args` are the words after
// `acl`: `<name> <expr> [flags] [operator] [patterns…]`. A second line with the same name
// extends `previous` (OR), as in HAProxy.
import type { Word } from '../config/source.js';
import type { CompileEnv, NamedAcl } from '../sample/compile-env.js';

export function defineAcl(args: readonly Word[], env: CompileEnv, previous?: NamedAcl): NamedAcl | undefined {
  void previous;
  const at = args[0]?.pos;
  if (at) env.diagnostics.alert(at, 'NOT_IMPLEMENTED', 'ACLs are not implemented yet');
  return undefined;
}
