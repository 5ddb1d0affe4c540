// Run-time readers for converter arguments that may be a constant or a variable name (HAProxy
// lets `bytes`, `add`, `sub`… take `sess.x`): resolved to a closure once, at load time.
import type { SessionContext } from '../../model/session.js';
import { castSample } from '../casts.js';
import type { ArgValue } from '../keyword.js';
import { readVar } from '../variables.js';

export type IntReader = (ctx: SessionContext) => number | undefined;
export type StrReader = (ctx: SessionContext) => string | undefined;

export function intReader(arg: ArgValue | undefined, fallback?: number): IntReader {
  if (arg === undefined || arg.kind === 'none') return () => fallback;
  if (arg.kind === 'int') {
    const v = arg.value;
    return () => v;
  }
  if (arg.kind === 'var') {
    const ref = arg.ref;
    return (ctx) => {
      const s = readVar(ctx, ref);
      const n = s === undefined ? undefined : castSample(s, 'int');
      return n?.type === 'int' ? n.value : undefined;
    };
  }
  return () => undefined;
}

export function strReader(arg: ArgValue | undefined): StrReader {
  if (arg === undefined || arg.kind === 'none') return () => undefined;
  if (arg.kind === 'str') {
    const v = arg.value;
    return () => v;
  }
  if (arg.kind === 'var') {
    const ref = arg.ref;
    return (ctx) => {
      const s = readVar(ctx, ref);
      const str = s === undefined ? undefined : castSample(s, 'str');
      return str?.type === 'str' ? str.value : undefined;
    };
  }
  const v = String(arg.value);
  return () => v;
}
