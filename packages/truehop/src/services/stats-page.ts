// The stats page in HTML: one table per frontend and per backend, a row per server (status in
// colour, weight, sessions, bytes, check, last change, downtime), the PROXY-protocol counters of
// each frontend, and, when `stats admin` holds, HAProxy's action form (tick servers, choose
// ready/drain/maint, Apply: a POST to the page). Self-contained: the style is inline, there
// is no script and nothing is loaded from elsewhere, so it works offline. Every value that
// comes from the configuration or the network (names, addresses, check texts) is escaped.
import type { BackendSnapshot, FrontendSnapshot, ServerSnapshot, StatsSnapshot } from '../observe/stats-snapshot.js';
import type { StatsPageView } from './http-service.js';
import { STATS_ACTION_TEXT, STATS_ACTIONS } from './stats-request.js';
import { serverState } from './prometheus-metrics.js';

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text safe inside HTML elements and double-quoted attributes. */
export function escapeHtml(text: string | number): string {
  return String(text).replace(/[&<>"']/g, (ch) => ESCAPES[ch] ?? ch);
}

/** HAProxy's human durations on the page: 2d3h, 5h12m, 3m20s, 42s. */
export function formatDuration(ms: number): string {
  let s = Math.max(0, Math.floor(ms / 1000));
  const d = Math.floor(s / 86400);
  s -= d * 86400;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  if (d > 0) return `${d}d${h}h`;
  if (h > 0) return `${h}h${m}m`;
  if (m > 0) return `${m}m${s}s`;
  return `${s}s`;
}

const STYLE = `
body{font-family:arial,helvetica,sans-serif;font-size:12px;color:#000;background:#fff;margin:8px}
h1{font-size:16px;background:#20377a;color:#fff;padding:4px}
h2{font-size:13px;margin:14px 0 2px}
table.info td{padding:1px 12px 1px 0}
table.px{border-collapse:collapse;margin-bottom:6px;min-width:60%}
table.px th,table.px td{border:1px solid #999;padding:2px 5px;text-align:right;white-space:nowrap}
table.px th{background:#b0b0b0}
table.px td.name,table.px th.name{text-align:left}
table.px tr.title th{background:#20377a;color:#fff;text-align:left}
tr.up td{background:#c0ffc0}
tr.down td{background:#ff9090}
tr.maint td{background:#c0c0ff}
tr.drain td{background:#b0e0ff}
tr.total td{background:#e0e0e0;font-weight:bold}
tr.frontend td{background:#e8f0e8}
p.status{padding:4px;border:1px solid #999}
p.status.ok{background:#c0ffc0}
p.status.ko{background:#ff9090}
table.pp{border-collapse:collapse;margin:2px 0 12px}
table.pp td,table.pp th{border:1px solid #bbb;padding:1px 6px;text-align:left}
`;

function sessionsCells(cur: number, max: number, limit: number | null, total: number): string {
  return `<td>${cur}</td><td>${max}</td><td>${limit ?? '-'}</td><td>${total}</td>`;
}

const c = (o: { counters: Record<string, number> }, k: string): number => o.counters[k] ?? 0;

function frontendTable(fe: FrontendSnapshot): string {
  const pp = fe.proxyProtocol;
  const rejections = Object.entries(pp.rejections).filter(([, n]) => n > 0);
  const tlvs = Object.entries(pp.tlvTypes);
  return `<h2 id="fe-${escapeHtml(fe.name)}">Frontend ${escapeHtml(fe.name)}</h2>
<table class="px" data-frontend="${escapeHtml(fe.name)}">
<tr><th class="name"></th><th colspan="4">Sessions (cur/max/limit/total)</th><th colspan="2">Bytes (in/out)</th><th colspan="3">Denied (conn/sess/req)</th><th>Errors (req)</th><th>Status</th></tr>
<tr class="frontend"><td class="name">Frontend</td>${sessionsCells(fe.scur, c(fe, 'smax'), fe.maxconn, c(fe, 'stot'))}<td>${c(fe, 'bin')}</td><td>${c(fe, 'bout')}</td><td>${c(fe, 'dcon')}</td><td>${c(fe, 'dses')}</td><td>${c(fe, 'dreq')}</td><td>${c(fe, 'ereq')}</td><td>OPEN</td></tr>
</table>
<table class="pp" data-proxy-protocol="${escapeHtml(fe.name)}">
<tr><th>PROXY headers</th><td>v1 ${pp.v1}</td><td>v2 ${pp.v2}</td><td>PROXY ${pp.cmdProxy}</td><td>LOCAL ${pp.cmdLocal}</td></tr>
<tr><th>Rejected</th><td colspan="4">${rejections.length === 0 ? 'none' : rejections.map(([r, n]) => `${escapeHtml(r)} ${n}`).join(', ')}</td></tr>
<tr><th>TLV types seen</th><td colspan="4">${tlvs.length === 0 ? 'none' : tlvs.map(([t, n]) => `0x${Number(t).toString(16).padStart(2, '0')} ${n}`).join(', ')}</td></tr>
</table>`;
}

function checkCell(s: ServerSnapshot): string {
  const ch = s.check;
  if (ch === null) return '<td class="name">no check</td>';
  const code = ch.code !== null ? `/${ch.code}` : '';
  const took = ch.durationMs !== null ? ` in ${ch.durationMs}ms` : '';
  return `<td class="name" title="${escapeHtml(ch.description)}">${escapeHtml(ch.status)}${code}${took}</td>`;
}

function serverRow(s: ServerSnapshot, view: StatsPageView, nowMs: number): string {
  const state = serverState(s);
  const box = view.admin ? `<td><input type="checkbox" name="s" value="${escapeHtml(s.name)}"></td>` : '';
  const downtime = s.check === null ? '-' : formatDuration(s.check.downtimeMs);
  return `<tr class="${state.toLowerCase()}" data-server="${escapeHtml(s.name)}" data-state="${state}">${box}<td class="name">${escapeHtml(s.name)}${s.backup ? ' (backup)' : ''}</td>` +
    `<td class="state">${state}</td><td>${formatDuration(nowMs - s.lastChangeMs)}</td><td class="weight">${state === 'DRAIN' ? 0 : s.userWeight}/${s.initialWeight}</td>` +
    `${sessionsCells(s.scur, c(s, 'smax'), s.maxconn, c(s, 'stot'))}<td>${c(s, 'bin')}</td><td>${c(s, 'bout')}</td>` +
    `<td>${c(s, 'econ')}</td><td>${c(s, 'wretr')}/${c(s, 'wredis')}</td>${checkCell(s)}<td>${downtime}</td></tr>\n`;
}

function backendTable(be: BackendSnapshot, view: StatsPageView, nowMs: number): string {
  const up = be.servers.length === 0 || be.servers.some((s) => s.status === 'UP');
  const head = `<tr><th class="name"${view.admin ? ' colspan="2"' : ''}>Server</th><th>Status</th><th>LastChg</th><th>Weight</th><th colspan="4">Sessions (cur/max/limit/total)</th><th colspan="2">Bytes (in/out)</th><th>Conn errors</th><th>Retr/Redis</th><th class="name">Check</th><th>Downtime</th></tr>`;
  const rows = be.servers.map((s) => serverRow(s, view, nowMs)).join('');
  const total = `<tr class="total"><td class="name"${view.admin ? ' colspan="2"' : ''}>Backend</td><td>${up ? 'UP' : 'DOWN'}</td><td></td><td>${be.servers.filter((s) => serverState(s) === 'UP').reduce((n, s) => n + s.userWeight, 0)}</td>` +
    `${sessionsCells(be.scur, c(be, 'smax'), be.maxconn, c(be, 'stot'))}<td>${c(be, 'bin')}</td><td>${c(be, 'bout')}</td><td>${c(be, 'econ')}</td><td>${c(be, 'wretr')}/${c(be, 'wredis')}</td><td class="name">queue ${be.qcur}</td><td></td></tr>`;
  const table = `<table class="px" data-backend="${escapeHtml(be.name)}">\n${head}\n${rows}${total}\n</table>`;
  if (!view.admin || be.servers.length === 0) return `<h2 id="be-${escapeHtml(be.name)}">Backend ${escapeHtml(be.name)}</h2>\n${table}`;
  const options = STATS_ACTIONS.map((a) => `<option value="${a}">Set state to ${a.toUpperCase()}</option>`).join('');
  return `<h2 id="be-${escapeHtml(be.name)}">Backend ${escapeHtml(be.name)}</h2>
<form method="post" action="${escapeHtml(view.uri)}">
${table}
<p>Choose the action to perform on the checked servers: <select name="action"><option value="">(choose)</option>${options}</select>
<input type="hidden" name="b" value="${escapeHtml(be.name)}"><input type="submit" value="Apply"></p>
</form>`;
}

export interface PageFacts {
  readonly snapshot: StatsSnapshot;
  readonly nowMs: number;
  readonly version: string;
}

export function renderStatsPage(view: StatsPageView, facts: PageFacts): string {
  const { snapshot, nowMs } = facts;
  const procs = snapshot.processes;
  const started = Math.min(...procs.map((p) => p.startedAtMs), nowMs);
  const sessions = procs.reduce((n, p) => n + (p.counters.sessionsActive ?? 0), 0);
  const title = view.page.hideVersion ? 'Statistics Report for truehop' : `Statistics Report for truehop ${escapeHtml(facts.version)}`;
  const status = view.status === undefined ? '' : `<p class="status ${view.status === 'DONE' ? 'ok' : 'ko'}" id="action-status">[${view.status}] ${escapeHtml(STATS_ACTION_TEXT[view.status])}</p>`;
  return `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>${title}</title><style>${STYLE}</style></head>
<body>
<h1>${title}</h1>
<table class="info"><tr><td>pid = ${procs.map((p) => p.pid).join(', ')} (process${procs.length > 1 ? 'es' : ''})</td><td>uptime = ${formatDuration(nowMs - started)}</td><td>current sessions = ${sessions}</td>${view.refresh && view.page.refreshMs !== undefined ? `<td>refresh every ${Math.round(view.page.refreshMs / 1000)}s</td>` : ''}<td><a href="${escapeHtml(view.uri)};csv">CSV export</a></td></tr></table>
${status}
${snapshot.frontends.map(frontendTable).join('\n')}
${snapshot.backends.map((be) => backendTable(be, view, nowMs)).join('\n')}
</body></html>
`;
}
