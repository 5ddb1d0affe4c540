// One ACL test: `<expr> [flags] [operator] [patterns…]`, the body of `acl <name> …` and of an
// anonymous `{ … }` (HAProxy acl.c parse_acl_expr). Compiled into one closure that walks every
// value of the expression (all TLV occurrences for fc_pp_tlv) and stops at the first match.
import type { Word } from '../text/source.js';
import type { Phase, SessionContext } from '../model/session.js';
import type { CompileEnv } from '../sample/compile-env.js';
import { suggestion } from '../text/did-you-mean.js';
import { compileExpression } from '../sample/expression.js';
import type { Sample } from '../sample/types.js';
import {
  compileMatcher,
  defaultMethod,
  isIntOperator,
  MATCH_METHODS,
  METHOD_TAKES_PATTERNS,
  methodAllowsOperators,
  methodInput,
} from './match-methods.js';
import type { IntOperator, MatchMethodName } from './match-methods.js';
import { castSample } from '../sample/casts.js';

export interface AclTerm {
  readonly source: string;
  readonly earliestPhase: Phase;
  test: (ctx: SessionContext) => boolean;
}

const FLAGS_HELP = "valid flags: -i -n -m <method> -f <file> -M -u <id> --; write '--' before a pattern that starts with '-'";

/** Pattern-file lines (HAProxy pat_ref_read_from_file): '#' comments, empty lines skipped, leading blanks stripped. */
function patternFileLines(content: string): string[] {
  const out: string[] = [];
  for (const raw of content.split('\n')) {
    if (raw.startsWith('#')) continue;
    const line = raw.replace(/\r$/, '').replace(/^[ \t]+/, '');
    if (line.length > 0) out.push(line);
  }
  return out;
}

/**
 * Compiles an ACL body. `checkPhase`: anonymous ACLs are checked against env.phase here;
 * named ones where a condition uses them. Returns undefined after reporting alerts.
 */
export function compileAclTerm(words: readonly Word[], env: CompileEnv, checkPhase: boolean): AclTerm | undefined {
  const exprWord = words[0];
  if (exprWord === undefined) return undefined;
  const expr = compileExpression(exprWord, env, { checkPhase });
  if (expr === undefined) return undefined;

  let method: MatchMethodName | undefined;
  let ignoreCase = false;
  const patterns: { text: string; word: Word }[] = [];
  let ok = true;
  let i = 1;
  // Flags, until the first word that does not start with '-' or after '--'.
  while (i < words.length) {
    const w = words[i] as Word;
    const t = w.text;
    if (!t.startsWith('-') || w.quoted) break;
    i++;
    if (t === '--') break;
    if (t === '-i') ignoreCase = true;
    else if (t === '-n') { /* never resolve host names: truehop never does anyway */ }
    else if (t === '-m') {
      const m = words[i];
      i++;
      if (m === undefined) {
        env.diagnostics.alert(w.pos, 'BAD_ACL', "'-m' needs a match method");
        return undefined;
      }
      if (!(MATCH_METHODS as readonly string[]).includes(m.text)) {
        env.diagnostics.alert(m.pos, 'BAD_ACL', `unknown match method '${m.text}'${suggestion(m.text, MATCH_METHODS)}; methods: ${MATCH_METHODS.join(' ')}`);
        return undefined;
      }
      method = m.text as MatchMethodName;
    } else if (t === '-f') {
      const f = words[i];
      i++;
      if (f === undefined) {
        env.diagnostics.alert(w.pos, 'BAD_ACL', "'-f' needs a file name");
        return undefined;
      }
      const content = env.readPatternFile(f.text, f.pos);
      if (content === undefined) ok = false;
      else for (const line of patternFileLines(content)) patterns.push({ text: line, word: f });
    } else if (t === '-M') {
      env.diagnostics.warning(w.pos, 'ACL_FLAG_IGNORED', "'-M' (load -f files as maps) has no effect on an ACL; ignored");
    } else if (t === '-u') {
      const id = words[i];
      i++;
      env.diagnostics.warning(id?.pos ?? w.pos, 'ACL_FLAG_IGNORED', "'-u <id>' (pattern reference ids for the CLI) is not supported yet; ignored");
    } else {
      env.diagnostics.alert(w.pos, 'BAD_ACL', `'${t}' is not a valid ACL flag (${FLAGS_HELP})`);
      return undefined;
    }
  }

  // req.ssl_ver's ACL patterns are dotted versions (3.1, 3.0:3.3), as HAProxy's
  // pat_parse_dotted_ver reads them; compared as the fetch's major << 16 | minor integers.
  const dottedVersions = method === undefined && DOTTED_VERSION_FETCHES.has(expr.source);
  if (method === undefined) {
    method = defaultMethod(expr.staticType);
    if (method === undefined) {
      env.diagnostics.alert(exprWord.pos, 'ACL_MATCH_METHOD_REQUIRED',
        `'${expr.source}' returns ${expr.staticType === 'bin' ? 'binary data' : 'a value of any type'}: the matching method must be given with '-m' `
        + "(e.g. '-m bin 01' to compare bytes written in hex, '-m str', '-m len gt 0', or '-m found'), as HAProxy requires");
      return undefined;
    }
  }

  let operator: IntOperator | undefined;
  const first = words[i];
  if (first !== undefined && !first.quoted && isIntOperator(first.text)) {
    if (methodAllowsOperators(method)) {
      operator = first.text;
      i++;
      if (i >= words.length) {
        env.diagnostics.alert(first.pos, 'BAD_ACL', `operator '${first.text}' needs a value`);
        return undefined;
      }
    } else {
      const rest = words.slice(i).map((w) => `'${w.text}'`).join(' or ');
      env.diagnostics.warning(first.pos, 'ACL_OPERATOR_AS_PATTERN',
        `'${first.text}' is a ${method} pattern here, not an operator: operators (eq ge gt le lt) only exist for `
        + `integer matching, and '${expr.source}' matches with '-m ${method}'. This ACL is true when the value equals ${rest} `
        + `(HAProxy behaves the same). For a numeric test write '-m int ${first.text} <n>'; otherwise drop '${first.text}'`);
    }
  }
  for (; i < words.length; i++) {
    const w = words[i] as Word;
    if (!dottedVersions) {
      patterns.push({ text: w.text, word: w });
      continue;
    }
    const text = dottedVersionPattern(w.text);
    if (text === undefined) {
      env.diagnostics.alert(w.pos, 'BAD_PATTERN', `'${w.text}' is not a version: write <major>.<minor> (e.g. 3.3), or a range 3.1:3.3 (majors below 65536)`);
      ok = false;
    } else patterns.push({ text, word: w });
  }
  if (!ok) return undefined;

  if (!METHOD_TAKES_PATTERNS[method] && patterns.length > 0) {
    env.diagnostics.warning(patterns[0]?.word.pos ?? exprWord.pos, 'ACL_PATTERN_IGNORED',
      `match method '${method}' takes no pattern; ${patterns.length} pattern(s) ignored`);
    patterns.length = 0;
  }
  if (METHOD_TAKES_PATTERNS[method] && patterns.length === 0) {
    env.diagnostics.warning(exprWord.pos, 'ACL_NO_PATTERN', `ACL on '${expr.source}' has no pattern: it never matches`);
  }
  if (method === 'str' && !ignoreCase && expr.lastConverter === 'hex') {
    const lower = patterns.find((p) => /[a-f]/.test(p.text) && /^[0-9a-fA-F]*$/.test(p.text));
    if (lower !== undefined) {
      env.diagnostics.warning(lower.word.pos, 'ACL_HEX_CASE',
        `'hex' produces upper-case digits and string matching is case-sensitive: pattern '${lower.text}' can never match; write '${lower.text.toUpperCase()}' or add '-i'`);
    }
  }

  const { matcher, errors } = compileMatcher({ method, ignoreCase, operator, patterns: patterns.map((p) => p.text) });
  for (const e of errors) {
    const at = patterns[e.index]?.word.pos ?? exprWord.pos;
    env.diagnostics.alert(at, 'BAD_PATTERN', e.message);
  }
  if (errors.length > 0) return undefined;

  const input = methodInput(method);
  const visit = input === 'any'
    ? matcher
    : (s: Sample): boolean => {
      const cast = s.type === input ? s : castSample(s, input);
      return cast !== undefined && matcher(cast);
    };
  const source = words.map((w) => w.text).join(' ');
  return {
    source,
    earliestPhase: expr.earliestPhase,
    test: expr.earliestPhase === 'content' ? missAware(expr.matchAny(visit)) : expr.matchAny(visit),
  };
}

/**
 * HAProxy's ACL_TEST_MISS for tests on the client's bytes (fetches of `tcp-request content`):
 * a test that fails on an answer that may still change marks the context, so the rule that
 * runs it waits for more bytes (up to inspect-delay) instead of deciding now.
 */
function missAware(test: (ctx: SessionContext) => boolean): (ctx: SessionContext) => boolean {
  return (ctx) => {
    ctx.requestMayChange = false;
    const passed = test(ctx);
    if (!passed && ctx.requestMayChange) ctx.requestMiss = true;
    return passed;
  };
}

const DOTTED_VERSION_FETCHES: ReadonlySet<string> = new Set(['req.ssl_ver', 'req_ssl_ver']);

/** `3.3` → `196611`, `3.1:3.3` → `196609:196611` (HAProxy strl2llrc_dotted); undefined if not one. */
function dottedVersionPattern(text: string): string | undefined {
  const one = (v: string): string | undefined => {
    if (v === '') return '';
    const m = /^(\d+)(?:\.(\d+))?$/.exec(v);
    if (m === null) return undefined;
    const major = Number(m[1]);
    const minor = Number(m[2] ?? 0);
    if (major >= 65536 || minor >= 65536) return undefined;
    return String(major * 65536 + minor);
  };
  const parts = text.split(/[:-]/);
  if (parts.length > 2 || text === '') return undefined;
  const converted = parts.map(one);
  if (converted.some((c) => c === undefined)) return undefined;
  return converted.join(':');
}
