// Splits configuration text into words with HAProxy's rules (configuration manual §2.2 and
// §2.3, tools.c `parse_line`), keeping the position of every word for diagnostics:
//   - words are separated by spaces and tabs; `#` outside quotes starts a comment;
//   - `\` escapes the next character outside single quotes: `\ ` `\#` `\\` `\'` `\"` `\$` are
//     the character itself, `\r` `\n` `\t` control characters, `\xHH` one byte; any other
//     `\c` stays as written (regex back-references `\1` survive); a `\` at the end of a line is
//     a literal backslash: HAProxy has NO line continuation (checked with HAProxy 2.6, and the
//     3.x manual still has none), so each line is one statement;
//   - single quotes: nothing is interpreted inside; double quotes: escapes and environment
//     variables (`$NAME`, `${NAME}`, `${NAME-default}`) are; quotes may be glued to text
//     (`"%{+Q}o %t"' %s'` is one word);
//   - an unterminated quote is an error for that line only.
// It never throws: every problem becomes a diagnostic, so a check run reports all of them.
import type { DiagnosticSink } from '../text/diagnostics.js';
import type { SourcePos, Word } from '../text/source.js';

/** One non-empty logical line: its words, in order. */
export interface ConfigLine {
  readonly words: readonly Word[];
  /** Position of the first word. */
  readonly pos: SourcePos;
}

export type EnvLookup = (name: string) => string | undefined;

/**
 * A line longer than this is rejected: HAProxy reads lines into a fixed buffer (LINESIZE,
 * 2048 bytes) and aborts on longer ones; we are more generous but still bounded, so a
 * corrupt or hostile file cannot make the loader build megabyte-long words.
 */
export const MAX_LINE_CHARS = 65_536;

/** Words a single line may produce (HAProxy: MAX_LINE_ARGS = 64); more is almost surely junk. */
export const MAX_LINE_WORDS = 1024;

const ENV_NAME_START = /[A-Za-z_]/;
const ENV_NAME_CHAR = /[A-Za-z0-9_]/;
const HEX = /^[0-9A-Fa-f]{2}$/;
/** Characters with no meaning to the tokenizer outside quotes. */
const PLAIN = /[^\s'"\\#$]/;

export function tokenizeText(text: string, file: string, env: EnvLookup, sink: DiagnosticSink): ConfigLine[] {
  const out: ConfigLine[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    let raw = lines[i] ?? '';
    if (raw.endsWith('\r')) raw = raw.slice(0, -1);
    const lineNo = i + 1;
    if (raw.length > MAX_LINE_CHARS) {
      sink.alert({ file, line: lineNo, col: 1 }, 'LINE_TOO_LONG', `line is longer than ${MAX_LINE_CHARS} characters`);
      continue;
    }
    const words = tokenizeLine(raw, file, lineNo, env, sink);
    const first = words[0];
    if (first) out.push({ words, pos: first.pos });
  }
  return out;
}

/** Tokenizes one line (without its newline). */
export function tokenizeLine(line: string, file: string, lineNo: number, env: EnvLookup, sink: DiagnosticSink): Word[] {
  const words: Word[] = [];
  let i = 0;
  const n = line.length;
  while (i < n) {
    const c = line[i];
    if (c === ' ' || c === '\t' || c === '\r' || c === '\f' || c === '\v') {
      i++;
      continue;
    }
    if (c === '#') break;
    // Start of a word.
    const startCol = i + 1;
    let text = '';
    let quoted = false;
    let squote = false;
    let dquote = false;
    let broken = false;
    while (i < n) {
      const ch = line[i] as string;
      if (!squote && !dquote && (ch === ' ' || ch === '\t' || ch === '\r' || ch === '\f' || ch === '\v')) break;
      if (!squote && !dquote && ch === '#') break;
      if (ch === "'" && !dquote) {
        squote = !squote;
        quoted = true;
        i++;
        continue;
      }
      if (ch === '"' && !squote) {
        dquote = !dquote;
        quoted = true;
        i++;
        continue;
      }
      if (ch === '\\' && !squote) {
        const next = line[i + 1];
        if (next === undefined) {
          text += '\\';
          i++;
          continue;
        }
        if (next === ' ' || next === '#' || next === '\\' || next === "'" || next === '"' || next === '$' || next === '\t') {
          text += next;
          i += 2;
          continue;
        }
        if (next === 'r') { text += '\r'; i += 2; continue; }
        if (next === 'n') { text += '\n'; i += 2; continue; }
        if (next === 't') { text += '\t'; i += 2; continue; }
        if (next === 'x') {
          const hex = line.slice(i + 2, i + 4);
          if (!HEX.test(hex)) {
            sink.alert({ file, line: lineNo, col: i + 1 }, 'BAD_ESCAPE', 'truncated or invalid hexadecimal sequence after \\x');
            broken = true;
            i += 2;
            continue;
          }
          text += String.fromCharCode(parseInt(hex, 16));
          i += 4;
          continue;
        }
        // Unknown escape: HAProxy keeps both characters (regex back-references rely on it).
        text += '\\' + next;
        i += 2;
        continue;
      }
      if (!squote && !dquote && PLAIN.test(ch)) {
        // Fast path: copy a run of ordinary characters at once instead of one by one.
        let j = i + 1;
        while (j < n && PLAIN.test(line[j] as string)) j++;
        text += line.slice(i, j);
        i = j;
        continue;
      }
      if (ch === '$' && dquote) {
        const expanded = expandEnv(line, i, file, lineNo, env, sink);
        if (expanded?.broken) return [];
        if (expanded) {
          text += expanded.value;
          i = expanded.end;
          continue;
        }
      }
      text += ch;
      i++;
    }
    if (squote || dquote) {
      sink.alert({ file, line: lineNo, col: startCol }, 'UNMATCHED_QUOTE', `unmatched ${squote ? 'single' : 'double'} quote`);
      // The rest of the line belongs to the broken word: report once, drop the line's words.
      return [];
    }
    if (broken) return [];
    if (words.length >= MAX_LINE_WORDS) {
      sink.alert({ file, line: lineNo, col: startCol }, 'TOO_MANY_WORDS', `more than ${MAX_LINE_WORDS} words on one line`);
      return [];
    }
    words.push({ text, pos: { file, line: lineNo, col: startCol }, quoted });
    if (i < n && line[i] === '#') break;
  }
  return words;
}

/**
 * Expands `$NAME`, `${NAME}` or `${NAME-default}` starting at `at` (the `$`), inside double
 * quotes. Returns undefined when the `$` does not start a variable (then it is literal text).
 */
function expandEnv(
  line: string,
  at: number,
  file: string,
  lineNo: number,
  env: EnvLookup,
  sink: DiagnosticSink,
): { value: string; end: number; broken?: true } | undefined {
  const pos = { file, line: lineNo, col: at + 1 };
  const next = line[at + 1];
  if (next === '{') {
    const close = line.indexOf('}', at + 2);
    if (close < 0) {
      sink.alert(pos, 'BAD_ENV_SYNTAX', "missing '}' after '${'");
      return { value: '', end: line.length, broken: true };
    }
    const inner = line.slice(at + 2, close);
    const dash = inner.indexOf('-');
    const name = dash >= 0 ? inner.slice(0, dash) : inner;
    if (!isEnvName(name)) {
      if (name.endsWith('[*]')) {
        sink.alert(pos, 'NOT_SUPPORTED_YET', `'\${${name}}' (splitting a variable into several words) is not supported yet`);
      } else {
        sink.alert(pos, 'BAD_ENV_SYNTAX', `invalid environment variable name '${name}'`);
      }
      return { value: '', end: close + 1, broken: true };
    }
    const value = env(name);
    if (value !== undefined) return { value, end: close + 1 };
    if (dash >= 0) return { value: inner.slice(dash + 1), end: close + 1 };
    // HAProxy silently expands an unset variable to nothing; that hides typos, so say it.
    sink.warning(pos, 'ENV_UNDEFINED', `environment variable '${name}' is not set; it expands to an empty string`);
    return { value: '', end: close + 1 };
  }
  if (next !== undefined && ENV_NAME_START.test(next)) {
    let end = at + 2;
    while (end < line.length && ENV_NAME_CHAR.test(line[end] as string)) end++;
    const name = line.slice(at + 1, end);
    const value = env(name);
    if (value === undefined) {
      sink.warning(pos, 'ENV_UNDEFINED', `environment variable '${name}' is not set; it expands to an empty string`);
      return { value: '', end };
    }
    return { value, end };
  }
  return undefined;
}

function isEnvName(name: string): boolean {
  if (name.length === 0 || !ENV_NAME_START.test(name[0] as string)) return false;
  for (let k = 1; k < name.length; k++) if (!ENV_NAME_CHAR.test(name[k] as string)) return false;
  return true;
}
