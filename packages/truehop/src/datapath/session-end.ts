// The end of a session, once both sockets are closed: the final figures in the context (%Tt,
// %ts, %ac/%fc/%bc/%sc), the traffic log line, the end event, and the slots given back
// (server, backend queue, maxconn gates) so waiting connections are admitted.
import { performance } from 'node:perf_hooks';
import type { SessionContext } from '../model/session.js';
import { sessionEndChannel } from '../observe/events.js';
import type { BackendStats } from '../observe/proxy-stats.js';
import { TRAFFIC_LOG_LEVEL } from '../observe/syslog-format.js';
import { formatTcpLog } from '../observe/tcplog.js';
import type { RuntimeFrontend, SessionHandle } from './frontend.js';
import type { RuntimeBackend } from './runtime-backend.js';
import type { RuntimeServer } from './runtime-server.js';
import { TERM_CAUSE, TERM_PHASE, type TermCause, type TermPhase } from './termination.js';
import { FAULT_AT_END, injectFault } from './fault-inject.js';

/**
 * Per-proxy and per-server bytes and aborts (HAProxy's bin, bout, cli_abrt, srv_abrt), added
 * once per session rather than per chunk: the forwarding path keeps only the session's own
 * two byte counts.
 */
function countSessionEnd(
  fe: RuntimeFrontend, backend: RuntimeBackend | null, server: RuntimeServer | null,
  bytesIn: number, bytesOut: number, cause: TermCause, phase: TermPhase,
): void {
  const f = fe.stats;
  f.bin += bytesIn;
  f.bout += bytesOut;
  const clientAbort = cause === TERM_CAUSE.CLIENT_ABORT && phase === TERM_PHASE.DATA;
  const serverAbort = cause === TERM_CAUSE.SERVER_ABORT && phase === TERM_PHASE.DATA;
  if (clientAbort) f.cliAbrt++;
  if (backend !== null) addSessionEnd(backend.stats, bytesIn, bytesOut, clientAbort, serverAbort);
  if (server !== null) addSessionEnd(server.stats, bytesIn, bytesOut, clientAbort, serverAbort);
}

function addSessionEnd(s: BackendStats, bytesIn: number, bytesOut: number, clientAbort: boolean, serverAbort: boolean): void {
  s.bin += bytesIn;
  s.bout += bytesOut;
  if (clientAbort) s.cliAbrt++;
  if (serverAbort) s.srvAbrt++;
}

/**
 * The final figures in the context, the counters, the log line and the end event.
 * `backend` is the chosen backend if the session got that far, `server` the server whose slot
 * it still holds; `logged` is false for sessions refused before they became full sessions
 * (connection rule, header), which HAProxy does not log as traffic. Arguments rather than an
 * outcome object: one allocation less per connection. The caller gives the slots back with
 * releaseSession in a `finally`: a bug here (a log-format, a subscriber) must not hold them.
 */
export function recordSessionEnd(
  fe: RuntimeFrontend,
  ctx: SessionContext,
  startedAt: number,
  cause: TermCause,
  phase: TermPhase,
  backend: RuntimeBackend | null,
  server: RuntimeServer | null,
  logged: boolean,
): void {
  if (FAULT_AT_END !== null) injectFault(FAULT_AT_END, 'end', ctx.frontendName);
  const shared = fe.shared;
  const stats = ctx.stats;
  stats.totalMs = Math.round(performance.now() - startedAt);
  stats.terminationState = cause + phase;
  stats.activeConns = shared.globalGate.active;
  stats.frontendConns = fe.active;
  stats.backendConns = backend?.active ?? 0;
  stats.serverConns = server?.active ?? 0;
  shared.counters.bytesIn += stats.bytesFromClient;
  shared.counters.bytesOut += stats.bytesToClient;
  countSessionEnd(fe, backend, server, stats.bytesFromClient, stats.bytesToClient, cause, phase);
  if (logged && fe.logs.enabled) {
    const line = fe.model.logFormat !== undefined
      ? fe.model.logFormat.render(ctx).toString('latin1')
      : formatTcpLog(ctx, { server: 0, backend: backend?.queueLength ?? 0 });
    fe.logs.send(line, TRAFFIC_LOG_LEVEL, Date.now());
  }
  if (sessionEndChannel.hasSubscribers) sessionEndChannel.publish({ ctx });
}

/**
 * Gives the session's slots back (server, backend queue, maxconn gates) and forgets it, which
 * admits waiting connections. Also the whole end of a session whose end failed twice
 * (ClientSession.forceEnd).
 */
export function releaseSession(fe: RuntimeFrontend, handle: SessionHandle, backend: RuntimeBackend | null, server: RuntimeServer | null): void {
  const shared = fe.shared;
  if (server !== null && backend !== null) backend.release(server);
  shared.counters.sessionsActive--;
  shared.globalGate.active--;
  fe.gate.active--;
  fe.active--;
  shared.sessions.delete(handle);
  shared.admitWaiting();
  if (shared.sessions.size === 0) shared.onIdle();
}
