// Variables `<scope>.<name>` (HAProxy vars.c). Scopes: proc (process-wide), sess (this client
// session), txn/req/res (one stream; truehop's TCP streams live as long as the session). The
// data path owns the storage (SessionContext.vars / procVars); this module names and reaches it.
import { Buffer } from 'node:buffer';
import type { Phase, SessionContext } from '../model/session.js';
import type { Sample } from './types.js';

export type VarScope = 'proc' | 'sess' | 'txn' | 'req' | 'res';

export interface VarRef {
  readonly scope: VarScope;
  /** Full name with scope, e.g. `sess.azure_vpcid`: the storage key. */
  readonly key: string;
}

const VAR_NAME = /^(proc|sess|txn|req|res)\.([A-Za-z0-9._]+)$/;

/**
 * Earliest phase where a scope exists: txn/req/res belong to a stream, which HAProxy creates
 * after `tcp-request session` rules; using them earlier is a config error there too.
 */
export const VAR_SCOPE_PHASE: Readonly<Record<VarScope, Phase>> = {
  proc: 'connection',
  sess: 'connection',
  txn: 'content',
  req: 'content',
  res: 'content',
};

export function parseVarName(text: string): VarRef | undefined {
  const m = VAR_NAME.exec(text);
  if (m === null) return undefined;
  return { scope: m[1] as VarScope, key: text };
}

export function readVar(ctx: SessionContext, ref: VarRef): Sample | undefined {
  return ref.scope === 'proc' ? ctx.procVars.get(ref.key) : ctx.vars?.get(ref.key);
}

/**
 * Stores a copy of binary values: a sample may be a view into the socket buffer that held the
 * PROXY header, and a variable outlives that buffer (STYLE.md: copy only what must outlive).
 */
export function writeVar(ctx: SessionContext, ref: VarRef, sample: Sample): void {
  let stored: Sample = sample;
  if (sample.type === 'bin') stored = { type: 'bin', value: Buffer.from(sample.value) };
  // A string's `raw` view would keep the whole socket buffer alive: keep the string only.
  else if (sample.type === 'str' && sample.raw !== undefined) stored = { type: 'str', value: sample.value };
  if (ref.scope === 'proc') ctx.procVars.set(ref.key, stored);
  else (ctx.vars ??= new Map()).set(ref.key, stored);
}

export function clearVar(ctx: SessionContext, ref: VarRef): void {
  if (ref.scope === 'proc') ctx.procVars.delete(ref.key);
  else ctx.vars?.delete(ref.key);
}

/** `set-var(<name>,<cond>…)` conditions (HAProxy 2.9+, vars.c var_set). */
export const SET_VAR_CONDITIONS = ['ifexists', 'ifnotexists', 'ifempty', 'ifnotempty', 'ifset', 'ifnotset', 'ifgt', 'iflt'] as const;
export type SetVarCondition = (typeof SET_VAR_CONDITIONS)[number];

export function isSetVarCondition(word: string): word is SetVarCondition {
  return (SET_VAR_CONDITIONS as readonly string[]).includes(word);
}

/**
 * Whether `set-var(<name>,<conds>)` stores `sample`, with HAProxy's rules: proc variables
 * named in the configuration always exist (they are created at load time), others exist once
 * set; "set" means holding a value; ifempty/ifnotempty look at the NEW value (a scalar is never
 * empty, so ifempty refuses it); ifgt/iflt compare the existing integer with the new one and
 * only apply when both are integers.
 */
export function setVarAllowed(ctx: SessionContext, ref: VarRef, sample: Sample, conds: readonly SetVarCondition[]): boolean {
  if (conds.length === 0) return true;
  const current = readVar(ctx, ref);
  const exists = ref.scope === 'proc' || current !== undefined;
  for (const cond of conds) {
    switch (cond) {
      case 'ifexists': if (!exists) return false; break;
      case 'ifnotexists': if (exists) return false; break;
      case 'ifset': if (current === undefined) return false; break;
      case 'ifnotset': if (current !== undefined) return false; break;
      case 'ifempty':
        if (sample.type !== 'str' && sample.type !== 'bin') return false;
        if (sample.value.length !== 0) return false;
        break;
      case 'ifnotempty':
        if ((sample.type === 'str' || sample.type === 'bin') && sample.value.length === 0) return false;
        break;
      case 'ifgt':
        if (current?.type === 'int' && sample.type === 'int' && !(current.value > sample.value)) return false;
        break;
      case 'iflt':
        if (current?.type === 'int' && sample.type === 'int' && !(current.value < sample.value)) return false;
        break;
    }
  }
  return true;
}
