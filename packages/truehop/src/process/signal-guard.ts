// Imported first by every truehop entry point (CLI, cluster worker) so that, from the first
// line of JavaScript on, no signal an operator may send by habit kills the process or opens
// a door into it:
// - SIGUSR1: Node starts its inspector on 127.0.0.1:9229 when the process has no SIGUSR1
//   listener, which lets anyone on the host run code inside the proxy. A listener disables
//   that; if a SIGUSR1 arrived before this module ran (a few milliseconds of startup), the
//   inspector is closed again below.
// - SIGHUP, SIGUSR2, SIGQUIT: Node's default is to die (exit 129, 140, core) and cut every
//   live session without a log line.
// - SIGTTIN, SIGTTOU: the default stops (suspends) a background process that touches its
//   terminal; HAProxy uses them to pause and resume listeners.
// Each signal starts as "log and ignore"; the mode that runs (single process, master, worker)
// replaces the action with its meaning (soft stop, reload…) through `onOperatorSignal`.
// SIGTERM and SIGINT are left to their default (exit) until the daemon is up, because before
// that there is nothing to finish gracefully.
import process from 'node:process';
import inspector from 'node:inspector';

export const OPERATOR_SIGNALS = ['SIGHUP', 'SIGUSR1', 'SIGUSR2', 'SIGQUIT', 'SIGTTIN', 'SIGTTOU'] as const;
export type OperatorSignal = (typeof OPERATOR_SIGNALS)[number];

type SignalAction = (signal: OperatorSignal) => void;

function logIgnored(signal: OperatorSignal): void {
  process.stderr.write(`truehop: ${signal} received in process ${process.pid}: ignored\n`);
}

const actions = new Map<OperatorSignal, SignalAction>();

for (const signal of OPERATOR_SIGNALS) {
  process.on(signal, () => (actions.get(signal) ?? logIgnored)(signal));
}
// The window before the listener existed: a SIGUSR1 then would have opened the inspector.
// An inspector the operator asked for (`node --inspect …`) is theirs to keep.
const inspectRequested = [...process.execArgv, ...(process.env['NODE_OPTIONS'] ?? '').split(/\s+/)].some((a) => a.startsWith('--inspect'));
if (!inspectRequested && inspector.url() !== undefined) inspector.close();

/** Gives `signal` its meaning for the current mode; `null` restores "log and ignore". */
export function onOperatorSignal(signal: OperatorSignal, action: SignalAction | null): void {
  if (action === null) actions.delete(signal);
  else actions.set(signal, action);
}
