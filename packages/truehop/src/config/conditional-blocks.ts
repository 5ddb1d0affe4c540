// HAProxy's conditional blocks (manual §2.4, since 2.4): `.if <cond>`, `.elif`, `.else`,
// `.endif`, and the `.notice`/`.warning`/`.alert`/`.diag` messages. Conditions support
// integers (0 is false), defined(<var>), streq/strneq/strstr(<a>,<b>), feature(<name>)
// (always false: truehop has none of HAProxy's build features), `!`, `&&`, `||` and
// parentheses. version_atleast/version_before have no meaning for truehop and are reported.
// Blocks must be closed in the file that opens them, as in HAProxy.
import type { DiagnosticSink } from '../text/diagnostics.js';
import type { SourcePos } from '../text/source.js';
import type { ConfigLine, EnvLookup } from './tokenize.js';

interface Frame {
  pos: SourcePos;
  /** Lines in the current branch are kept. */
  active: boolean;
  /** A branch of this block was already taken. */
  taken: boolean;
  parentActive: boolean;
  sawElse: boolean;
}

/** Nested .if blocks deeper than this are rejected (HAProxy: MAXNESTEDCONDS = 128). */
export const MAX_NESTED_CONDITIONS = 128;

export function filterConditionalBlocks(lines: readonly ConfigLine[], file: string, env: EnvLookup, sink: DiagnosticSink): ConfigLine[] {
  const out: ConfigLine[] = [];
  const stack: Frame[] = [];
  const active = (): boolean => stack.length === 0 || (stack[stack.length - 1] as Frame).active;
  for (const line of lines) {
    const first = line.words[0];
    if (!first || first.quoted || !first.text.startsWith('.')) {
      if (active()) out.push(line);
      continue;
    }
    const rest = line.words.slice(1).map((w) => w.text).join(' ');
    const top = stack[stack.length - 1];
    switch (first.text) {
      case '.if': {
        if (stack.length >= MAX_NESTED_CONDITIONS) {
          sink.alert(first.pos, 'BAD_CONDITION', `too many nested '.if' blocks (max ${MAX_NESTED_CONDITIONS})`);
          return out;
        }
        const parentActive = active();
        const value = parentActive ? evaluate(rest, first.pos, env, sink) : false;
        stack.push({ pos: first.pos, active: parentActive && value, taken: value, parentActive, sawElse: false });
        break;
      }
      case '.elif': {
        if (!top || top.sawElse) {
          sink.alert(first.pos, 'BAD_CONDITION', top ? "'.elif' after '.else'" : "'.elif' without '.if'");
          break;
        }
        const value = top.parentActive && !top.taken ? evaluate(rest, first.pos, env, sink) : false;
        top.active = top.parentActive && !top.taken && value;
        top.taken ||= value;
        break;
      }
      case '.else': {
        if (!top || top.sawElse) {
          sink.alert(first.pos, 'BAD_CONDITION', top ? "'.else' after '.else'" : "'.else' without '.if'");
          break;
        }
        top.sawElse = true;
        top.active = top.parentActive && !top.taken;
        top.taken = true;
        break;
      }
      case '.endif':
        if (!top) sink.alert(first.pos, 'BAD_CONDITION', "'.endif' without '.if'");
        else stack.pop();
        break;
      case '.alert':
        if (active()) sink.alert(first.pos, 'CONFIG_ALERT', rest);
        break;
      case '.warning':
        if (active()) sink.warning(first.pos, 'CONFIG_WARNING', rest);
        break;
      case '.notice':
      case '.diag':
        break; // informational only; truehop has no notice level in check output
      default:
        if (active()) sink.alert(first.pos, 'UNKNOWN_KEYWORD', `unknown directive '${first.text}' (expected .if, .elif, .else, .endif, .notice, .warning, .alert, .diag)`);
    }
  }
  for (const f of stack) sink.alert(f.pos, 'BAD_CONDITION', `'.if' block opened here is not closed by '.endif' before the end of ${file}`);
  return out;
}

/** Evaluates a condition string; reports and returns false on errors. */
export function evaluate(text: string, pos: SourcePos, env: EnvLookup, sink: DiagnosticSink): boolean {
  const p = new ConditionParser(text, env);
  try {
    const v = p.parseOr();
    p.skipSpaces();
    if (!p.done()) throw new Error(`unexpected '${p.remaining()}'`);
    return v;
  } catch (err) {
    sink.alert(pos, 'BAD_CONDITION', `invalid condition '${text}': ${(err as Error).message}`);
    return false;
  }
}

class ConditionParser {
  private i = 0;
  private depth = 0;
  constructor(private readonly s: string, private readonly env: EnvLookup) {}

  done(): boolean { return this.i >= this.s.length; }
  remaining(): string { return this.s.slice(this.i); }
  skipSpaces(): void { while (this.s[this.i] === ' ') this.i++; }

  parseOr(): boolean {
    let v = this.parseAnd();
    for (;;) {
      this.skipSpaces();
      if (!this.s.startsWith('||', this.i)) return v;
      this.i += 2;
      const r = this.parseAnd();
      v = v || r;
    }
  }

  private parseAnd(): boolean {
    let v = this.parseUnary();
    for (;;) {
      this.skipSpaces();
      if (!this.s.startsWith('&&', this.i)) return v;
      this.i += 2;
      const r = this.parseUnary();
      v = v && r;
    }
  }

  private parseUnary(): boolean {
    this.skipSpaces();
    if (this.s[this.i] === '!') {
      this.i++;
      return !this.parseUnary();
    }
    if (this.s[this.i] === '(') {
      // Bounded recursion: a hostile condition cannot blow the stack.
      if (++this.depth > MAX_NESTED_CONDITIONS) throw new Error('too deeply nested');
      this.i++;
      const v = this.parseOr();
      this.skipSpaces();
      if (this.s[this.i] !== ')') throw new Error("missing ')'");
      this.i++;
      this.depth--;
      return v;
    }
    return this.parseTerm();
  }

  private parseTerm(): boolean {
    const m = /^(-?[0-9]+)|^([a-z_]+)\(([^)]*)\)/.exec(this.s.slice(this.i));
    if (!m) throw new Error(`expected a number or a predicate at '${this.remaining() || 'end'}'`);
    this.i += m[0].length;
    if (m[1] !== undefined) return Number(m[1]) !== 0;
    const fn = m[2] as string;
    const args = (m[3] as string).split(',');
    const a = args[0] ?? '';
    const b = args[1] ?? '';
    switch (fn) {
      case 'defined': return this.env(a) !== undefined;
      case 'streq': return a === b;
      case 'strneq': return a !== b;
      case 'strstr': return a.includes(b);
      case 'feature': return false;
      case 'version_atleast':
      case 'version_before':
      case 'enabled':
        throw new Error(`'${fn}()' is not supported by truehop`);
      default:
        throw new Error(`unknown predicate '${fn}()'`);
    }
  }
}
