// HAProxy's two-letter termination state (%ts, configuration.txt §8.5): who or what ended the
// session, then the phase it was in. Typed constants, so a wrong letter is a compile error.

/** First letter: the cause. */
export const TERM_CAUSE = {
  /** Nothing abnormal (both sides closed normally). */
  NONE: '-',
  /** The client aborted (reset, error) — C. */
  CLIENT_ABORT: 'C',
  /** The server aborted or refused — S. */
  SERVER_ABORT: 'S',
  /** The proxy ended it: a rule rejected it, the header was refused, no backend — P. */
  PROXY: 'P',
  /** `timeout client` (or `client-fin`) expired — c. */
  CLIENT_TIMEOUT: 'c',
  /** `timeout server`, `server-fin`, `connect` or `queue` expired — s. */
  SERVER_TIMEOUT: 's',
  /**
   * Actively killed: `hard-stop-after` expired during a stop, or an admin action (the CLI's
   * `shutdown session`, `shutdown sessions server`) — K. Pass it to SessionHandle.abort().
   */
  KILLED: 'K',
  /** A server going DOWN killed it (`on-marked-down shutdown-sessions`) — D. */
  SERVER_DOWN_KILLED: 'D',
  /** A resource ran out (descriptors, memory) — R. */
  RESOURCE: 'R',
  /** An internal error (a bug caught while handling the session) — I. */
  INTERNAL: 'I',
} as const;
export type TermCause = (typeof TERM_CAUSE)[keyof typeof TERM_CAUSE];

/** Second letter: the session's phase when it ended. */
export const TERM_PHASE = {
  NONE: '-',
  /** Before a server was chosen: connection rules, PROXY header, session/content rules — R. */
  REQUEST: 'R',
  /** Waiting in the backend queue — Q. */
  QUEUE: 'Q',
  /** Connecting to the server (retries included) — C. */
  CONNECT: 'C',
  /** Forwarding — D. */
  DATA: 'D',
} as const;
export type TermPhase = (typeof TERM_PHASE)[keyof typeof TERM_PHASE];
