// Builds the HTTP services of the `mode http` frontends (services/http-service.ts) and what
// they show and do, from the daemon's control (runtime/control.ts): statistics summed over
// the workers, and admin actions applied everywhere they belong. The data path only sees the
// ServiceHandoff shape; the HTTP side never touches the data path.
import process from 'node:process';
import { performance } from 'node:perf_hooks';
import type { TruehopModel } from '../model/config-model.js';
import type { StatsSnapshot } from '../observe/stats-snapshot.js';
import { formatStatCsv, statRows } from '../observe/stat-rows.js';
import { HttpServiceFrontend, type HttpServiceCounters, type ServiceContent } from '../services/http-service.js';
import { renderMetrics } from '../services/prometheus-exposition.js';
import { renderStatsPage } from '../services/stats-page.js';
import { STATS_ACTION_STATUS, type StatsAction, type StatsActionStatus } from '../services/stats-request.js';
import { TRUEHOP_VERSION } from '../version.js';
import { validateAction, type AdminAction } from './admin-actions.js';

/** What the services need of the daemon: the part of DaemonControl they use. */
export interface ServiceControl {
  stats(): Promise<StatsSnapshot>;
  /** HAProxy's error text, or null when done. */
  apply(action: AdminAction): Promise<string | null>;
}

/** The daemon of this very process (single-process mode), as the services use it (control.ts localControl's rules). */
export function localServiceControl(daemon: { stats(): StatsSnapshot; apply(action: AdminAction): void }, model: TruehopModel): ServiceControl {
  return {
    stats: () => Promise.resolve(daemon.stats()),
    apply(action) {
      const error = validateAction(model, action);
      if (error === null) daemon.apply(action);
      return Promise.resolve(error);
    },
  };
}

export interface ServiceProcessFacts {
  readonly model: TruehopModel;
  readonly listeners: () => number;
  readonly stopping: () => boolean;
}

/** The services of every mode http frontend of `model`, by frontend name. */
export function createHttpServices(facts: ServiceProcessFacts, control: () => ServiceControl): Map<string, HttpServiceFrontend> {
  const services = new Map<string, HttpServiceFrontend>();
  const counters = new Map<string, HttpServiceCounters>();
  // Event-loop idle share since the previous scrape: haproxy_process_idle_time_percent.
  let lastElu = performance.eventLoopUtilization();
  const content: ServiceContent = {
    async metrics() {
      const snapshot = await control().stats();
      const elu = performance.eventLoopUtilization(lastElu);
      lastElu = performance.eventLoopUtilization();
      return renderMetrics({
        snapshot, nowMs: Date.now(), http: counters, nbthread: snapshot.processes.length, listeners: facts.listeners(),
        idlePercent: Math.round((1 - elu.utilization) * 100), memory: process.memoryUsage(), stopping: facts.stopping(), version: TRUEHOP_VERSION,
      });
    },
    async statsHtml(view) {
      return renderStatsPage(view, { snapshot: await control().stats(), nowMs: Date.now(), version: TRUEHOP_VERSION });
    },
    async statsCsv() {
      const snapshot = await control().stats();
      return formatStatCsv(statRows(snapshot, Date.now(), false));
    },
    statsAction: (action) => applyAction(control(), action),
  };
  for (const fe of facts.model.frontends.values()) {
    if (fe.services === undefined || fe.binds.length === 0) continue;
    const service = new HttpServiceFrontend(fe, content);
    services.set(fe.name, service);
    counters.set(fe.name, service.counters);
  }
  return services;
}

/** One page action over several servers: DONE, PART (some refused), NONE or ERRP (all refused). */
async function applyAction(control: ServiceControl, action: StatsAction): Promise<StatsActionStatus> {
  let done = 0;
  for (const server of action.servers) {
    const error = await control.apply({ kind: 'server-state', backend: action.backend, server, state: action.action });
    if (error === null) done++;
  }
  if (done === action.servers.length) return STATS_ACTION_STATUS.DONE;
  return done > 0 ? STATS_ACTION_STATUS.PART : STATS_ACTION_STATUS.ERRP;
}
