// CONTRACT STUB — the expression-engine helper replaces the body. `args` are the words after
// `tcp-request`: `connection|session|content <action> [args] [if|unless <cond>]` or
// `inspect-delay <time>`. The phase in `env` is ignored: the rule's own keyword sets it.
import type { Word } from '../config/source.js';
import type { CompiledTcpRule } from '../sample/compiled.js';
import type { CompileEnv } from '../sample/compile-env.js';

export type TcpRequestDirective =
  | { kind: 'rule'; rule: CompiledTcpRule }
  | { kind: 'inspect-delay'; ms: number };

export function compileTcpRequest(args: readonly Word[], env: CompileEnv): TcpRequestDirective | undefined {
  const at = args[0]?.pos;
  if (at) env.diagnostics.alert(at, 'NOT_IMPLEMENTED', 'tcp-request rules are not implemented yet');
  return undefined;
}
