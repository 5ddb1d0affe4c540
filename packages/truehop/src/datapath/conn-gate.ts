// `maxconn` at the process (global) and frontend level: a counter with a ceiling. When a
// gate is full, new connections wait unread (the socket is accepted with pauseOnConnect and
// not resumed), like HAProxy leaving them in the kernel's accept backlog; they are admitted
// in arrival order as sessions end. The waiting line itself is bounded (see frontend).
export class ConnGate {
  active = 0;

  /** limit <= 0 or undefined: unlimited; `set maxconn frontend` changes it at run time. */
  constructor(public limit: number | undefined) {}

  get available(): boolean {
    return this.limit === undefined || this.limit <= 0 || this.active < this.limit;
  }
}
