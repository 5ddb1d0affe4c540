// Builds a SessionContext with defaults, for tests, benchmarks and tools that evaluate
// compiled expressions outside the data path. The data path builds its own.
import { carriesAddresses } from '@truehop/proxy-protocol';
import type { ProxyHeader } from '@truehop/proxy-protocol';
import type { Endpoint, SessionContext } from '../model/session.js';
import type { Sample } from './types.js';

export interface SessionInit {
  realClient?: Endpoint;
  realLocal?: Endpoint;
  proxyHeader?: ProxyHeader | null;
  phase?: SessionContext['phase'];
  frontendName?: string;
  procVars?: SessionContext['procVars'];
}

function endpointFromHeader(address: string | null, port: number | null): Endpoint | null {
  if (address === null || port === null) return null;
  return { address, port, family: address.includes(':') ? 'IPv6' : 'IPv4' };
}

/** A fresh session; with a header that carries addresses, client/local are the advertised ones. */
export function createSessionContext(init: SessionInit = {}): SessionContext {
  const header = init.proxyHeader ?? null;
  // The codec's rule (TCP over IPv4/IPv6 under PROXY), the one the data path applies.
  const carries = header !== null && carriesAddresses(header);
  return {
    realClient: init.realClient ?? { address: '127.0.0.1', port: 40000, family: 'IPv4' },
    realLocal: init.realLocal ?? { address: '127.0.0.1', port: 8080, family: 'IPv4' },
    proxyHeader: header,
    client: carries ? endpointFromHeader(header.src, header.srcPort) : null,
    local: carries ? endpointFromHeader(header.dst, header.dstPort) : null,
    phase: init.phase ?? 'content',
    errorCode: null,
    frontendName: init.frontendName ?? 'fe_main',
    backendName: null,
    serverName: null,
    vars: new Map<string, Sample>(),
    procVars: init.procVars ?? new Map<string, Sample>(),
    acceptedAtMs: Date.now(),
    uniqueId: null,
    backendLocal: null,
    serverAddress: null,
    stats: {
      queueMs: -1, connectMs: -1, totalMs: 0, bytesToClient: 0, bytesFromClient: 0, terminationState: '--',
      retries: 0, activeConns: 0, frontendConns: 0, backendConns: 0, serverConns: 0,
    },
  };
}
