// The SessionContext a health check hands to `set-proxy-v2-tlv-fmt` formats. A check has no
// client: the "client" is the check connection's own local end and the "local" side is the
// server it connects to, i.e. exactly the addresses HAProxy puts in a check's header when it
// sends PROXY (§4.8, §4.9). Variables are empty and private to the check.
import type { Endpoint, SessionContext, SessionStats } from '../model/session.js';
import type { Sample } from '../sample/types.js';

export interface CheckSessionInput {
  backend: string;
  server: string;
  local: Endpoint;
  peer: Endpoint;
  startedAtMs: number;
  procVars: Map<string, Sample>;
}

function emptyStats(): SessionStats {
  return {
    queueMs: -1,
    connectMs: -1,
    totalMs: 0,
    bytesToClient: 0,
    bytesFromClient: 0,
    terminationState: '--',
    retries: 0,
    activeConns: 0,
    frontendConns: 0,
    backendConns: 0,
    serverConns: 0,
  };
}

export function checkSessionContext(input: CheckSessionInput): SessionContext {
  return {
    realClient: input.local,
    realLocal: input.peer,
    proxyHeader: null,
    client: input.local,
    local: input.peer,
    phase: 'backend',
    errorCode: null,
    // A check belongs to no frontend; formats that name one see an empty string.
    frontendName: '',
    backendName: input.backend,
    serverName: input.server,
    vars: new Map(),
    procVars: input.procVars,
    acceptedAtMs: input.startedAtMs,
    uniqueId: null,
    stats: emptyStats(),
  };
}
