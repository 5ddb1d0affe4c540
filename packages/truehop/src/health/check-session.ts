// The SessionContext a health check hands to `set-proxy-v2-tlv-fmt` formats. A check has no
// client: the "client" is the check connection's own local end and the "local" side is the
// server it connects to, i.e. exactly the addresses HAProxy puts in a check's header when it
// sends PROXY (§4.8, §4.9). The check connection is also the server connection, so %bi/%bp
// and %si/%sp name its two ends. Variables are empty and private to the check.
import { adoptProxyHeader, createSessionContext, recordServerConnection } from '../model/session-context.js';
import type { Endpoint, SessionContext } from '../model/session.js';
import type { Sample } from '../sample/types.js';

export interface CheckSessionInput {
  backend: string;
  server: string;
  local: Endpoint;
  peer: Endpoint;
  startedAtMs: number;
  procVars: Map<string, Sample>;
}

export function checkSessionContext(input: CheckSessionInput): SessionContext {
  const ctx = createSessionContext({
    realClient: input.local,
    realLocal: input.peer,
    // A check belongs to no frontend; formats that name one see an empty string.
    frontendName: '',
    procVars: input.procVars,
    acceptedAtMs: input.startedAtMs,
    phase: 'backend',
  });
  adoptProxyHeader(ctx, null);
  ctx.backendName = input.backend;
  ctx.serverName = input.server;
  recordServerConnection(ctx, input.local, input.peer);
  // A check's formats render before it ends: its total time reads 0, not "unknown".
  ctx.stats.totalMs = 0;
  return ctx;
}
