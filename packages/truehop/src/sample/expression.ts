// CONTRACT STUB — the expression-engine helper replaces the body; the signature is what the
// configuration loader calls. A sample expression is one config word: `fetch(args)[,conv(args)]…`.
import type { Word } from '../config/source.js';
import type { CompiledExpression } from './compiled.js';
import type { CompileEnv } from './compile-env.js';

export function compileSampleExpression(word: Word, env: CompileEnv): CompiledExpression | undefined {
  env.diagnostics.alert(word.pos, 'NOT_IMPLEMENTED', `sample expressions are not implemented yet: '${word.text}'`);
  return undefined;
}
