// Variables `<scope>.<name>` (HAProxy vars.c). Scopes: proc (process-wide), sess (this client
// session), txn/req/res (one stream; truehop's TCP streams live as long as the session). The
// data path owns the storage (SessionContext.vars / procVars); this module names and reaches it.
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

export function looksLikeVarName(text: string): boolean {
  return VAR_NAME.test(text);
}

export function readVar(ctx: SessionContext, ref: VarRef): Sample | undefined {
  return ref.scope === 'proc' ? ctx.procVars.get(ref.key) : ctx.vars.get(ref.key);
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
  else ctx.vars.set(ref.key, stored);
}

export function clearVar(ctx: SessionContext, ref: VarRef): void {
  if (ref.scope === 'proc') ctx.procVars.delete(ref.key);
  else ctx.vars.delete(ref.key);
}
