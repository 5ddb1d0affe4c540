// The descriptor every keyword of the `global` section implements (global-keywords.ts and the
// files of keyword families such as stats-socket.ts), and the builders of the two common
// shapes: one number, one time value.
import type { DiagnosticSink } from '../../../text/diagnostics.js';
import type { Word } from '../../../text/source.js';
import { parseUnsigned } from '../../../text/integer.js';
import { parseTime } from '../../../text/time.js';
import type { KeywordDoc } from '../keyword.js';
import type { GlobalDraft } from '../../draft.js';

export interface GlobalKeyword extends KeywordDoc {
  apply(global: GlobalDraft, args: readonly Word[], kw: Word, sink: DiagnosticSink): void;
}

/** Alerts on an argument past the `n` expected ones; true when there was one. */
export function extraArgument(args: readonly Word[], n: number, kw: Word, sink: DiagnosticSink): boolean {
  const e = args[n];
  if (e) sink.alert(e.pos, 'EXTRA_ARGUMENT', `'${kw.text}' cannot handle unexpected argument '${e.text}'`);
  return e !== undefined;
}

/**
 * A keyword taking exactly one word, handed to `apply` (which alerts on a bad value itself):
 * no word and an extra word are alerts here, once for every keyword of this shape.
 */
export function oneWordKeyword(
  name: string, syntax: string, summary: string, apply: (g: GlobalDraft, v: Word, sink: DiagnosticSink) => void,
): GlobalKeyword {
  return {
    name,
    syntax,
    summary,
    status: 'supported',
    apply(g, args, kw, sink) {
      const v = args[0];
      if (!v) return sink.alert(kw.pos, 'MISSING_ARGUMENT', `'${name}' expects ${syntax} as an argument`);
      if (extraArgument(args, 1, kw, sink)) return;
      apply(g, v, sink);
    },
  };
}

/**
 * A keyword taking exactly one value: `read` turns the word into the value or alerts (and
 * answers undefined); `set` stores it in the draft.
 */
function oneValueKeyword<T>(
  name: string, syntax: string, summary: string,
  read: (v: Word, sink: DiagnosticSink) => T | undefined, set: (g: GlobalDraft, value: T) => void,
): GlobalKeyword {
  return oneWordKeyword(name, syntax, summary, (g, v, sink) => {
    const value = read(v, sink);
    if (value !== undefined) set(g, value);
  });
}

/** A keyword taking one integer in [min, max]; `expects` words the range for the alert. */
export function integerKeyword(
  name: string, summary: string, range: { min: number; max: number; expects: string }, set: (g: GlobalDraft, n: number) => void,
): GlobalKeyword {
  return oneValueKeyword(name, '<number>', summary, (v, sink) => {
    const n = parseUnsigned(v.text, range.max);
    if (n !== undefined && n >= range.min) return n;
    sink.alert(v.pos, 'BAD_NUMBER', `'${name}' expects ${range.expects}, got '${v.text}'`);
    return undefined;
  }, set);
}

/** A keyword taking one HAProxy time value (`10s`, `500ms`); `positive` refuses 0. */
export function timeKeyword(name: string, summary: string, positive: boolean, set: (g: GlobalDraft, ms: number) => void): GlobalKeyword {
  return oneValueKeyword(name, '<time>', summary, (v, sink) => {
    const r = parseTime(v.text);
    if (!r.ok) sink.alert(v.pos, 'BAD_TIME', `'${name}': ${r.reason}`);
    else if (positive && r.ms === 0) sink.alert(v.pos, 'BAD_TIME', `'${name}' expects a time above 0`);
    else return r.ms;
    return undefined;
  }, set);
}
