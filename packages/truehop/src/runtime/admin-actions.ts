// What an operator can change on a running daemon (runtime API, stats page): server state
// ready|drain|maint, weight, health checks on/off, maxconn of a frontend or a server, and
// cutting a server's sessions. An action is plain JSON, so the master can check it once and
// send it to every worker; each part is applied where it lives:
//   - the data path (weights, drain, maxconn, sessions) in every process that forwards;
//   - the health monitor (maintenance, checks on/off) where checks run: this process in
//     single-process mode, the master in master-worker mode (it pushes the resulting
//     states to the workers, process/shared-health.ts).
import type { RuntimeBackend } from '../datapath/runtime-backend.js';
import type { RuntimeFrontend, SessionHandle } from '../datapath/frontend.js';
import { TERM_CAUSE } from '../datapath/termination.js';
import type { TruehopModel } from '../model/config-model.js';

export type ServerAdminState = 'ready' | 'drain' | 'maint';

interface ServerRef {
  backend: string;
  server: string;
}

export type AdminAction =
  | ({ kind: 'server-state'; state: ServerAdminState } & ServerRef)
  /** Absolute weight (a `%` request is resolved against the configured weight first). */
  | ({ kind: 'server-weight'; weight: number } & ServerRef)
  | ({ kind: 'server-health'; enabled: boolean } & ServerRef)
  | ({ kind: 'server-maxconn'; maxconn: number } & ServerRef)
  | ({ kind: 'shutdown-sessions' } & ServerRef)
  | { kind: 'frontend-maxconn'; frontend: string; maxconn: number };

/** HAProxy's largest user weight (SRV_UWGHT_MAX). */
export const MAX_WEIGHT = 256;

/** The health side: HealthMonitor implements it (health/monitor.ts). */
export interface HealthControl {
  setMaintenance(backend: string, server: string, on: boolean): boolean;
  setChecksEnabled(backend: string, server: string, enabled: boolean): boolean;
}

/** The data-path side of one process. */
export interface DataPathTarget {
  readonly backends: ReadonlyMap<string, RuntimeBackend>;
  readonly frontends: readonly RuntimeFrontend[];
  readonly sessions: ReadonlySet<SessionHandle>;
}

/**
 * The reason `action` cannot apply to `model`, in HAProxy's words (src/server.c, src/cli.c), or
 * null. Checked once where the command arrives, so every worker applies a valid action.
 */
export function validateAction(model: TruehopModel, action: AdminAction): string | null {
  if (action.kind === 'frontend-maxconn') {
    const fe = model.frontends.get(action.frontend);
    if (fe === undefined || fe.binds.length === 0) return 'No such frontend.';
    if (!Number.isInteger(action.maxconn) || action.maxconn < 0) return 'Value out of range.';
    return null;
  }
  const backend = model.backends.get(action.backend);
  if (backend === undefined) return 'No such backend.';
  const server = backend.servers.find((s) => s.name === action.server);
  if (server === undefined) return 'No such server.';
  switch (action.kind) {
    case 'server-weight':
      if (!Number.isInteger(action.weight) || action.weight < 0 || action.weight > MAX_WEIGHT) return 'Absolute weight can only be between 0 and 256 inclusive.';
      return null;
    case 'server-health':
      if (action.enabled && !server.check.enabled) return 'Health check was not configured on this server, cannot enable.';
      return null;
    case 'server-maxconn':
      if (!Number.isInteger(action.maxconn) || action.maxconn < 0) return 'Value out of range.';
      return null;
    default:
      return null;
  }
}

/** The health-monitor part of an action (maintenance, checks); nothing for the others. */
export function applyToHealth(health: HealthControl, action: AdminAction): void {
  if (action.kind === 'server-state') health.setMaintenance(action.backend, action.server, action.state === 'maint');
  else if (action.kind === 'server-health') health.setChecksEnabled(action.backend, action.server, action.enabled);
}

/** The data-path part of an action, in one process (validated before: unknown names do nothing). */
export function applyToDataPath(target: DataPathTarget, action: AdminAction): void {
  if (action.kind === 'frontend-maxconn') {
    const fe = target.frontends.find((f) => f.name === action.frontend);
    if (fe === undefined) return;
    fe.gate.limit = action.maxconn;
    // A higher limit admits the connections that were waiting for a slot.
    fe.shared.admitWaiting();
    return;
  }
  const backend = target.backends.get(action.backend);
  const server = backend?.servers.find((s) => s.name === action.server);
  if (backend === undefined || server === undefined) return;
  switch (action.kind) {
    case 'server-state':
      // ready and drain leave maintenance (health side); maint keeps the drain flag as HAProxy does.
      if (action.state !== 'maint') server.setAdmin(server.userWeight, action.state === 'drain');
      break;
    case 'server-weight':
      server.setAdmin(action.weight, server.draining);
      break;
    case 'server-maxconn':
      server.maxconn = action.maxconn;
      break;
    case 'shutdown-sessions':
      for (const session of [...target.sessions]) if (session.serverOf() === server) session.abort(TERM_CAUSE.KILLED);
      return;
    case 'server-health':
      return;
  }
  // More weight or slots may serve sessions waiting in the queue now.
  backend.serversChanged();
}
