// `show info`: HAProxy 2.6's keys in its order (src/stats.c, `enum info_field`), so scripts that
// read a key find it. Values truehop has (pid, uptime, connections, rates, bytes) are filled in;
// the others (SSL, pipes, pools, compression) are 0 because truehop has no such thing.
import process from 'node:process';
import type { StatsSnapshot } from '../observe/stats-snapshot.js';
import { TRUEHOP_VERSION } from '../version.js';

const VERSION = TRUEHOP_VERSION;

/** HAProxy 2.6 prints these keys, in this order (`show info`). */
export const INFO_KEYS = [
  'Name', 'Version', 'Release_date', 'Nbthread', 'Nbproc', 'Process_num', 'Pid', 'Uptime', 'Uptime_sec', 'Memmax_MB',
  'PoolAlloc_MB', 'PoolUsed_MB', 'PoolFailed', 'Ulimit-n', 'Maxsock', 'Maxconn', 'Hard_maxconn', 'CurrConns', 'CumConns',
  'CumReq', 'MaxSslConns', 'CurrSslConns', 'CumSslConns', 'Maxpipes', 'PipesUsed', 'PipesFree', 'ConnRate', 'ConnRateLimit',
  'MaxConnRate', 'SessRate', 'SessRateLimit', 'MaxSessRate', 'SslRate', 'SslRateLimit', 'MaxSslRate', 'SslFrontendKeyRate',
  'SslFrontendMaxKeyRate', 'SslFrontendSessionReuse_pct', 'SslBackendKeyRate', 'SslBackendMaxKeyRate', 'SslCacheLookups',
  'SslCacheMisses', 'CompressBpsIn', 'CompressBpsOut', 'CompressBpsRateLim', 'Tasks', 'Run_queue', 'Idle_pct', 'node',
  'Stopping', 'Jobs', 'Unstoppable Jobs', 'Listeners', 'ActivePeers', 'ConnectedPeers', 'DroppedLogs', 'BusyPolling',
  'FailedResolutions', 'TotalBytesOut', 'TotalSplicdedBytesOut', 'BytesOutRate', 'DebugCommandsIssued', 'CumRecvLogs',
  'Build info', 'Memmax_bytes', 'PoolAlloc_bytes', 'PoolUsed_bytes', 'Start_time_sec', 'Tainted',
] as const;

export type InfoKey = (typeof INFO_KEYS)[number];

/** HAProxy's uptime text: `0d 0h01m05s`. */
function formatUptime(sec: number): string {
  const d = Math.floor(sec / 86400);
  const h = Math.floor((sec % 86400) / 3600);
  const m = Math.floor((sec % 3600) / 60);
  const s = sec % 60;
  return `${d}d ${h}h${String(m).padStart(2, '0')}m${String(s).padStart(2, '0')}s`;
}

export interface InfoContext {
  snapshot: StatsSnapshot;
  startedAtMs: number;
  nowMs: number;
  /** Workers (master-worker mode) or 1. */
  processes: number;
  hostname: string;
  listeners: number;
}

export function infoValues(c: InfoContext): Map<InfoKey, string | number> {
  const uptime = Math.max(0, Math.floor((c.nowMs - c.startedAtMs) / 1000));
  const sum = (k: string): number => c.snapshot.processes.reduce((n, p) => n + (p.counters[k] ?? 0), 0);
  const fes = c.snapshot.frontends;
  const connTot = fes.reduce((n, f) => n + (f.counters.connTot ?? 0), 0);
  const maxconn = c.snapshot.processes[0]?.maxconn ?? 0;
  const known: Partial<Record<InfoKey, string | number>> = {
    Name: 'truehop',
    Version: VERSION,
    Release_date: '',
    Nbthread: c.processes,
    Nbproc: 1,
    Process_num: 1,
    Pid: process.pid,
    Uptime: formatUptime(uptime),
    Uptime_sec: uptime,
    Maxconn: maxconn,
    Hard_maxconn: maxconn,
    CurrConns: sum('sessionsActive'),
    CumConns: connTot,
    ConnRate: fes.reduce((n, f) => n + f.connRate.rate, 0),
    MaxConnRate: fes.reduce((n, f) => n + f.connRate.max, 0),
    SessRate: fes.reduce((n, f) => n + f.rate.rate, 0),
    MaxSessRate: fes.reduce((n, f) => n + f.rate.max, 0),
    node: c.hostname,
    Stopping: 0,
    Jobs: sum('sessionsActive') + c.listeners,
    Listeners: c.listeners,
    DroppedLogs: sum('logLinesDropped'),
    TotalBytesOut: sum('bytesOut'),
    'Build info': VERSION,
    Start_time_sec: Math.floor(c.startedAtMs / 1000),
  };
  return new Map(INFO_KEYS.map((k) => [k, known[k] ?? 0]));
}

export function formatInfo(c: InfoContext): string {
  let out = '';
  for (const [k, v] of infoValues(c)) out += `${k}: ${v}\n`;
  return out;
}
