// Renders the exporter's metric table (prometheus-metrics.ts) in Prometheus' text exposition
// format 0.0.4, metric by metric as promex does: HELP, TYPE, then one line per object
// (`proxy`, and `server` for servers, before the metric's own labels such as `state`).
import type { StatsSnapshot } from '../observe/stats-snapshot.js';
import type { MetricDef, MetricValue, ScrapeEnv } from './prometheus-metrics.js';
import { BACKEND_METRICS, FRONTEND_METRICS, PROCESS_METRICS, PROXY_PROTOCOL_METRICS, SERVER_METRICS } from './prometheus-metrics.js';

/** Label values escape backslash, double quote and newline (exposition format 0.0.4). */
function escapeLabel(v: string): string {
  return v.replace(/[\\"\n]/g, (ch) => (ch === '\n' ? '\\n' : `\\${ch}`));
}

/** HELP text escapes backslash and newline. */
function escapeHelp(v: string): string {
  return v.replace(/[\\\n]/g, (ch) => (ch === '\n' ? '\\n' : '\\\\'));
}

function formatNumber(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return '+Inf';
  if (n === -Infinity) return '-Inf';
  return String(n);
}

function labelText(base: readonly (readonly [string, string])[], extra: Readonly<Record<string, string>>): string {
  const all = [...base, ...Object.entries(extra)];
  return all.length === 0 ? '' : `{${all.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}`;
}

interface Item<T> {
  readonly obj: T;
  readonly labels: readonly (readonly [string, string])[];
}

function renderFamily<T>(out: string[], prefix: string, def: MetricDef<T>, items: readonly Item<T>[], env: ScrapeEnv): void {
  const lines: string[] = [];
  const name = prefix + def.name;
  for (const item of items) {
    const v: MetricValue = def.value(item.obj, env);
    if (v === undefined) continue;
    if (typeof v === 'number') lines.push(`${name}${labelText(item.labels, {})} ${formatNumber(v)}`);
    else for (const [labels, value] of v) lines.push(`${name}${labelText(item.labels, labels)} ${formatNumber(value)}`);
  }
  if (lines.length === 0) return;
  out.push(`# HELP ${name} ${escapeHelp(def.help)}`, `# TYPE ${name} ${def.type}`, ...lines);
}

/** The whole scrape: process, frontends, backends, servers, then truehop's PROXY-protocol metrics. */
export function renderMetrics(env: ScrapeEnv): string {
  const s: StatsSnapshot = env.snapshot;
  const out: string[] = [];
  for (const def of PROCESS_METRICS) renderFamily(out, 'haproxy_process_', def, [{ obj: env, labels: [] }], env);
  const frontends = s.frontends.map((fe) => ({ obj: fe, labels: [['proxy', fe.name]] as const }));
  for (const def of FRONTEND_METRICS) renderFamily(out, 'haproxy_frontend_', def, frontends, env);
  const backends = s.backends.map((be) => ({ obj: be, labels: [['proxy', be.name]] as const }));
  for (const def of BACKEND_METRICS) renderFamily(out, 'haproxy_backend_', def, backends, env);
  const servers = s.backends.flatMap((be) => be.servers.map((sv) => ({ obj: sv, labels: [['proxy', be.name], ['server', sv.name]] as const })));
  for (const def of SERVER_METRICS) renderFamily(out, 'haproxy_server_', def, servers, env);
  for (const def of PROXY_PROTOCOL_METRICS) renderFamily(out, 'truehop_proxy_protocol_', def, frontends, env);
  out.push('');
  return out.join('\n');
}
