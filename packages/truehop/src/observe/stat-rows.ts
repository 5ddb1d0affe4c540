// HAProxy 2.6's `show stat` rows from a StatsSnapshot: every column described once, in its
// exact order (include/haproxy/stats-t.h, `enum stat_field`, then the stats modules' columns
// after "-"), with the value a frontend, a backend and a server row give it. The CLI's CSV,
// the stats page and the exporter read these same rows, so their names and values cannot drift.
// A column truehop has no data for stays empty where HAProxy leaves it empty and 0 where HAProxy
// prints a number for the same row type, so CSV parsers see the same shape.
import type { BackendSnapshot, FrontendSnapshot, ServerSnapshot } from './stats-snapshot.js';

export type StatRowType = 'frontend' | 'backend' | 'server';

/** HAProxy's `type` column. */
const TYPE_NUMBER: Readonly<Record<StatRowType, number>> = { frontend: 0, backend: 1, server: 2 };

export interface StatRowInput {
  type: StatRowType;
  frontend?: FrontendSnapshot;
  backend?: BackendSnapshot;
  server?: ServerSnapshot;
  nowMs: number;
  /** `addr` is shown at operator level and above only (HAProxy hides it from `user`). */
  showAddress: boolean;
}

type Value = string | number;
type Getter = (r: StatRowInput) => Value;

interface Column {
  name: string;
  fe?: Getter;
  be?: Getter;
  srv?: Getter;
}

const fe = (r: StatRowInput): FrontendSnapshot => r.frontend as FrontendSnapshot;
const be = (r: StatRowInput): BackendSnapshot => r.backend as BackendSnapshot;
const sv = (r: StatRowInput): ServerSnapshot => r.server as ServerSnapshot;
const zero: Getter = () => 0;
const feC = (k: string): Getter => (r) => fe(r).counters[k] ?? 0;
const beC = (k: string): Getter => (r) => be(r).counters[k] ?? 0;
const svC = (k: string): Getter => (r) => sv(r).counters[k] ?? 0;
const pid: Getter = () => 1;
const seconds = (ms: number): number => Math.max(0, Math.floor(ms / 1000));

/** Whether a server takes new sessions: UP and not draining. */
const usable = (s: ServerSnapshot): boolean => s.status === 'UP' && !s.draining;

/** Active servers in use, else the backups HAProxy would use (the first usable one). */
function serversInUse(b: BackendSnapshot): ServerSnapshot[] {
  const active = b.servers.filter((s) => !s.backup && usable(s) && s.userWeight > 0);
  if (active.length > 0) return active;
  const backup = b.servers.find((s) => s.backup && usable(s));
  return backup === undefined ? [] : [backup];
}

/** HAProxy's server status text (stats.c, srv_hlt_st and the admin states). */
export function serverStatusText(s: ServerSnapshot): string {
  if (s.status === 'MAINT') return 'MAINT';
  if (s.draining) return 'DRAIN';
  const c = s.check;
  if (c === null || c.disabled) return s.status === 'UP' ? 'no check' : s.status;
  const full = c.rise + c.fall - 1;
  if (s.status === 'UP') return c.health >= full ? 'UP' : `UP ${c.health - c.rise + 1}/${c.fall}`;
  return c.health === 0 ? 'DOWN' : `DOWN ${c.health}/${c.rise}`;
}

const checked = (s: ServerSnapshot): boolean => s.check !== null && !s.check.disabled;

const lastSess = (counters: Record<string, number>, now: number): number => {
  const at = counters.lastSessMs ?? 0;
  return at === 0 ? -1 : seconds(now - at);
};

const COLUMNS: readonly Column[] = [
  { name: 'pxname', fe: (r) => fe(r).name, be: (r) => be(r).name, srv: (r) => be(r).name },
  { name: 'svname', fe: () => 'FRONTEND', be: () => 'BACKEND', srv: (r) => sv(r).name },
  { name: 'qcur', be: (r) => be(r).qcur, srv: zero },
  { name: 'qmax', be: beC('qmax'), srv: svC('qmax') },
  { name: 'scur', fe: (r) => fe(r).scur, be: (r) => be(r).scur, srv: (r) => sv(r).scur },
  { name: 'smax', fe: feC('smax'), be: beC('smax'), srv: svC('smax') },
  { name: 'slim', fe: (r) => fe(r).maxconn ?? '', be: (r) => be(r).maxconn ?? '', srv: (r) => sv(r).maxconn || '' },
  { name: 'stot', fe: feC('stot'), be: beC('stot'), srv: svC('stot') },
  { name: 'bin', fe: feC('bin'), be: beC('bin'), srv: svC('bin') },
  { name: 'bout', fe: feC('bout'), be: beC('bout'), srv: svC('bout') },
  { name: 'dreq', fe: feC('dreq'), be: zero },
  { name: 'dresp', fe: zero, be: zero, srv: zero },
  { name: 'ereq', fe: feC('ereq') },
  { name: 'econ', be: beC('econ'), srv: svC('econ') },
  { name: 'eresp', be: beC('eresp'), srv: svC('eresp') },
  { name: 'wretr', be: beC('wretr'), srv: svC('wretr') },
  { name: 'wredis', be: beC('wredis'), srv: svC('wredis') },
  {
    name: 'status',
    fe: () => 'OPEN',
    be: (r) => (serversInUse(be(r)).length > 0 ? 'UP' : 'DOWN'),
    srv: (r) => serverStatusText(sv(r)),
  },
  { name: 'weight', be: (r) => serversInUse(be(r)).reduce((n, s) => n + s.userWeight, 0), srv: (r) => sv(r).userWeight },
  { name: 'act', be: (r) => be(r).servers.filter((s) => !s.backup && usable(s)).length, srv: (r) => (sv(r).backup ? 0 : 1) },
  { name: 'bck', be: (r) => be(r).servers.filter((s) => s.backup && usable(s)).length, srv: (r) => (sv(r).backup ? 1 : 0) },
  { name: 'chkfail', srv: (r) => (checked(sv(r)) ? (sv(r).check?.failedChecks ?? 0) : '') },
  { name: 'chkdown', be: zero, srv: (r) => (checked(sv(r)) ? (sv(r).check?.downTransitions ?? 0) : '') },
  { name: 'lastchg', be: (r) => seconds(r.nowMs - Math.min(...be(r).servers.map((s) => s.lastChangeMs), r.nowMs)), srv: (r) => seconds(r.nowMs - sv(r).lastChangeMs) },
  { name: 'downtime', be: zero, srv: (r) => (checked(sv(r)) ? seconds(sv(r).check?.downtimeMs ?? 0) : '') },
  { name: 'qlimit' },
  { name: 'pid', fe: pid, be: pid, srv: pid },
  { name: 'iid', fe: (r) => fe(r).id, be: (r) => be(r).id, srv: (r) => be(r).id },
  { name: 'sid', fe: zero, be: zero, srv: (r) => sv(r).id },
  { name: 'throttle' },
  { name: 'lbtot', be: beC('lbtot'), srv: svC('lbtot') },
  { name: 'tracked' },
  { name: 'type', fe: (r) => TYPE_NUMBER[r.type], be: (r) => TYPE_NUMBER[r.type], srv: (r) => TYPE_NUMBER[r.type] },
  { name: 'rate', fe: (r) => fe(r).rate.rate, be: (r) => be(r).rate.rate, srv: (r) => sv(r).rate.rate },
  { name: 'rate_lim', fe: zero },
  { name: 'rate_max', fe: (r) => fe(r).rate.max, be: (r) => be(r).rate.max, srv: (r) => sv(r).rate.max },
  { name: 'check_status', srv: (r) => (checked(sv(r)) ? (sv(r).check?.status ?? '') : '') },
  { name: 'check_code', srv: (r) => (checked(sv(r)) ? (sv(r).check?.code ?? '') : '') },
  { name: 'check_duration', srv: (r) => (checked(sv(r)) ? (sv(r).check?.durationMs ?? '') : '') },
  { name: 'hrsp_1xx' }, { name: 'hrsp_2xx' }, { name: 'hrsp_3xx' }, { name: 'hrsp_4xx' }, { name: 'hrsp_5xx' }, { name: 'hrsp_other' },
  { name: 'hanafail' },
  { name: 'req_rate', fe: zero },
  { name: 'req_rate_max', fe: zero },
  { name: 'req_tot', fe: zero },
  { name: 'cli_abrt', be: beC('cliAbrt'), srv: svC('cliAbrt') },
  { name: 'srv_abrt', be: beC('srvAbrt'), srv: svC('srvAbrt') },
  { name: 'comp_in', fe: zero, be: zero },
  { name: 'comp_out', fe: zero, be: zero },
  { name: 'comp_byp', fe: zero, be: zero },
  { name: 'comp_rsp', fe: zero, be: zero },
  { name: 'lastsess', be: (r) => lastSess(be(r).counters, r.nowMs), srv: (r) => lastSess(sv(r).counters, r.nowMs) },
  { name: 'last_chk', srv: (r) => (checked(sv(r)) ? (sv(r).check?.info ?? '') : '') },
  { name: 'last_agt' },
  { name: 'qtime', be: zero, srv: zero },
  { name: 'ctime', be: zero, srv: zero },
  { name: 'rtime', be: zero, srv: zero },
  { name: 'ttime', be: zero, srv: zero },
  { name: 'agent_status' },
  { name: 'agent_code' },
  { name: 'agent_duration' },
  { name: 'check_desc', srv: (r) => (checked(sv(r)) ? (sv(r).check?.description ?? '') : '') },
  { name: 'agent_desc' },
  { name: 'check_rise', srv: (r) => (checked(sv(r)) ? (sv(r).check?.rise ?? '') : '') },
  { name: 'check_fall', srv: (r) => (checked(sv(r)) ? (sv(r).check?.fall ?? '') : '') },
  { name: 'check_health', srv: (r) => (checked(sv(r)) ? (sv(r).check?.health ?? '') : '') },
  { name: 'agent_rise' },
  { name: 'agent_fall' },
  { name: 'agent_health' },
  { name: 'addr', srv: (r) => (r.showAddress ? `${sv(r).address.includes(':') ? `[${sv(r).address}]` : sv(r).address}:${sv(r).port}` : '') },
  { name: 'cookie' },
  { name: 'mode', fe: (r) => fe(r).mode, be: (r) => be(r).mode, srv: (r) => be(r).mode },
  { name: 'algo', be: (r) => be(r).balance },
  { name: 'conn_rate', fe: (r) => fe(r).connRate.rate },
  { name: 'conn_rate_max', fe: (r) => fe(r).connRate.max },
  { name: 'conn_tot', fe: feC('connTot') },
  { name: 'intercepted' },
  { name: 'dcon', fe: feC('dcon') },
  { name: 'dses', fe: feC('dses') },
  { name: 'wrew', fe: zero, be: zero, srv: zero },
  { name: 'connect', be: beC('stot'), srv: svC('stot') },
  { name: 'reuse', be: zero, srv: zero },
  { name: 'cache_lookups' },
  { name: 'cache_hits' },
  { name: 'srv_icur', srv: zero },
  { name: 'src_ilim' },
  { name: 'qtime_max', be: zero, srv: zero },
  { name: 'ctime_max', be: zero, srv: zero },
  { name: 'rtime_max', be: zero, srv: zero },
  { name: 'ttime_max', be: zero, srv: zero },
  { name: 'eint', fe: feC('eint'), be: beC('eint'), srv: svC('eint') },
  { name: 'idle_conn_cur', srv: zero },
  { name: 'safe_conn_cur', srv: zero },
  { name: 'used_conn_cur', srv: (r) => sv(r).scur },
  { name: 'need_conn_est', srv: zero },
  { name: 'uweight', be: (r) => serversInUse(be(r)).reduce((n, s) => n + s.userWeight, 0), srv: (r) => sv(r).userWeight },
  { name: 'agg_server_status', be: zero },
  { name: 'agg_server_check_status', be: zero },
  { name: 'agg_check_status', be: zero },
  // HAProxy's separator between the main fields and the stats modules' fields.
  { name: '-', fe: () => '-', be: () => '-', srv: () => '-' },
  // Stats modules (SSL, HTTP/2, HTTP/1): truehop terminates neither, so they count nothing; the
  // columns are there so a parser written for HAProxy 2.6 finds them where it expects them.
  ...['ssl_sess', 'ssl_reused_sess', 'ssl_failed_handshake'].map((name): Column => ({ name, fe: zero, be: zero, srv: zero })),
  ...['h2_headers_rcvd', 'h2_data_rcvd', 'h2_settings_rcvd', 'h2_rst_stream_rcvd', 'h2_goaway_rcvd', 'h2_detected_conn_protocol_errors',
    'h2_detected_strm_protocol_errors', 'h2_rst_stream_resp', 'h2_goaway_resp', 'h2_open_connections', 'h2_backend_open_streams',
    'h2_total_connections', 'h2_backend_total_streams', 'h1_open_connections', 'h1_open_streams', 'h1_total_connections',
    'h1_total_streams', 'h1_bytes_in', 'h1_bytes_out', 'h1_spliced_bytes_in', 'h1_spliced_bytes_out',
  ].map((name): Column => ({ name, fe: zero, be: zero })),
];

/** The column names in HAProxy 2.6's order (`show stat`'s header without "# "). */
export const STAT_COLUMN_NAMES: readonly string[] = COLUMNS.map((c) => c.name);

/** One row's values, in column order ('' where the row type has no such column). */
export function statRow(r: StatRowInput): Value[] {
  return COLUMNS.map((c) => {
    const get = r.type === 'frontend' ? c.fe : r.type === 'backend' ? c.be : c.srv;
    return get === undefined ? '' : get(r);
  });
}

export interface StatSnapshotView {
  frontends: readonly FrontendSnapshot[];
  backends: readonly BackendSnapshot[];
}

/**
 * Every row in HAProxy's order: proxies by id; in each, the FRONTEND row, the servers, then the
 * BACKEND row (a `listen` has all three).
 */
export function statRows(view: StatSnapshotView, nowMs: number, showAddress: boolean): StatRowInput[] {
  const ids = new Map<number, { frontend?: FrontendSnapshot; backend?: BackendSnapshot }>();
  for (const f of view.frontends) (ids.get(f.id) ?? ids.set(f.id, {}).get(f.id) ?? {}).frontend = f;
  for (const b of view.backends) (ids.get(b.id) ?? ids.set(b.id, {}).get(b.id) ?? {}).backend = b;
  const rows: StatRowInput[] = [];
  for (const id of [...ids.keys()].sort((a, b) => a - b)) {
    const p = ids.get(id);
    if (p?.frontend !== undefined) rows.push({ type: 'frontend', frontend: p.frontend, nowMs, showAddress });
    const backend = p?.backend;
    if (backend === undefined) continue;
    for (const server of backend.servers) rows.push({ type: 'server', backend, server, nowMs, showAddress });
    rows.push({ type: 'backend', backend, nowMs, showAddress });
  }
  return rows;
}

/** A CSV field as HAProxy writes it (stats.c csv_enc): quoted when it holds a comma, quote or newline. */
function csvField(v: Value): string {
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** `show stat` output: the header line and one line per row, each ending with a comma as HAProxy's. */
export function formatStatCsv(rows: readonly StatRowInput[]): string {
  let out = `# ${STAT_COLUMN_NAMES.join(',')},\n`;
  for (const r of rows) out += `${statRow(r).map(csvField).join(',')},\n`;
  return `${out}\n`;
}
