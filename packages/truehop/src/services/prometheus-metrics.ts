// The Prometheus exporter's metrics, described once (STYLE.md 11): HAProxy 2.6's names, types,
// HELP texts and labels (addons/promex/service-prometheus.c, checked against a running HAProxy
// by test/e2e/services/prometheus-differential.test.ts), each with how truehop computes it
// from a stats snapshot. A metric whose value does not exist for an object returns undefined
// and is left out for it, as promex does (no check_status for a server without checks). What
// truehop cannot have at all is not in this table and is listed in docs/metrics.md.
import type { BackendSnapshot, FrontendSnapshot, ServerSnapshot, StatsSnapshot } from '../observe/stats-snapshot.js';
import { PRX_ERRORS } from '../model/connection-errors.js';
import type { HttpServiceCounters } from './http-service.js';

export type MetricType = 'gauge' | 'counter';
/** One sample: its extra labels (besides proxy/server) and value. */
export type LabeledValue = readonly [labels: Readonly<Record<string, string>>, value: number];
export type MetricValue = number | readonly LabeledValue[] | undefined;

/** Everything a value function may read, computed once per scrape. */
export interface ScrapeEnv {
  readonly snapshot: StatsSnapshot;
  readonly nowMs: number;
  /** Counters of the mode http service frontends of this process, by frontend name. */
  readonly http: ReadonlyMap<string, HttpServiceCounters>;
  readonly nbthread: number;
  readonly listeners: number;
  /** Share of the last interval the event loop was idle, 0-100. */
  readonly idlePercent: number;
  readonly memory: NodeJS.MemoryUsage;
  readonly stopping: boolean;
  readonly version: string;
}

export interface MetricDef<T> {
  readonly name: string;
  readonly type: MetricType;
  readonly help: string;
  readonly value: (obj: T, env: ScrapeEnv) => MetricValue;
}

const sum = (values: Iterable<number>): number => {
  let n = 0;
  for (const v of values) n += v;
  return n;
};
const c = (o: { counters: Record<string, number> }, k: string): number => o.counters[k] ?? 0;
const seconds = (ms: number): number => Math.max(0, Math.floor(ms / 1000));
/** HAProxy prints NaN for a limit that is not set. */
const limit = (n: number | null): number => (n === null ? NaN : n);

/**
 * HAProxy 2.6 metrics truehop does not export, and why (docs/metrics.md lists the same; the
 * differential test holds both to what HAProxy really emits). `*` stands for the scope.
 */
export const NOT_EXPORTED: Readonly<Record<string, string>> = {
  'haproxy_*_queue_time_average_seconds': 'not measured yet: the stats model keeps no per-backend/server timing averages (HAProxy: last 1024 sessions)',
  'haproxy_*_connect_time_average_seconds': 'not measured yet (as above)',
  'haproxy_*_response_time_average_seconds': 'not measured yet (as above)',
  'haproxy_*_total_time_average_seconds': 'not measured yet (as above)',
  'haproxy_*_max_queue_time_seconds': 'not measured yet (as above)',
  'haproxy_*_max_connect_time_seconds': 'not measured yet (as above)',
  'haproxy_*_max_response_time_seconds': 'not measured yet (as above)',
  'haproxy_*_max_total_time_seconds': 'not measured yet (as above)',
  haproxy_process_bytes_out_rate: 'not measured yet: no per-second byte rate is kept (bytes_out_total is)',
  haproxy_process_current_tasks: "HAProxy's scheduler tasks: Node's event loop has no such count",
  haproxy_process_current_run_queue: "HAProxy's run queue of tasks and tasklets: no equivalent in Node",
};

/** Metrics whose TYPE differs from HAProxy's on purpose (docs/metrics.md). */
export const TYPE_DIFFERS: Readonly<Record<string, string>> = {
  haproxy_process_failed_resolutions: "HAProxy's counter lacks the _total suffix promtool requires; typed gauge (always 0)",
};

// ---- process -----------------------------------------------------------------------------

const proc = (env: ScrapeEnv): { startedAtMs: number; maxconn: number | null } => env.snapshot.processes[0] ?? { startedAtMs: env.nowMs, maxconn: null };
const procSum = (env: ScrapeEnv, k: string): number => sum(env.snapshot.processes.map((p) => p.counters[k] ?? 0));
const feSum = (env: ScrapeEnv, f: (fe: FrontendSnapshot) => number): number => sum(env.snapshot.frontends.map(f));
const beSum = (env: ScrapeEnv, f: (be: BackendSnapshot) => number): number => sum(env.snapshot.backends.map(f));
const noSsl = (): number => 0;

export const PROCESS_METRICS: readonly MetricDef<ScrapeEnv>[] = [
  { name: 'nbthread', type: 'gauge', help: 'Number of started threads (global.nbthread)', value: (e) => e.nbthread },
  { name: 'nbproc', type: 'gauge', help: 'Number of started worker processes (historical, always 1)', value: () => 1 },
  { name: 'relative_process_id', type: 'gauge', help: 'Relative worker process number (1)', value: () => 1 },
  { name: 'uptime_seconds', type: 'gauge', help: 'How long ago this worker process was started (seconds)', value: (e) => seconds(e.nowMs - proc(e).startedAtMs) },
  { name: 'pool_failures_total', type: 'counter', help: 'Number of failed pool allocations since this worker was started', value: () => 0 },
  { name: 'max_fds', type: 'gauge', help: 'Hard limit on the number of per-process file descriptors', value: () => NaN },
  { name: 'max_sockets', type: 'gauge', help: 'Hard limit on the number of per-process sockets', value: () => NaN },
  { name: 'max_connections', type: 'gauge', help: 'Hard limit on the number of per-process connections (configured or imposed by Ulimit-n)', value: (e) => limit(proc(e).maxconn) },
  { name: 'hard_max_connections', type: 'gauge', help: 'Hard limit on the number of per-process connections (imposed by Memmax_MB or Ulimit-n)', value: (e) => limit(proc(e).maxconn) },
  { name: 'current_connections', type: 'gauge', help: 'Current number of connections on this worker process', value: (e) => procSum(e, 'sessionsActive') },
  { name: 'connections_total', type: 'counter', help: 'Total number of connections on this worker process since started', value: (e) => feSum(e, (fe) => c(fe, 'connTot')) },
  { name: 'requests_total', type: 'counter', help: 'Total number of requests on this worker process since started', value: (e) => procSum(e, 'sessionsTotal') },
  { name: 'max_ssl_connections', type: 'gauge', help: 'Hard limit on the number of per-process SSL endpoints (front+back), 0=unlimited', value: noSsl },
  { name: 'current_ssl_connections', type: 'gauge', help: 'Current number of SSL endpoints on this worker process (front+back)', value: noSsl },
  { name: 'ssl_connections_total', type: 'counter', help: 'Total number of SSL endpoints on this worker process since started (front+back)', value: noSsl },
  { name: 'max_pipes', type: 'gauge', help: 'Hard limit on the number of pipes for splicing, 0=unlimited', value: () => 0 },
  { name: 'pipes_used_total', type: 'counter', help: 'Current number of pipes in use in this worker process', value: () => 0 },
  { name: 'pipes_free_total', type: 'counter', help: 'Current number of allocated and available pipes in this worker process', value: () => 0 },
  { name: 'current_connection_rate', type: 'gauge', help: 'Number of front connections created on this worker process over the last second', value: (e) => feSum(e, (fe) => fe.connRate.rate) },
  { name: 'limit_connection_rate', type: 'gauge', help: 'Hard limit for ConnRate (global.maxconnrate)', value: () => 0 },
  { name: 'max_connection_rate', type: 'gauge', help: 'Highest ConnRate reached on this worker process since started (in connections per second)', value: (e) => feSum(e, (fe) => fe.connRate.max) },
  { name: 'current_session_rate', type: 'gauge', help: 'Number of sessions created on this worker process over the last second', value: (e) => feSum(e, (fe) => fe.rate.rate) },
  { name: 'limit_session_rate', type: 'gauge', help: 'Hard limit for SessRate (global.maxsessrate)', value: () => 0 },
  { name: 'max_session_rate', type: 'gauge', help: 'Highest SessRate reached on this worker process since started (in sessions per second)', value: (e) => feSum(e, (fe) => fe.rate.max) },
  { name: 'current_ssl_rate', type: 'gauge', help: 'Number of SSL connections created on this worker process over the last second', value: noSsl },
  { name: 'limit_ssl_rate', type: 'gauge', help: 'Hard limit for SslRate (global.maxsslrate)', value: noSsl },
  { name: 'max_ssl_rate', type: 'gauge', help: 'Highest SslRate reached on this worker process since started (in connections per second)', value: noSsl },
  { name: 'current_frontend_ssl_key_rate', type: 'gauge', help: 'Number of SSL keys created on frontends in this worker process over the last second', value: noSsl },
  { name: 'max_frontend_ssl_key_rate', type: 'gauge', help: 'Highest SslFrontendKeyRate reached on this worker process since started (in SSL keys per second)', value: noSsl },
  { name: 'frontend_ssl_reuse', type: 'gauge', help: 'Percent of frontend SSL connections which did not require a new key', value: noSsl },
  { name: 'current_backend_ssl_key_rate', type: 'gauge', help: 'Number of SSL keys created on backends in this worker process over the last second', value: noSsl },
  { name: 'max_backend_ssl_key_rate', type: 'gauge', help: 'Highest SslBackendKeyRate reached on this worker process since started (in SSL keys per second)', value: noSsl },
  { name: 'ssl_cache_lookups_total', type: 'counter', help: 'Total number of SSL session ID lookups in the SSL session cache on this worker since started', value: noSsl },
  { name: 'ssl_cache_misses_total', type: 'counter', help: "Total number of SSL session ID lookups that didn't find a session in the SSL session cache on this worker since started", value: noSsl },
  { name: 'http_comp_bytes_in_total', type: 'counter', help: 'Number of bytes submitted to the HTTP compressor in this worker process over the last second', value: () => 0 },
  { name: 'http_comp_bytes_out_total', type: 'counter', help: 'Number of bytes emitted by the HTTP compressor in this worker process over the last second', value: () => 0 },
  { name: 'limit_http_comp', type: 'gauge', help: 'Limit of CompressBpsOut beyond which HTTP compression is automatically disabled', value: () => 0 },
  { name: 'current_zlib_memory', type: 'gauge', help: 'Amount of memory currently used by HTTP compression on the current worker process (in bytes)', value: () => 0 },
  { name: 'max_zlib_memory', type: 'gauge', help: 'Limit on the amount of memory used by HTTP compression above which it is automatically disabled (in bytes, see global.maxzlibmem)', value: () => 0 },
  { name: 'idle_time_percent', type: 'gauge', help: 'Percentage of last second spent waiting in the current worker thread', value: (e) => e.idlePercent },
  { name: 'stopping', type: 'gauge', help: '1 if the worker process is currently stopping, otherwise zero', value: (e) => (e.stopping ? 1 : 0) },
  { name: 'jobs', type: 'gauge', help: 'Current number of active jobs on the current worker process (frontend connections, master connections, listeners)', value: (e) => procSum(e, 'sessionsActive') + e.listeners },
  { name: 'unstoppable_jobs', type: 'gauge', help: 'Current number of unstoppable jobs on the current worker process (master connections)', value: () => 0 },
  { name: 'listeners', type: 'gauge', help: 'Current number of active listeners on the current worker process', value: (e) => e.listeners },
  { name: 'active_peers', type: 'gauge', help: 'Current number of verified active peers connections on the current worker process', value: () => 0 },
  { name: 'connected_peers', type: 'gauge', help: 'Current number of peers having passed the connection step on the current worker process', value: () => 0 },
  { name: 'dropped_logs_total', type: 'counter', help: 'Total number of dropped logs for current worker process since started', value: (e) => procSum(e, 'logLinesDropped') + procSum(e, 'logLinesFailed') },
  { name: 'busy_polling_enabled', type: 'gauge', help: '1 if busy-polling is currently in use on the worker process, otherwise zero (config.busy-polling)', value: () => 0 },
  // TYPE_DIFFERS: the name is kept for dashboards; always 0, truehop resolves no names at run time.
  { name: 'failed_resolutions', type: 'gauge', help: 'Total number of failed DNS resolutions in current worker process since started', value: () => 0 },
  { name: 'bytes_out_total', type: 'counter', help: 'Total number of bytes emitted by current worker process since started', value: (e) => feSum(e, (fe) => c(fe, 'bout')) + beSum(e, (be) => c(be, 'bin')) },
  { name: 'spliced_bytes_out_total', type: 'counter', help: 'Total number of bytes emitted by current worker process through a kernel pipe since started', value: () => 0 },
  { name: 'recv_logs_total', type: 'counter', help: 'Total number of log messages received by log-forwarding listeners on this worker process since started', value: () => 0 },
  { name: 'build_info', type: 'gauge', help: 'Build info', value: (e) => [[{ version: e.version }, 1]] },
  { name: 'max_memory_bytes', type: 'gauge', help: "Worker process's hard limit on memory usage in byes (-m on command line)", value: () => 0 },
  { name: 'pool_allocated_bytes', type: 'gauge', help: 'Amount of memory allocated in pools (in bytes)', value: (e) => e.memory.heapTotal },
  { name: 'pool_used_bytes', type: 'gauge', help: 'Amount of pool memory currently used (in bytes)', value: (e) => e.memory.heapUsed },
  { name: 'start_time_seconds', type: 'gauge', help: 'Start time in seconds', value: (e) => seconds(proc(e).startedAtMs) },
];

/** Metrics several scopes share (frontend, backend, server): one TYPE and HELP each, as promex's one description. */
const SHARED = {
  bytes_in_total: { type: 'counter', help: 'Total number of request bytes since process started' },
  bytes_out_total: { type: 'counter', help: 'Total number of response bytes since process started' },
  connection_errors_total: { type: 'counter', help: 'Total number of failed connections to server since the worker process started' },
  current_queue: { type: 'gauge', help: 'Number of current queued connections' },
  current_sessions: { type: 'gauge', help: 'Number of current sessions on the frontend, backend or server' },
  failed_header_rewriting_total: { type: 'counter', help: 'Total number of failed HTTP header rewrites since the worker process started' },
  internal_errors_total: { type: 'counter', help: 'Total number of internal errors since process started' },
  limit_sessions: { type: 'gauge', help: "Frontend/listener/server's maxconn, backend's fullconn" },
  max_queue: { type: 'gauge', help: 'Highest value of queued connections encountered since process started' },
  max_session_rate: { type: 'gauge', help: 'Highest value of sessions per second observed since the worker process started' },
  max_sessions: { type: 'gauge', help: 'Highest value of current sessions encountered since process started' },
  redispatch_warnings_total: { type: 'counter', help: 'Total number of server redispatches due to connection failures since the worker process started' },
  requests_denied_total: { type: 'counter', help: 'Total number of denied requests since process started' },
  response_errors_total: { type: 'counter', help: 'Total number of invalid responses since the worker process started' },
  responses_denied_total: { type: 'counter', help: 'Total number of denied responses since process started' },
  retry_warnings_total: { type: 'counter', help: 'Total number of server connection retries since the worker process started' },
  sessions_total: { type: 'counter', help: 'Total number of sessions since process started' },
  status: { type: 'gauge', help: 'Current status of the service, per state label value.' },
} as const satisfies Record<string, { type: MetricType; help: string }>;

/** A metric of the SHARED table in one scope. */
function shared<T>(name: keyof typeof SHARED, value: MetricDef<T>['value']): MetricDef<T> {
  return { name, ...SHARED[name], value };
}

// ---- frontends -----------------------------------------------------------------------------

/** HAProxy's response classes, in its label order. */
const CODE_CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx', 'other'] as const;

/** The `mode http` part of a proxy: undefined (left out) for a TCP proxy, as promex does. */
function httpOnly<T extends { mode: string }>(f: (p: T, h: HttpServiceCounters | undefined) => MetricValue): (p: T & { name: string }, e: ScrapeEnv) => MetricValue {
  return (p, e) => (p.mode === 'http' ? f(p, e.http.get(p.name)) : undefined);
}
const responses = httpOnly((_p, h) => CODE_CLASSES.map((code, i) => [{ code }, h?.responses[i] ?? 0] as const));

export const FRONTEND_METRICS: readonly MetricDef<FrontendSnapshot>[] = [
  shared('current_sessions', (f) => f.scur),
  shared('max_sessions', (f) => c(f, 'smax')),
  shared('limit_sessions', (f) => limit(f.maxconn)),
  shared('sessions_total', (f) => c(f, 'stot')),
  shared('bytes_in_total', (f) => c(f, 'bin')),
  shared('bytes_out_total', (f) => c(f, 'bout')),
  shared('requests_denied_total', (f) => c(f, 'dreq')),
  shared('responses_denied_total', () => 0),
  { name: 'request_errors_total', type: 'counter', help: 'Total number of invalid requests since process started', value: (f) => c(f, 'ereq') },
  // A frontend that answers a scrape is listening: UP (HAProxy: DOWN only when stopped).
  shared('status', () => [[{ state: 'DOWN' }, 0], [{ state: 'UP' }, 1]]),
  { name: 'limit_session_rate', type: 'gauge', help: "Limit on the number of sessions accepted in a second (frontend only, 'rate-limit sessions' setting)", value: () => 0 },
  shared('max_session_rate', (f) => f.rate.max),
  { name: 'http_responses_total', type: 'counter', help: 'Total number of HTTP responses with status 100-199 returned by this object since the worker process started', value: responses },
  { name: 'http_requests_rate_max', type: 'gauge', help: 'Highest value of http requests observed since the worker process started', value: httpOnly((f) => f.rate.max) },
  { name: 'http_requests_total', type: 'counter', help: 'Total number of HTTP requests processed by this object since the worker process started', value: httpOnly((_f, h) => h?.requests ?? 0) },
  { name: 'http_comp_bytes_in_total', type: 'counter', help: 'Total number of bytes submitted to the HTTP compressor for this object since the worker process started', value: httpOnly(() => 0) },
  { name: 'http_comp_bytes_out_total', type: 'counter', help: 'Total number of bytes emitted by the HTTP compressor for this object since the worker process started', value: httpOnly(() => 0) },
  { name: 'http_comp_bytes_bypassed_total', type: 'counter', help: 'Total number of bytes that bypassed HTTP compression for this object since the worker process started (CPU/memory/bandwidth limitation)', value: httpOnly(() => 0) },
  { name: 'http_comp_responses_total', type: 'counter', help: 'Total number of HTTP responses that were compressed for this object since the worker process started', value: httpOnly(() => 0) },
  { name: 'connections_rate_max', type: 'gauge', help: 'Highest value of connections per second observed since the worker process started', value: (f) => f.connRate.max },
  { name: 'connections_total', type: 'counter', help: 'Total number of new connections accepted on this frontend since the worker process started', value: (f) => c(f, 'connTot') },
  { name: 'intercepted_requests_total', type: 'counter', help: 'Total number of HTTP requests intercepted on the frontend (redirects/stats/services) since the worker process started', value: httpOnly((_f, h) => h?.intercepted ?? 0) },
  { name: 'denied_connections_total', type: 'counter', help: 'Total number of incoming connections blocked on a listener/frontend by a tcp-request connection rule since the worker process started', value: (f) => c(f, 'dcon') },
  { name: 'denied_sessions_total', type: 'counter', help: 'Total number of incoming sessions blocked on a listener/frontend by a tcp-request connection rule since the worker process started', value: (f) => c(f, 'dses') },
  shared('failed_header_rewriting_total', () => 0),
  { name: 'http_cache_lookups_total', type: 'counter', help: 'Total number of HTTP requests looked up in the cache on this frontend/backend since the worker process started', value: httpOnly(() => 0) },
  { name: 'http_cache_hits_total', type: 'counter', help: 'Total number of HTTP requests not found in the cache on this frontend/backend since the worker process started', value: httpOnly(() => 0) },
  shared('internal_errors_total', (p) => c(p, 'eint')),
];

// ---- servers and backends -----------------------------------------------------------------

/** HAProxy's server states in promex's label order. */
const SERVER_STATES = ['DOWN', 'UP', 'MAINT', 'DRAIN', 'NOLB'] as const;
type ServerState = (typeof SERVER_STATES)[number];
/** HAProxy's check results in promex's label order (HCHK_STATUS_* with a name). */
export const CHECK_STATES = ['HANA', 'SOCKERR', 'L4OK', 'L4TOUT', 'L4CON', 'L6OK', 'L6TOUT', 'L6RSP', 'L7TOUT', 'L7RSP', 'L7OK', 'L7OKC', 'L7STS', 'PROCERR', 'PROCTOUT', 'PROCOK'] as const;

export function serverState(s: ServerSnapshot): ServerState {
  if (s.status === 'MAINT') return 'MAINT';
  if (s.status === 'DOWN') return 'DOWN';
  return s.draining ? 'DRAIN' : 'UP';
}
/** The effective weight: 0 while draining (HAProxy's DRAIN is weight 0). */
const effectiveWeight = (s: ServerSnapshot): number => (s.draining ? 0 : s.userWeight);
const oneHot = <S extends string>(states: readonly S[], current: S): readonly LabeledValue[] => states.map((state) => [{ state }, state === current ? 1 : 0] as const);
const countStates = <S extends string>(states: readonly S[], of: readonly S[]): readonly LabeledValue[] => states.map((state) => [{ state }, of.filter((x) => x === state).length] as const);
/** Servers with checks: promex leaves the check metrics out (or NaN) for the others. */
const checked = <T>(f: (s: ServerSnapshot, ch: NonNullable<ServerSnapshot['check']>) => T, otherwise: T): ((s: ServerSnapshot) => T) => (s) => (s.check === null ? otherwise : f(s, s.check));
const lastSession = (ms: number | undefined, now: number): number => (ms === undefined || ms === 0 ? -1 : seconds(now - ms));

export const SERVER_METRICS: readonly MetricDef<ServerSnapshot>[] = [
  shared('current_queue', () => 0),
  shared('max_queue', (s) => c(s, 'qmax')),
  shared('current_sessions', (s) => s.scur),
  shared('max_sessions', (s) => c(s, 'smax')),
  shared('limit_sessions', (s) => limit(s.maxconn)),
  shared('sessions_total', (s) => c(s, 'stot')),
  shared('bytes_in_total', (s) => c(s, 'bin')),
  shared('bytes_out_total', (s) => c(s, 'bout')),
  shared('responses_denied_total', () => 0),
  shared('connection_errors_total', (s) => c(s, 'econ')),
  shared('response_errors_total', (s) => c(s, 'eresp')),
  shared('retry_warnings_total', (s) => c(s, 'wretr')),
  shared('redispatch_warnings_total', (s) => c(s, 'wredis')),
  shared('status', (s) => oneHot(SERVER_STATES, serverState(s))),
  { name: 'weight', type: 'gauge', help: "Server's effective weight, or sum of active servers' effective weights for a backend", value: effectiveWeight },
  { name: 'check_failures_total', type: 'counter', help: 'Total number of failed individual health checks per server/backend, since the worker process started', value: checked((_s, ch) => ch.failedChecks, NaN) },
  { name: 'check_up_down_total', type: 'counter', help: 'Total number of failed checks causing UP to DOWN server transitions, per server/backend, since the worker process started', value: checked((_s, ch) => ch.downTransitions, NaN) },
  { name: 'check_last_change_seconds', type: 'gauge', help: 'How long ago the last server state changed, in seconds', value: (s, e) => seconds(e.nowMs - s.lastChangeMs) },
  { name: 'downtime_seconds_total', type: 'counter', help: 'Total time spent in DOWN state, for server or backend', value: checked((_s, ch) => seconds(ch.downtimeMs), NaN) },
  { name: 'queue_limit', type: 'gauge', help: "Limit on the number of connections in queue, for servers only (maxqueue argument)", value: () => NaN },
  { name: 'current_throttle', type: 'gauge', help: "Throttling ratio applied to a server's maxconn and weight during the slowstart period (0 to 100%)", value: () => NaN },
  { name: 'loadbalanced_total', type: 'counter', help: 'Total number of requests routed by load balancing since the worker process started (ignores queue pop and stickiness)', value: (s) => c(s, 'lbtot') },
  shared('max_session_rate', (s) => s.rate.max),
  {
    name: 'check_status', type: 'gauge', help: 'Status of last health check, per state label value.',
    value: checked((_s, ch) => CHECK_STATES.map((state) => [{ state }, state === ch.status ? 1 : 0] as const), undefined),
  },
  { name: 'check_code', type: 'gauge', help: 'layer5-7 code, if available of the last health check.', value: checked((_s, ch) => ch.code ?? 0, undefined) },
  { name: 'check_duration_seconds', type: 'gauge', help: 'Total duration of the latest server health check, in seconds.', value: checked((_s, ch) => (ch.durationMs ?? 0) / 1000, undefined) },
  { name: 'client_aborts_total', type: 'counter', help: 'Total number of requests or connections aborted by the client since the worker process started', value: (s) => c(s, 'cliAbrt') },
  { name: 'server_aborts_total', type: 'counter', help: 'Total number of requests or connections aborted by the server since the worker process started', value: (s) => c(s, 'srvAbrt') },
  { name: 'last_session_seconds', type: 'gauge', help: 'How long ago some traffic was seen on this object on this worker process, in seconds', value: (s, e) => lastSession(s.counters.lastSessMs, e.nowMs) },
  shared('failed_header_rewriting_total', () => 0),
  { name: 'connection_attempts_total', type: 'counter', help: 'Total number of outgoing connection attempts on this backend/server since the worker process started', value: (s) => c(s, 'stot') + c(s, 'wretr') },
  { name: 'connection_reuses_total', type: 'counter', help: 'Total number of reused connection on this backend/server since the worker process started', value: () => 0 },
  { name: 'idle_connections_current', type: 'gauge', help: 'Current number of idle connections available for reuse on this server', value: () => 0 },
  { name: 'idle_connections_limit', type: 'gauge', help: "Limit on the number of available idle connections on this server (server 'pool_max_conn' directive)", value: () => 0 },
  shared('internal_errors_total', (p) => c(p, 'eint')),
  { name: 'unsafe_idle_connections_current', type: 'gauge', help: 'Current number of unsafe idle connections', value: () => 0 },
  { name: 'safe_idle_connections_current', type: 'gauge', help: 'Current number of safe idle connections', value: () => 0 },
  { name: 'used_connections_current', type: 'gauge', help: 'Current number of connections in use', value: (s) => s.scur },
  { name: 'need_connections_current', type: 'gauge', help: 'Estimated needed number of connections', value: (s) => s.scur },
  { name: 'uweight', type: 'gauge', help: "Server's user weight, or sum of active servers' user weights for a backend", value: (s) => s.userWeight },
];

const upServers = (be: BackendSnapshot, backup: boolean): ServerSnapshot[] => be.servers.filter((s) => s.backup === backup && serverState(s) === 'UP' && effectiveWeight(s) > 0);
const withServers = <T>(f: (be: BackendSnapshot) => T): ((be: BackendSnapshot) => T | undefined) => (be) => (be.servers.length > 0 ? f(be) : undefined);

export const BACKEND_METRICS: readonly MetricDef<BackendSnapshot>[] = [
  shared('current_queue', (b) => b.qcur),
  shared('max_queue', (b) => c(b, 'qmax')),
  shared('current_sessions', (b) => b.scur),
  shared('max_sessions', (b) => c(b, 'smax')),
  shared('limit_sessions', (b) => limit(b.maxconn)),
  shared('sessions_total', (b) => c(b, 'stot')),
  shared('bytes_in_total', (b) => c(b, 'bin')),
  shared('bytes_out_total', (b) => c(b, 'bout')),
  shared('requests_denied_total', () => 0),
  shared('responses_denied_total', () => 0),
  shared('connection_errors_total', (b) => c(b, 'econ')),
  shared('response_errors_total', (b) => c(b, 'eresp')),
  shared('retry_warnings_total', (b) => c(b, 'wretr')),
  shared('redispatch_warnings_total', (b) => c(b, 'wredis')),
  // HAProxy: a backend is UP while one server can take traffic (a listen without servers too).
  shared('status', (b) => { const up = b.servers.length === 0 || b.servers.some((s) => s.status === 'UP'); return [[{ state: 'DOWN' }, up ? 0 : 1], [{ state: 'UP' }, up ? 1 : 0]]; }),
  { name: 'weight', type: 'gauge', help: "Server's effective weight, or sum of active servers' effective weights for a backend", value: (b) => sum(upServers(b, false).map(effectiveWeight)) },
  { name: 'active_servers', type: 'gauge', help: 'Total number of active UP servers with a non-zero weight', value: (b) => upServers(b, false).length },
  { name: 'backup_servers', type: 'gauge', help: 'Total number of backup UP servers with a non-zero weight', value: (b) => upServers(b, true).length },
  { name: 'check_up_down_total', type: 'counter', help: 'Total number of failed checks causing UP to DOWN server transitions, per server/backend, since the worker process started', value: (b) => sum(b.servers.map((s) => s.check?.downTransitions ?? 0)) },
  { name: 'check_last_change_seconds', type: 'gauge', help: 'How long ago the last server state changed, in seconds', value: (b, e) => seconds(e.nowMs - Math.max(proc(e).startedAtMs, ...b.servers.map((s) => s.lastChangeMs))) },
  { name: 'downtime_seconds_total', type: 'counter', help: 'Total time spent in DOWN state, for server or backend', value: () => 0 },
  { name: 'loadbalanced_total', type: 'counter', help: 'Total number of requests routed by load balancing since the worker process started (ignores queue pop and stickiness)', value: (b) => c(b, 'lbtot') },
  shared('max_session_rate', (b) => b.rate.max),
  { name: 'http_responses_total', type: 'counter', help: 'Total number of HTTP responses with status 100-199 returned by this object since the worker process started', value: responses },
  { name: 'http_requests_total', type: 'counter', help: 'Total number of HTTP requests processed by this object since the worker process started', value: httpOnly((_b, h) => h?.requests ?? 0) },
  { name: 'client_aborts_total', type: 'counter', help: 'Total number of requests or connections aborted by the client since the worker process started', value: (b) => c(b, 'cliAbrt') },
  { name: 'server_aborts_total', type: 'counter', help: 'Total number of requests or connections aborted by the server since the worker process started', value: (b) => c(b, 'srvAbrt') },
  { name: 'http_comp_bytes_in_total', type: 'counter', help: 'Total number of bytes submitted to the HTTP compressor for this object since the worker process started', value: httpOnly(() => 0) },
  { name: 'http_comp_bytes_out_total', type: 'counter', help: 'Total number of bytes emitted by the HTTP compressor for this object since the worker process started', value: httpOnly(() => 0) },
  { name: 'http_comp_bytes_bypassed_total', type: 'counter', help: 'Total number of bytes that bypassed HTTP compression for this object since the worker process started (CPU/memory/bandwidth limitation)', value: httpOnly(() => 0) },
  { name: 'http_comp_responses_total', type: 'counter', help: 'Total number of HTTP responses that were compressed for this object since the worker process started', value: httpOnly(() => 0) },
  { name: 'last_session_seconds', type: 'gauge', help: 'How long ago some traffic was seen on this object on this worker process, in seconds', value: (b, e) => lastSession(b.counters.lastSessMs, e.nowMs) },
  shared('failed_header_rewriting_total', () => 0),
  { name: 'connection_attempts_total', type: 'counter', help: 'Total number of outgoing connection attempts on this backend/server since the worker process started', value: (b) => c(b, 'stot') + c(b, 'wretr') },
  { name: 'connection_reuses_total', type: 'counter', help: 'Total number of reused connection on this backend/server since the worker process started', value: () => 0 },
  { name: 'http_cache_lookups_total', type: 'counter', help: 'Total number of HTTP requests looked up in the cache on this frontend/backend since the worker process started', value: httpOnly(() => 0) },
  { name: 'http_cache_hits_total', type: 'counter', help: 'Total number of HTTP requests not found in the cache on this frontend/backend since the worker process started', value: httpOnly(() => 0) },
  shared('internal_errors_total', (p) => c(p, 'eint')),
  { name: 'uweight', type: 'gauge', help: "Server's user weight, or sum of active servers' user weights for a backend", value: (b) => sum(b.servers.filter((s) => !s.backup).map((s) => s.userWeight)) },
  { name: 'agg_server_status', type: 'gauge', help: "Backend's aggregated gauge of servers' status", value: withServers((b) => countStates(SERVER_STATES, b.servers.map(serverState))) },
  { name: 'agg_server_check_status', type: 'gauge', help: "Backend's aggregated gauge of servers' state check status", value: withServers((b) => countStates(SERVER_STATES, b.servers.map(serverState))) },
  {
    name: 'agg_check_status', type: 'gauge', help: "Backend's aggregated gauge of servers' state check status",
    value: withServers((b) => countStates(CHECK_STATES, b.servers.flatMap((s) => (s.check === null ? [] : [s.check.status as (typeof CHECK_STATES)[number]])))),
  },
];

// ---- truehop's own: the PROXY protocol per frontend ------------------------------------------

export const PROXY_PROTOCOL_METRICS: readonly MetricDef<FrontendSnapshot>[] = [
  { name: 'headers_total', type: 'counter', help: 'PROXY protocol headers received and accepted, per version', value: (f) => [[{ version: '1' }, f.proxyProtocol.v1], [{ version: '2' }, f.proxyProtocol.v2]] },
  { name: 'commands_total', type: 'counter', help: 'Accepted PROXY protocol headers per command (PROXY: a relayed client, LOCAL: the proxy itself, e.g. a health check)', value: (f) => [[{ command: 'PROXY' }, f.proxyProtocol.cmdProxy], [{ command: 'LOCAL' }, f.proxyProtocol.cmdLocal]] },
  {
    name: 'rejections_total', type: 'counter', help: "Connections closed because of their PROXY protocol header, per HAProxy error name (fc_err_name)",
    value: (f) => (Object.keys(PRX_ERRORS)).map((reason) => [{ reason }, f.proxyProtocol.rejections[reason] ?? 0] as const),
  },
  {
    name: 'tlvs_total', type: 'counter', help: 'Accepted PROXY protocol v2 headers carrying each TLV type (types seen so far)',
    value: (f) => Object.entries(f.proxyProtocol.tlvTypes).map(([type, n]) => [{ type: `0x${Number(type).toString(16).padStart(2, '0')}` }, n] as const),
  },
];
