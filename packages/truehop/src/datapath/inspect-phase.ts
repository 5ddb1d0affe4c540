// The inspection phase of a session (HAProxy tcp_inspect_request): `tcp-request content`
// rules that need client bytes (req.ssl_sni, req.payload, WAIT_END …) wait for them, at most
// `tcp-request inspect-delay` from the first evaluation and at most INSPECT_BUFFER_BYTES;
// then they are evaluated on what is there. The session holds the bytes (its pending
// payload) and forwards them intact once a server is connected.

/**
 * Most client bytes inspected before the rules must decide: HAProxy's buffer (tune.bufsize,
 * 16384) minus the room it keeps for rewrites (tune.maxrewrite, 1024) — `channel_full()`.
 * A client cannot make a waiting rule hold more (memory exhaustion); TLS records are at
 * most 16 KiB, so a whole first record of a ClientHello fits in all real cases.
 */
export const INSPECT_BUFFER_BYTES = 16384 - 1024;

export class InspectPhase {
  readonly kind = 'inspect';
  /** The content rule that waits for more bytes: evaluation resumes there. */
  nextRule = 0;
  private timer: NodeJS.Timeout | null = null;

  /**
   * Starts the inspect-delay clock at the first wait (the first evaluation is that same
   * moment); `onExpired(owner)` runs when it ends. Rules that decide at once cost no timer.
   */
  wait<T>(rule: number, delayMs: number, onExpired: (owner: T) => void, owner: T): void {
    this.nextRule = rule;
    this.timer ??= setTimeout(onExpired, delayMs, owner);
  }

  stopTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}
