// `show servers state`, `show backend` and `show sess` in HAProxy 2.6's formats (src/server.c
// dump_servers_state, src/proxy.c, src/stream.c): what scripts that save and restore server
// states, or list backends, parse.
import type { BackendSnapshot, ServerSnapshot, StatsSnapshot } from '../observe/stats-snapshot.js';

/** HAProxy's check status numbers (include/haproxy/check-t.h, HCHK_STATUS_*). */
const CHECK_STATUS_NUMBER: Readonly<Record<string, number>> = {
  INI: 1, SOCKERR: 5, L4OK: 6, L4TOUT: 7, L4CON: 8, L7TOUT: 12, L7RSP: 13, L7OK: 15, L7STS: 17,
};
/** Admin state bits (SRV_ADMF_*): forced maintenance, maintenance from the configuration, forced drain. */
const ADMF_FMAINT = 0x01;
const ADMF_FDRAIN = 0x08;
/** Check state bits (CHK_ST_*). */
const CHK_ST_CONFIGURED = 0x02;
const CHK_ST_ENABLED = 0x04;
const CHK_ST_PAUSED = 0x08;

const SERVERS_STATE_HEADER =
  '# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight srv_time_since_last_change ' +
  'srv_check_status srv_check_result srv_check_health srv_check_state srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn ' +
  'srv_port srvrecord srv_use_ssl srv_check_port srv_check_addr srv_agent_addr srv_agent_port';

function serverStateLine(b: BackendSnapshot, s: ServerSnapshot, nowMs: number): string {
  const c = s.check;
  const opState = s.status === 'UP' ? 2 : 0;
  const admin = (s.status === 'MAINT' ? ADMF_FMAINT : 0) | (s.draining ? ADMF_FDRAIN : 0);
  // Check result: 0 unknown, 2 failed, 3 passed (CHK_RES_*).
  const result = c === null || c.status === 'INI' ? 0 : c.status === 'L4OK' || c.status === 'L7OK' ? 3 : 2;
  const checkState = c === null ? 0 : CHK_ST_CONFIGURED | (c.disabled ? 0 : CHK_ST_ENABLED) | (s.status === 'MAINT' ? CHK_ST_PAUSED : 0);
  return [
    b.id, b.name, s.id, s.name, s.address, opState, admin, s.userWeight, s.initialWeight,
    Math.max(0, Math.floor((nowMs - s.lastChangeMs) / 1000)),
    c === null ? 1 : (CHECK_STATUS_NUMBER[c.status] ?? 0), result, c === null ? (s.status === 'UP' ? 2 : 0) : c.health, checkState,
    0, 0, 0, '-', s.port, '-', 0, 0, '-', '-', 0,
  ].join(' ');
}

/** `show servers state [<backend>]`; null when the backend is unknown. */
export function formatServersState(snapshot: StatsSnapshot, backend: string | undefined, nowMs: number): string | null {
  const list = backend === undefined ? snapshot.backends : snapshot.backends.filter((b) => b.name === backend);
  if (backend !== undefined && list.length === 0) return null;
  let out = `1\n${SERVERS_STATE_HEADER}\n`;
  for (const b of list) for (const s of b.servers) out += `${serverStateLine(b, s, nowMs)}\n`;
  return out;
}

export function formatBackendList(snapshot: StatsSnapshot): string {
  return `# name\n${snapshot.backends.map((b) => `${b.name}\n`).join('')}`;
}

/** `show sess`: one line per session, HAProxy's leading fields (the stream internals it adds are left out). */
export function formatSessions(snapshot: StatsSnapshot): string {
  let out = '';
  for (const p of snapshot.processes) {
    for (const s of p.sessions) {
      out += `pid=${s.pid}: proto=${s.src.split(':').length > 2 ? 'tcpv6' : 'tcpv4'} src=${s.src} fe=${s.frontend} be=${s.backend ?? '<NONE>'} srv=${s.server ?? '<none>'} age=${Math.floor(s.ageMs / 1000)}s\n`;
    }
  }
  return out;
}
