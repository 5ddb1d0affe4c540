// A SessionContext with test defaults (a plain client 127.0.0.1:40000 on 127.0.0.1:8080,
// frontend fe_main, phase content), for tests and benchmarks that evaluate compiled
// expressions outside the data path. Built by the daemon's own factory, so a context here
// has exactly the fields and the header rule of one in the running daemon.
import type { ProxyHeader } from '@truehop/proxy-protocol';
import { adoptProxyHeader, createSessionContext as createContext } from '../../src/model/session-context.js';
import type { Endpoint, SessionContext } from '../../src/model/session.js';
import type { Sample } from '../../src/sample/types.js';

export interface SessionInit {
  realClient?: Endpoint;
  realLocal?: Endpoint;
  proxyHeader?: ProxyHeader | null;
  phase?: SessionContext['phase'];
  frontendName?: string;
  procVars?: SessionContext['procVars'];
}

/** A fresh session; with a header that carries addresses, client/local are the advertised ones. */
export function createSessionContext(init: SessionInit = {}): SessionContext {
  const ctx = createContext({
    realClient: init.realClient ?? { address: '127.0.0.1', port: 40000, family: 'IPv4' },
    realLocal: init.realLocal ?? { address: '127.0.0.1', port: 8080, family: 'IPv4' },
    frontendName: init.frontendName ?? 'fe_main',
    procVars: init.procVars ?? new Map<string, Sample>(),
    acceptedAtMs: Date.now(),
    phase: init.phase ?? 'content',
  });
  const header = init.proxyHeader ?? null;
  if (header !== null) adoptProxyHeader(ctx, header);
  ctx.stats.totalMs = 0;
  return ctx;
}
