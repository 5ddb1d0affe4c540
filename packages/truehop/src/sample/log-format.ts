// CONTRACT STUB — the expression-engine helper replaces the body.
import type { Word } from '../config/source.js';
import type { CompiledLogFormat } from './compiled.js';
import type { CompileEnv } from './compile-env.js';

export function compileLogFormat(word: Word, env: CompileEnv): CompiledLogFormat | undefined {
  env.diagnostics.alert(word.pos, 'NOT_IMPLEMENTED', 'log-format strings are not implemented yet');
  return undefined;
}
