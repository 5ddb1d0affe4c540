// Fetch and converter descriptors, and the registry they put themselves in (STYLE.md 6: each
// keyword is declared in the file that implements it; the expression compiler, the validator
// and the generated docs read the same table, like HAProxy's sample_fetch_kw_list).
import type { Phase, SessionContext } from '../model/session.js';
import type { VarRef } from './variables.js';
import type { Sample, StaticType } from './types.js';

/**
 * Argument kinds. `int-or-var`: an integer, or a variable name read at run time (HAProxy lets
 * `bytes`, `add`, … take either); `str-or-var`: a variable name if it looks like one, else text.
 */
export type ArgKind = 'int' | 'str' | 'var' | 'int-or-var' | 'str-or-var';

export interface ArgSpec {
  readonly name: string;
  readonly kind: ArgKind;
  readonly optional?: boolean;
}

export type ArgValue =
  | { readonly kind: 'int'; readonly value: number; readonly text: string }
  | { readonly kind: 'str'; readonly value: string; readonly text: string }
  | { readonly kind: 'var'; readonly ref: VarRef; readonly text: string }
  | { readonly kind: 'none'; readonly text: '' };

/** What a keyword's compile step may report; positions are filled in by the compiler. */
export interface CompileSite {
  /** Problem with the arguments: an alert; the keyword's compile then returns undefined. */
  error(message: string): void;
  warning(message: string): void;
}

export type FetchFn = (ctx: SessionContext) => Sample | undefined;
/**
 * Calls `visit` for every value, in order, until it returns true; returns whether it did.
 * `ctx` is handed back to `visit` so visitors can be built once, at load time.
 */
export type EachFn = (ctx: SessionContext, visit: (sample: Sample, ctx: SessionContext) => boolean) => boolean;

export interface FetchImpl {
  /** First (or only) value: what set-var and log-format use. */
  readonly first: FetchFn;
  /** Multi-valued fetches (fc_pp_tlv): every value, for ACLs (§4.11). */
  readonly each?: EachFn;
}

export interface FetchDescriptor {
  readonly kind: 'fetch';
  readonly name: string;
  /** e.g. `fc_pp_tlv(<id|name>)`. */
  readonly syntax: string;
  readonly summary: string;
  readonly args: readonly ArgSpec[];
  readonly output: StaticType;
  /** First phase where the data exists; earlier use is a config alert. */
  readonly earliestPhase: Phase;
  /** Why the phase restriction exists, for the alert text. */
  readonly phaseReason?: string;
  readonly multiValued?: boolean;
  /** True for truehop's own fetches (not in HAProxy): the docs mark them. */
  readonly truehopOnly?: boolean;
  compile(args: readonly ArgValue[], site: CompileSite): FetchImpl | undefined;
}

export type ConvertFn = (sample: Sample, ctx: SessionContext) => Sample | undefined;

export interface ConverterDescriptor {
  readonly kind: 'converter';
  readonly name: string;
  readonly syntax: string;
  readonly summary: string;
  readonly args: readonly ArgSpec[];
  readonly input: StaticType;
  /** 'same': the output has the input's type (HAProxy SMP_T_SAME). */
  readonly output: StaticType | 'same';
  compile(args: readonly ArgValue[], site: CompileSite): ConvertFn | undefined;
}

const fetches = new Map<string, FetchDescriptor>();
const converters = new Map<string, ConverterDescriptor>();

function checkName(name: string, table: Map<string, unknown>): void {
  // A duplicate would make one implementation silently shadow the other: fail at import time.
  if (table.has(name)) throw new Error(`sample keyword '${name}' registered twice`);
}

export function registerFetches(list: readonly Omit<FetchDescriptor, 'kind'>[]): void {
  for (const d of list) {
    checkName(d.name, fetches);
    fetches.set(d.name, { kind: 'fetch', ...d });
  }
}

export function registerConverters(list: readonly Omit<ConverterDescriptor, 'kind'>[]): void {
  for (const d of list) {
    checkName(d.name, converters);
    converters.set(d.name, { kind: 'converter', ...d });
  }
}

export function findFetch(name: string): FetchDescriptor | undefined {
  return fetches.get(name);
}

export function findConverter(name: string): ConverterDescriptor | undefined {
  return converters.get(name);
}

export function allFetches(): FetchDescriptor[] {
  return [...fetches.values()];
}

export function allConverters(): ConverterDescriptor[] {
  return [...converters.values()];
}

/** A fetch that returns one value computed from the context and no arguments. */
export function simpleFetch(fn: FetchFn): () => FetchImpl {
  const impl: FetchImpl = { first: fn };
  return () => impl;
}
