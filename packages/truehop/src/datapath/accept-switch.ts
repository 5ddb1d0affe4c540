// Stopping and restarting accept() on a listening socket, as HAProxy pauses a listener that is
// full (global or frontend maxconn reached) and resumes it when a slot frees: the connections
// that arrive meanwhile stay in the kernel's accept queue, nothing is accepted only to be
// dropped. Node has no public way to do this; what it does have (verified on Node 20 / libuv
// 1.46, docs/reliability.md "Descriptors"):
//  * libuv polls a listening socket while its io watcher has POLLIN, and Node's connection
//    callback always accept()s, so the queue is drained as fast as the loop runs;
//  * a listening handle whose libuv flags say "readable" accepts uv_read_stop(), which takes
//    POLLIN off the watcher (nothing is polled, nothing accepted, the queue stays intact), and
//    uv_read_start() puts it back (the watcher's callback is still the accept callback);
//  * libuv marks a listening handle readable when it was opened on a received descriptor
//    (uv_accept of a handle passed over IPC — how node:cluster hands workers their listening
//    sockets — or uv_tcp_open); one that bound and listened itself is not, and readStart()
//    answers ENOTCONN. process/listening-copy.ts gets the single process such a descriptor.
// So the probe is the real call: readStart() answers 0 on a handle this works on, and leaves it
// accepting (its normal state).
import type net from 'node:net';

interface StreamHandle {
  readStart(): number;
  readStop(): number;
}

export interface AcceptSwitch {
  /** False when this listening handle cannot stop accepting (see above): it never pauses. */
  readonly canPause: boolean;
  readonly paused: boolean;
  pause(): void;
  resume(): void;
}

const NEVER_PAUSES: AcceptSwitch = { canPause: false, paused: false, pause() {}, resume() {} };

export function acceptSwitch(server: net.Server): AcceptSwitch {
  const handle = (server as unknown as { _handle?: Partial<StreamHandle> | null })._handle;
  if (handle === undefined || handle === null || typeof handle.readStart !== 'function' || typeof handle.readStop !== 'function') return NEVER_PAUSES;
  const h = handle as StreamHandle;
  if (h.readStart() !== 0) return NEVER_PAUSES;
  let paused = false;
  return {
    canPause: true,
    get paused() {
      return paused;
    },
    pause() {
      // A closed server's handle is gone: nothing to stop.
      if (paused || server.listening === false) return;
      paused = h.readStop() === 0;
    },
    resume() {
      if (!paused) return;
      paused = false;
      if (server.listening) h.readStart();
    },
  };
}

/**
 * A frontend's listeners, paused and resumed together: HAProxy stops every listener of a proxy
 * that reached its maxconn (and, at the global maxconn, every listener of the process; here each
 * frontend pauses itself at its first connection that cannot be admitted, which comes to the same).
 */
export class FrontendAccepts {
  private readonly switches: AcceptSwitch[] = [];
  paused = false;

  add(sw: AcceptSwitch): void {
    this.switches.push(sw);
    if (this.paused) sw.pause();
  }

  /** True when every listener can pause (so nothing needs to wait accepted or be dropped). */
  get canPause(): boolean {
    return this.switches.length > 0 && this.switches.every((s) => s.canPause);
  }

  /** Stops accepting; returns true when this call paused them (for the counter). */
  pause(): boolean {
    if (this.paused || !this.canPause) return false;
    this.paused = true;
    for (const s of this.switches) s.pause();
    return true;
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    for (const s of this.switches) s.resume();
  }
}
