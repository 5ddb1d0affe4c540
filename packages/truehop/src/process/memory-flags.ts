// V8 settings that let a truehop process give memory back after a load, decided by
// measurement (docs/reliability.md, "Memory"): a small young generation
// (--max-semi-space-size=1, in MB: V8's default lets each semi-space grow to 16 MB, which a
// proxy's short-lived per-connection objects fill and keep) and --optimize-for-size, under which
// V8's memory reducer runs the collections an idle process otherwise never gets, so the heap
// shrinks within about ten seconds of the load ending instead of staying at its peak.
//
// Workers get them on their command line (robust: V8 reads them before the heap exists). The
// process started by the operator — the single process, or the master — can only set them
// from inside, with v8.setFlagsFromString before anything is allocated in earnest; Node
// documents that as unspecified after start-up, so it is measured, not assumed (the figures in
// docs/reliability.md come from this path too). An operator's own value wins: a flag already in
// NODE_OPTIONS or on node's command line is left alone; TRUEHOP_V8_MEMORY=off turns them off and
// TRUEHOP_V8_MEMORY=size adds --optimize-for-size.
import process from 'node:process';
import v8 from 'node:v8';

/**
 * By default only the small young generation: --optimize-for-size returns memory after a load
 * but cost a quarter of the new connections per CPU-second on a quiet machine
 * (docs/reliability.md, "Memory"), so it is the operator's choice: TRUEHOP_V8_MEMORY=size.
 */
export const MEMORY_V8_FLAGS: readonly string[] = ['--max-semi-space-size=1'];
/** Added by TRUEHOP_V8_MEMORY=size: the memory reducer gives RSS back once a load ends. */
export const SIZE_V8_FLAGS: readonly string[] = ['--optimize-for-size'];

function operatorSet(flag: string): boolean {
  const name = flag.split('=')[0] as string;
  const given = [...process.execArgv, ...(process.env['NODE_OPTIONS'] ?? '').split(/\s+/)];
  return given.some((a) => a === name || a.startsWith(`${name}=`) || a.replace(/_/g, '-').startsWith(name));
}

/** The flags to add to a child node process (a worker). */
export function memoryFlagsForChild(): string[] {
  const mode = process.env['TRUEHOP_V8_MEMORY'];
  if (mode === 'off') return [];
  const flags = mode === 'size' ? [...MEMORY_V8_FLAGS, ...SIZE_V8_FLAGS] : MEMORY_V8_FLAGS;
  return flags.filter((f) => !operatorSet(f));
}

/**
 * From inside, --max-semi-space-size is read too late: V8 sized the young generation when the
 * isolate was made, and it still grows each semi-space to 16 MB under a load (measured on Node
 * 20.20: 32 MB of new space after a burst of allocations with the flag set from inside, 2 MB
 * with it on the command line). The growth factor is read at each growth, so a factor of 1
 * keeps the semi-spaces at their 1 MB start: the same young generation as the command-line flag.
 */
export const IN_PROCESS_SEMI_SPACE_FLAGS: readonly string[] = ['--semi-space-growth-factor=1'];

/** Applies the flags to this process, as early as the first import can. */
export function applyMemoryFlags(): void {
  const flags = memoryFlagsForChild();
  for (const f of flags) v8.setFlagsFromString(f);
  if (flags.includes('--max-semi-space-size=1')) for (const f of IN_PROCESS_SEMI_SPACE_FLAGS) v8.setFlagsFromString(f);
}

applyMemoryFlags();
