// Run-time readers for converter arguments that may be a constant or a variable name (HAProxy
// lets `bytes`, `add`, `sub`… take `sess.x`): resolved to a closure once, at load time.
import type { SessionContext } from '../../model/session.js';
import { castSample } from '../casts.js';
import type { ArgValue } from '../keyword.js';
import type { Sample } from '../types.js';
import type { VarRef } from '../variables.js';
import { readVar } from '../variables.js';

export type IntReader = (ctx: SessionContext) => number | undefined;
export type StrReader = (ctx: SessionContext) => string | undefined;

type ReadableType = 'int' | 'str';
type ValueOf<T extends ReadableType> = Extract<Sample, { type: T }>['value'];

/** Reads variable `ref` at run time, cast to `type` as HAProxy casts it; undefined if unset or not castable. */
function varReader<T extends ReadableType>(ref: VarRef, type: T): (ctx: SessionContext) => ValueOf<T> | undefined {
  return (ctx) => {
    const s = readVar(ctx, ref);
    const cast = s === undefined ? undefined : castSample(s, type);
    // A successful cast to `type` holds `type`'s value; TypeScript cannot narrow a generic union.
    return cast?.type === type ? (cast.value as ValueOf<T>) : undefined;
  };
}

export function intReader(arg: ArgValue | undefined, fallback?: number): IntReader {
  if (arg === undefined || arg.kind === 'none') return () => fallback;
  if (arg.kind === 'int') {
    const v = arg.value;
    return () => v;
  }
  if (arg.kind === 'var') return varReader(arg.ref, 'int');
  return () => undefined;
}

export function strReader(arg: ArgValue | undefined): StrReader {
  if (arg === undefined || arg.kind === 'none') return () => undefined;
  if (arg.kind === 'str') {
    const v = arg.value;
    return () => v;
  }
  if (arg.kind === 'var') return varReader(arg.ref, 'str');
  const v = String(arg.value);
  return () => v;
}
