// Sample expressions: `fetch[(args)][,converter[(args)]]…`, one configuration word, compiled
// once at load time into a closure chain (HAProxy sample_parse_expr + sample_process). Every
// problem is a diagnostic at the word's position; nothing here throws on user input, and the
// compiled closures never throw either (a failing step means "no sample").
import type { Word } from '../text/source.js';
import type { Phase, SessionContext } from '../model/session.js';
import { PHASE_ORDER } from '../model/session.js';
import { byteStringFromText } from './byte-string.js';
import { canCast, castSample } from './casts.js';
import type { CompiledExpression } from './compiled.js';
import type { CompileEnv } from './compile-env.js';
import type { DiagnosticCode } from '../text/diagnostic-codes.js';
import { suggestion } from '../text/did-you-mean.js';
import { HAPROXY_CONVERTERS, HAPROXY_FETCHES } from '../text/haproxy-names.js';
import { allConverters, allFetches, findConverter, findFetch } from './keyword.js';
import type { ArgSpec, ArgValue, ConvertFn, FetchImpl } from './keyword.js';
import { PHASE_LABEL } from './phase-names.js';
import type { Sample, SampleType, StaticType } from './types.js';
import { parseVarName } from './variables.js';
import './keywords.js';

/** What the ACL engine and log-format need beyond the public contract. */
export interface SampleExpression extends CompiledExpression {
  /** Load-time type, including the pseudo types addr/any (drives the ACL default match). */
  readonly staticType: StaticType;
  readonly fetchName: string;
  /** Name of the last converter, if any (for hints such as hex's upper case). */
  readonly lastConverter: string | undefined;
  /**
   * Every value of the fetch (all occurrences for multi-valued fetches) through the converter
   * chain, in order, until `visit` returns true; the returned test says whether it did. The
   * visitor is bound once, at load time, so the test allocates no closure per evaluation (what
   * ACL terms use on the per-connection path). A visitor that throws counts as no match.
   */
  matchAny(visit: (sample: Sample) => boolean): (ctx: SessionContext) => boolean;
}

export interface CompileExpressionOptions {
  /** Check the fetch against env.phase (false for named ACLs: they are checked where used). */
  readonly checkPhase: boolean;
  /** Column offset inside the word where the expression starts (log-format `%[…]`). */
  readonly columnOffset?: number;
  /** The text to compile when it is a part of the word (log-format). */
  readonly text?: string;
}

/** Number of exceptions the compiled closures caught (should stay 0; property tests assert it). */
export let internalErrorCount = 0;

/** Counts an exception caught by another compiled closure (log-format). */
export function noteInternalError(): void {
  internalErrorCount++;
}

const NAME = /[A-Za-z0-9_.+$-]/;

/** Real HAProxy names: "not supported yet", never "unknown" with a misleading did-you-mean. */
const HAPROXY_FETCH_NAMES: ReadonlySet<string> = new Set(HAPROXY_FETCHES);
const HAPROXY_CONVERTER_NAMES: ReadonlySet<string> = new Set(HAPROXY_CONVERTERS);

interface RawCall {
  name: string;
  at: number;
  args: { text: string; at: number }[] | undefined;
}

/** Splits `name(a,b)` at `i`; quotes and backslashes protect commas and parentheses inside args. */
function readCall(text: string, start: number): { call: RawCall; end: number } | { error: string; at: number } {
  let i = start;
  while (i < text.length && NAME.test(text[i] as string)) i++;
  const name = text.slice(start, i);
  if (name === '') return { error: `expected a keyword name, found '${text.slice(start, start + 10)}'`, at: start };
  if (text[i] !== '(') return { call: { name, at: start, args: undefined }, end: i };
  const args: { text: string; at: number }[] = [];
  let cur = '';
  let argAt = i + 1;
  let quote: string | null = null;
  i++;
  for (;;) {
    if (i >= text.length) return { error: `missing ')' after the arguments of '${name}'`, at: start };
    const c = text[i] as string;
    if (quote !== null) {
      if (c === quote) quote = null;
      else if (c === '\\' && quote === '"' && i + 1 < text.length) cur += text[++i];
      else cur += c;
    } else if (c === '\\' && i + 1 < text.length) {
      cur += text[++i];
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === ',') {
      args.push({ text: cur, at: argAt });
      cur = '';
      argAt = i + 1;
    } else if (c === ')') {
      args.push({ text: cur, at: argAt });
      i++;
      break;
    } else {
      cur += c;
    }
    i++;
  }
  // `kw()` has no arguments — or one empty string where a string is required (`str()` is the
  // empty string in HAProxy 2.6, checked against haproxy); convertArgs decides with the spec.
  return { call: { name, at: start, args }, end: i };
}

const INT_TEXT = /^[+-]?\d+$/;

function convertArgs(
  kind: 'fetch' | 'converter',
  call: RawCall,
  specs: readonly ArgSpec[],
  report: (at: number, message: string) => void,
): ArgValue[] | undefined {
  let given = call.args ?? [];
  if (given.length === 1 && given[0]?.text === '' && !(specs[0]?.kind === 'str' && specs[0].optional !== true)) given = [];
  const required = specs.filter((s) => s.optional !== true).length;
  const label = `${kind} '${call.name}'`;
  if (given.length > specs.length) {
    report(call.at, specs.length === 0 ? `${label} takes no arguments` : `${label} takes at most ${specs.length} argument(s), got ${given.length}`);
    return undefined;
  }
  if (given.length < required) {
    const missing = specs.slice(given.length).filter((s) => s.optional !== true).map((s) => `<${s.name}>`);
    report(call.at, `${label} is missing argument(s) ${missing.join(', ')}`);
    return undefined;
  }
  const out: ArgValue[] = [];
  let ok = true;
  specs.forEach((spec, index) => {
    const raw = given[index];
    if (raw === undefined || (raw.text === '' && (spec.optional === true || spec.kind !== 'str'))) {
      if (raw !== undefined && spec.optional !== true) {
        report(raw.at, `argument ${index + 1} <${spec.name}> of ${label} must not be empty`);
        ok = false;
      }
      out.push({ kind: 'none', text: '' });
      return;
    }
    const text = raw.text;
    const bad = (what: string): void => {
      report(raw.at, `argument ${index + 1} <${spec.name}> of ${label} must be ${what}, got '${text}'`);
      ok = false;
    };
    switch (spec.kind) {
      case 'int': {
        if (!INT_TEXT.test(text) || !Number.isSafeInteger(Number(text))) bad('an integer');
        else out.push({ kind: 'int', value: Number(text), text });
        return;
      }
      case 'str':
        out.push({ kind: 'str', value: byteStringFromText(text), text });
        return;
      case 'var': {
        const ref = parseVarName(text);
        if (ref === undefined) bad('a variable name <scope>.<name> (scopes proc, sess, txn, req, res)');
        else out.push({ kind: 'var', ref, text });
        return;
      }
      case 'int-or-var':
      case 'str-or-var': {
        if (spec.kind === 'int-or-var' && INT_TEXT.test(text)) {
          if (!Number.isSafeInteger(Number(text))) bad('an integer');
          else out.push({ kind: 'int', value: Number(text), text });
          return;
        }
        const ref = parseVarName(text);
        if (ref !== undefined) out.push({ kind: 'var', ref, text });
        else if (spec.kind === 'str-or-var') out.push({ kind: 'str', value: byteStringFromText(text), text });
        else bad('an integer or a variable name <scope>.<name>');
        return;
      }
    }
  });
  return ok ? out : undefined;
}

function runtimeType(t: StaticType): SampleType {
  // The contract's outputType has no pseudo types: addr is reported as ipv4, any as str.
  return t === 'addr' ? 'ipv4' : t === 'any' ? 'str' : t;
}

interface Step {
  readonly input: StaticType;
  readonly convert: ConvertFn;
}

function applySteps(steps: readonly Step[], first: Sample | undefined, ctx: SessionContext): Sample | undefined {
  let s = first;
  for (let i = 0; i < steps.length && s !== undefined; i++) {
    const step = steps[i] as Step;
    if (s.type !== step.input && step.input !== 'any') {
      s = castSample(s, step.input);
      if (s === undefined) return undefined;
    }
    s = step.convert(s, ctx);
  }
  return s;
}

/** The full compiler, used by ACLs and log-format; `compileSampleExpression` is the contract entry. */
export function compileExpression(word: Word, env: CompileEnv, options: CompileExpressionOptions): SampleExpression | undefined {
  const text = options.text ?? word.text;
  const base = options.columnOffset ?? 0;
  let failed = false;
  const report = (at: number, message: string, code: DiagnosticCode = 'BAD_EXPRESSION'): void => {
    env.diagnostics.alert({ ...word.pos, col: word.pos.col + base + at }, code, `${message} in '${text}'`);
    failed = true;
  };
  const warn = (at: number, message: string, code: DiagnosticCode): void => {
    env.diagnostics.warning({ ...word.pos, col: word.pos.col + base + at }, code, `${message} in '${text}'`);
  };

  /**
   * A name neither registry has: "not supported yet" when HAProxy has it (text/haproxy-names.ts),
   * else unknown, with `misplaced` (a fetch where a converter goes, or the reverse) or did-you-mean.
   */
  const unknownName = (kind: 'fetch' | 'converter', name: string, at: number, misplaced: string | undefined): undefined => {
    if ((kind === 'fetch' ? HAPROXY_FETCH_NAMES : HAPROXY_CONVERTER_NAMES).has(name)) {
      report(at, `${kind} '${name}' is an HAProxy ${kind} truehop does not support yet`, 'NOT_SUPPORTED_YET');
    } else {
      const known = kind === 'fetch' ? allFetches().map((f) => f.name) : allConverters().map((c) => c.name);
      report(at, `unknown ${kind} '${name}'${misplaced ?? suggestion(name, known)}`, kind === 'fetch' ? 'UNKNOWN_FETCH' : 'UNKNOWN_CONVERTER');
    }
    return undefined;
  };

  if (text.length === 0) {
    report(0, 'empty sample expression');
    return undefined;
  }
  const head = readCall(text, 0);
  if ('error' in head) {
    report(head.at, head.error);
    return undefined;
  }
  const fetch = findFetch(head.call.name);
  if (fetch === undefined) {
    const misplaced = findConverter(head.call.name) !== undefined ? ` ('${head.call.name}' is a converter: it goes after a fetch and a comma)` : undefined;
    return unknownName('fetch', head.call.name, 0, misplaced);
  }
  if (fetch.args.length > 0 && head.call.args === undefined && fetch.args.some((a) => a.optional !== true)) {
    report(0, `fetch '${fetch.name}' needs arguments: ${fetch.syntax}`, 'BAD_ARGUMENT');
    return undefined;
  }
  const fetchArgs = convertArgs('fetch', head.call, fetch.args, (at, m) => report(at, m, 'BAD_ARGUMENT'));
  if (fetchArgs === undefined) return undefined;
  const fetchImpl: FetchImpl | undefined = fetch.compile(fetchArgs, {
    error: (m) => report(head.call.at, `fetch '${fetch.name}': ${m}`, 'BAD_ARGUMENT'),
    warning: (m) => warn(head.call.at, `fetch '${fetch.name}': ${m}`, 'SAMPLE_WARNING'),
  });
  if (fetchImpl === undefined || failed) return undefined;

  let phase: Phase = fetch.earliestPhase;
  if (options.checkPhase && PHASE_ORDER[fetch.earliestPhase] > PHASE_ORDER[env.phase]) {
    report(0, `fetch '${fetch.name}' is not available in ${PHASE_LABEL[env.phase]}: it needs ${PHASE_LABEL[fetch.earliestPhase]} or later${fetch.phaseReason ? ` (${fetch.phaseReason})` : ''}`, 'FETCH_NOT_AVAILABLE');
    return undefined;
  }

  const steps: Step[] = [];
  let type: StaticType = fetch.output;
  let prevName = `fetch '${fetch.name}'`;
  let lastConverter: string | undefined;
  let i = head.end;
  while (i < text.length) {
    if (text[i] !== ',') {
      report(i, `missing comma after ${prevName} (found '${text.slice(i, i + 10)}')`);
      return undefined;
    }
    while (text[i] === ',') i++;
    if (i >= text.length) {
      warn(i - 1, 'trailing comma ignored', 'SAMPLE_WARNING');
      break;
    }
    const next = readCall(text, i);
    if ('error' in next) {
      report(next.at, next.error);
      return undefined;
    }
    const conv = findConverter(next.call.name);
    if (conv === undefined) {
      const misplaced = findFetch(next.call.name) !== undefined ? ` ('${next.call.name}' is a fetch: only one fetch per expression, converters follow it)` : undefined;
      return unknownName('converter', next.call.name, i, misplaced);
    }
    if (!canCast(type, conv.input)) {
      report(i, `converter '${conv.name}' takes ${conv.input} and cannot be applied to the ${type} output of ${prevName}`, 'CONVERTER_TYPE');
      return undefined;
    }
    if (conv.args.length > 0 && next.call.args === undefined && conv.args.some((a) => a.optional !== true)) {
      report(i, `converter '${conv.name}' needs arguments: ${conv.syntax}`, 'BAD_ARGUMENT');
      return undefined;
    }
    const convArgs = convertArgs('converter', next.call, conv.args, (at, m) => report(at, m, 'BAD_ARGUMENT'));
    if (convArgs === undefined) return undefined;
    const at = i;
    const fn = conv.compile(convArgs, {
      error: (m) => report(at, `converter '${conv.name}': ${m}`, 'BAD_ARGUMENT'),
      warning: (m) => warn(at, `converter '${conv.name}': ${m}`, 'SAMPLE_WARNING'),
    });
    if (fn === undefined || failed) return undefined;
    steps.push({ input: conv.input, convert: fn });
    type = conv.output === 'same' ? (type === conv.input || conv.input === 'any' ? type : conv.input) : conv.output;
    prevName = `converter '${conv.name}'`;
    lastConverter = conv.name;
    i = next.end;
  }
  if (failed) return undefined;
  if (PHASE_ORDER[fetch.earliestPhase] > PHASE_ORDER[phase]) phase = fetch.earliestPhase;

  const first = fetchImpl.first;
  const each = fetchImpl.each;
  const frozenSteps: readonly Step[] = steps;
  const evaluate = frozenSteps.length === 0
    ? (ctx: SessionContext): Sample | undefined => {
      try {
        return first(ctx);
      } catch {
        internalErrorCount++;
        return undefined;
      }
    }
    : (ctx: SessionContext): Sample | undefined => {
      try {
        return applySteps(frozenSteps, first(ctx), ctx);
      } catch {
        internalErrorCount++;
        return undefined;
      }
    };
  // Every entry point is guarded: whatever a visitor or converter does, the data path gets an
  // answer ("no sample" / "no match"), never an exception that would take the process down.
  const matchAny = (visit: (s: Sample) => boolean): ((ctx: SessionContext) => boolean) => {
    if (each === undefined) {
      return (ctx) => {
        const s = evaluate(ctx);
        try {
          return s !== undefined && visit(s);
        } catch {
          internalErrorCount++;
          return false;
        }
      };
    }
    const step = frozenSteps.length === 0
      ? (raw: Sample): boolean => visit(raw)
      : (raw: Sample, ctx: SessionContext): boolean => {
        const s = applySteps(frozenSteps, raw, ctx);
        return s !== undefined && visit(s);
      };
    return (ctx) => {
      try {
        return each(ctx, step);
      } catch {
        internalErrorCount++;
        return false;
      }
    };
  };
  return {
    source: text,
    matchAny,
    outputType: runtimeType(type),
    staticType: type,
    earliestPhase: phase,
    fetchName: fetch.name,
    lastConverter,
    evaluate,
  };
}

export function compileSampleExpression(word: Word, env: CompileEnv): CompiledExpression | undefined {
  return compileExpression(word, env, { checkPhase: true });
}
