// The end of a session, once both sockets are closed: the final figures in the context (%Tt,
// %ts, %ac/%fc/%bc/%sc), the traffic log line, the end event, and the slots given back
// (server, backend queue, maxconn gates) so waiting connections are admitted.
import type { SessionContext } from '../model/session.js';
import { sessionEndChannel } from '../observe/events.js';
import { TRAFFIC_LOG_LEVEL } from '../observe/syslog-format.js';
import { formatTcpLog } from '../observe/tcplog.js';
import type { RuntimeFrontend, SessionHandle } from './frontend.js';
import type { RuntimeBackend } from './runtime-backend.js';
import type { RuntimeServer } from './runtime-server.js';
import type { TermCause, TermPhase } from './termination.js';

/**
 * `backend` is the chosen backend if the session got that far, `server` the server whose slot
 * it still holds; `logged` is false for sessions refused before they became full sessions
 * (connection rule, header), which HAProxy does not log as traffic. Arguments rather than an
 * outcome object: one allocation less per connection.
 */
export function endSession(
  fe: RuntimeFrontend,
  handle: SessionHandle,
  ctx: SessionContext,
  startedAt: number,
  cause: TermCause,
  phase: TermPhase,
  backend: RuntimeBackend | null,
  server: RuntimeServer | null,
  logged: boolean,
): void {
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
  if (logged && fe.logs.enabled) {
    const line = fe.model.logFormat !== undefined
      ? fe.model.logFormat.render(ctx).toString('latin1')
      : formatTcpLog(ctx, { server: 0, backend: backend?.queueLength ?? 0 });
    fe.logs.send(line, TRAFFIC_LOG_LEVEL, Date.now());
  }
  if (sessionEndChannel.hasSubscribers) sessionEndChannel.publish({ ctx });
  if (server !== null && backend !== null) backend.release(server);
  shared.counters.sessionsActive--;
  shared.globalGate.active--;
  fe.gate.active--;
  fe.active--;
  shared.sessions.delete(handle);
  shared.admitWaiting();
  if (shared.sessions.size === 0) shared.onIdle();
}
