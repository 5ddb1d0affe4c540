// Fault injection, for tests only: makes the data path throw inside a session at a chosen phase,
// so the internal-error guard (internal-error.ts) can be proven end to end on the real daemon.
//
//   TRUEHOP_FAULT_INJECT=<phase>[@<frontend>][,<phase>[@<frontend>]…]
//   phase: request (before the backend is chosen), connect (the server connection just came
//   up, before the PROXY header is written), data (a server read while forwarding), end (the
//   session's end, before its log line: an exception in the end path itself)
//
// Without `@<frontend>` every session of that phase fails. Read once when the module loads; when
// the variable is unset each phase costs one comparison of a module constant with null.
// Operators have no use for it: it exists to prove that a bug ends one session, not the process.
import process from 'node:process';

export const FAULT_INJECT_ENV = 'TRUEHOP_FAULT_INJECT';

export const FAULT_PHASES = ['request', 'connect', 'data', 'end'] as const;
export type FaultPhase = (typeof FAULT_PHASES)[number];

/** Frontends whose sessions fail in one phase; `ALL_FRONTENDS` when the spec named none. */
export type FaultTargets = ReadonlySet<string>;
const ALL_FRONTENDS = '*';

/** The error injected faults throw (a plain Error: the guard must not treat it specially). */
export class InjectedFault extends Error {
  override readonly name = 'InjectedFault';
}

/** Parses the variable's value: per phase, the frontends that fail (null: that phase never does). */
export function parseFaultSpec(spec: string | undefined): Record<FaultPhase, FaultTargets | null> {
  const out: Record<FaultPhase, Set<string> | null> = { request: null, connect: null, data: null, end: null };
  if (spec === undefined || spec.trim() === '') return out;
  for (const item of spec.split(',')) {
    const [phase = '', frontend] = item.trim().split('@');
    if (!(FAULT_PHASES as readonly string[]).includes(phase)) {
      throw new Error(`${FAULT_INJECT_ENV}: '${item}' does not start with one of ${FAULT_PHASES.join(', ')}`);
    }
    (out[phase as FaultPhase] ??= new Set()).add(frontend === undefined || frontend === '' ? ALL_FRONTENDS : frontend);
  }
  return out;
}

const PLAN = parseFaultSpec(process.env[FAULT_INJECT_ENV]);
export const FAULT_AT_REQUEST = PLAN.request;
export const FAULT_AT_CONNECT = PLAN.connect;
export const FAULT_AT_DATA = PLAN.data;
export const FAULT_AT_END = PLAN.end;

/** Throws when `targets` names `frontend` (or every frontend). Called only when `targets` is not null. */
export function injectFault(targets: FaultTargets, phase: FaultPhase, frontend: string): void {
  if (targets.has(frontend) || targets.has(ALL_FRONTENDS)) {
    throw new InjectedFault(`fault injected by ${FAULT_INJECT_ENV} in the ${phase} phase of a session of frontend ${frontend}`);
  }
}
