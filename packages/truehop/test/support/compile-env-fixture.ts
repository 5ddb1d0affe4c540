// A CompileEnv that collects diagnostics in memory, for tests, benchmarks and tools that
// compile expressions without the configuration loader.
import { Diagnostics } from '../../src/text/diagnostics.js';
import type { SourcePos, Word } from '../../src/text/source.js';
import type { Phase } from '../../src/model/session.js';
import type { CompileEnv, NamedAcl } from '../../src/sample/compile-env.js';
import type { CompiledTcpRule } from '../../src/sample/compiled.js';
import { compileTcpRequest, isTcpRuleSetWord } from '../../src/rules/tcp-request.js';

export interface CollectingEnv extends CompileEnv {
  readonly diagnostics: Diagnostics;
  readonly acls: Map<string, NamedAcl>;
  readonly files: Map<string, string>;
}

export function createCompileEnv(phase: Phase = 'content', proxyName = 'fe_main'): CollectingEnv {
  const acls = new Map<string, NamedAcl>();
  const files = new Map<string, string>();
  const diagnostics = new Diagnostics();
  return {
    diagnostics,
    proxyName,
    phase,
    acls,
    files,
    lookupAcl: (name) => acls.get(name),
    aclNames: () => acls.keys(),
    readPatternFile(path: string, pos: SourcePos): string | undefined {
      const content = files.get(path);
      if (content === undefined) diagnostics.alert(pos, 'FILE_UNREADABLE', `cannot read pattern file '${path}'`);
      return content;
    },
  };
}

/** Splits a config line into words the simple way (spaces; no quotes), with 1-based columns. */
export function words(line: string, lineNo = 1, file = 'test.cfg'): Word[] {
  const out: Word[] = [];
  const re = /\S+/g;
  for (let m = re.exec(line); m !== null; m = re.exec(line)) {
    out.push({ text: m[0], pos: { file, line: lineNo, col: m.index + 1 }, quoted: false });
  }
  return out;
}

/**
 * Compiles `<rule set> <action> …` (a `tcp-request` line without its keyword) as the loader
 * does once the keyword has checked the rule set; a line whose rule set is wrong is a test bug.
 */
export function compileTcpRuleLine(line: string | readonly Word[], env: CompileEnv): CompiledTcpRule | undefined {
  const [ruleSet, ...args] = typeof line === 'string' ? words(line) : line;
  if (ruleSet === undefined || !isTcpRuleSetWord(ruleSet)) throw new Error(`not a tcp-request rule set: ${JSON.stringify(ruleSet?.text)}`);
  return compileTcpRequest(ruleSet, args, env);
}

export function word(text: string): Word {
  return { text, pos: { file: 'test.cfg', line: 1, col: 1 }, quoted: false };
}
