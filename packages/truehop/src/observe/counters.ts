// Counters of the daemon, each column described once (STYLE.md example 11): the table below
// is what a stats page, a Prometheus exporter or a test reads, so names and meanings never
// drift apart. The data path increments plain numeric fields; nothing is allocated per event.

export const COUNTER_COLUMNS = {
  sessionsTotal: 'client sessions accepted (after maxconn gates)',
  sessionsActive: 'client sessions currently open',
  headersReceived: 'PROXY headers read successfully',
  headerRejections: 'connections closed because their PROXY header was missing or invalid (§4.1, §4.16)',
  sslHandshakeFailures: 'connections on ssl binds closed because their TLS handshake failed, stalled or its client certificate did not verify',
  ruleRejections: 'connections rejected by a tcp-request rule',
  connectErrors: 'failed connection attempts to servers (each retry counts)',
  retries: 'connection retries to servers',
  redispatches: 'sessions moved to another server after a connect failure (option redispatch)',
  acceptErrors: 'accept() failures on a listener (EMFILE, ENFILE: out of descriptors; the runtime closes the pending connections)',
  acceptsDropped: 'connections closed at once because the waiting line (bounded by the descriptor budget) was full',
  listenerPauses: "times a frontend's listeners stopped accepting because it was full (maxconn or the descriptor budget); the next connections waited in the kernel's accept queue",
  internalErrors: 'exceptions caught while handling a session (a bug: the session was reset with termination state I, the process went on; each is logged, rate-limited)',
  queueTimeouts: 'sessions dropped after waiting longer than timeout queue',
  noServer: 'sessions that found no usable server',
  bytesIn: 'bytes received from clients',
  bytesOut: 'bytes sent to clients',
  logLinesDropped: "log lines dropped because a log target's queue was full (logging never blocks; observe/line-writer.ts)",
  logLinesFailed: 'log lines lost because their log target failed (the first failure is reported on stderr)',
} as const;

export type CounterName = keyof typeof COUNTER_COLUMNS;

export type Counters = Record<CounterName, number>;

export function createCounters(): Counters {
  const out = {} as Counters;
  for (const name of Object.keys(COUNTER_COLUMNS) as CounterName[]) out[name] = 0;
  return out;
}

/** Rejections by HAProxy error name (PRX_*), for the log summary and tests. */
export type RejectionCounts = Map<string, number>;

export function countRejection(counts: RejectionCounts, name: string): void {
  counts.set(name, (counts.get(name) ?? 0) + 1);
}
