// Memory back after a load, at no cost under load: once the data path has gone quiet (no
// session started or ended for QUIET_MS) and RSS stands above its floor, run one full collection.
// Why it is needed: V8 collects when allocation asks for it, so a process that goes idle after
// a load keeps the heap of its peak for good (its memory reducer, which would shrink it, runs
// only under --optimize-for-size or on idle notifications Node never sends); and
// --optimize-for-size itself cost a quarter of the new connections per CPU-second
// (docs/reliability.md, "Memory"). A collection when nothing happens costs nothing that a
// client waits for, and it runs once per quiet period, so an idle daemon does not loop.
//
// The collection is V8's own full GC, reached with --expose-gc: set from inside
// (v8.setFlagsFromString) it applies to contexts created afterwards, so a fresh vm context
// hands out the `gc` function without exposing it to the daemon's global scope.
// TRUEHOP_IDLE_GC=off turns it off.
import process from 'node:process';
import v8 from 'node:v8';
import vm from 'node:vm';

/** No session started or ended for this long: the load is over (or paused long enough to tidy up). */
export const QUIET_MS = 3000;
/** How often the quiet is checked (one timer, unref'd: it never keeps the process alive). */
const CHECK_MS = 1000;
/** RSS above the lowest seen after a collection (or at start) worth a collection. */
const GROWTH_BYTES = 4 * 1024 * 1024;

export interface IdleCollector {
  /** Full collections run so far. */
  readonly collections: number;
  stop(): void;
}

let gcFunction: (() => void) | null | undefined;

/** V8's full GC, or null when this Node does not hand it out. */
function fullGc(): (() => void) | null {
  if (gcFunction !== undefined) return gcFunction;
  try {
    v8.setFlagsFromString('--expose-gc');
    const gc: unknown = vm.runInNewContext('typeof gc === "function" ? gc : null');
    gcFunction = typeof gc === 'function' ? (gc as () => void) : null;
  } catch {
    gcFunction = null;
  }
  return gcFunction;
}

/**
 * Watches `activity` (a count that moves whenever a session starts or ends); after QUIET_MS
 * without a move, if RSS is GROWTH_BYTES above its floor (the lowest seen a check after a
 * collection, or at start), collects, and once more at the next check: measured on a daemon
 * after 20,000 short and 5,000 idle sessions, the first collection frees the garbage (JS heap
 * 41 → 10 MB used) but leaves old space at 19 MB over half-empty pages, the second compacts it
 * to 10 MB, and RSS is then back within 6 MB of the start (docs/reliability.md, "Memory"). Once
 * per quiet period: the next needs activity first.
 */
export function startIdleCollector(activity: () => number, env: NodeJS.ProcessEnv = process.env): IdleCollector | null {
  if (env['TRUEHOP_IDLE_GC'] === 'off') return null;
  const gc = fullGc();
  if (gc === null) return null;
  let seen = activity();
  let quietSince = Date.now();
  /** Collections still to run in this quiet period (2 when it starts, set when activity moves). */
  let due = 0;
  let floor = process.memoryUsage.rss();
  let floorDue = false;
  let collections = 0;
  const timer = setInterval(() => {
    const now = Date.now();
    const rss = process.memoryUsage.rss();
    // The kernel gets the released pages a moment after the collection: read the floor now.
    if (floorDue) {
      floorDue = false;
      floor = Math.min(floor, rss);
    }
    const current = activity();
    if (current !== seen) {
      seen = current;
      quietSince = now;
      due = 2;
      return;
    }
    if (due === 0 || now - quietSince < QUIET_MS) return;
    // The first collection of a period only when there is something to give back.
    if (due === 2 && rss - floor < GROWTH_BYTES) {
      due = 0;
      return;
    }
    gc();
    collections++;
    due--;
    floorDue = due === 0;
  }, CHECK_MS);
  timer.unref();
  return {
    get collections() {
      return collections;
    },
    stop: () => clearInterval(timer),
  };
}

/** Moves whenever a session starts or ends: started plus ended (started minus still open). */
export function sessionActivity(c: { readonly sessionsTotal: number; readonly sessionsActive: number }): number {
  return 2 * c.sessionsTotal - c.sessionsActive;
}
