// The one place a SessionContext is made and its address fields are filled: the data path
// (one per client session), health checks (one per check whose TLV formats render) and tests
// all go through here, so every field of the context means the same thing everywhere and a
// fetch or log alias that passes its unit test also works in the running daemon.
import { Buffer } from 'node:buffer';
import { carriesAddresses, type ProxyHeader } from '@truehop/proxy-protocol';
import type { Sample } from '../sample/types.js';
import type { Endpoint, Phase, SessionContext } from './session.js';

export interface SessionContextInit {
  /** The real TCP peer of the connection (fc_src). */
  readonly realClient: Endpoint;
  /** The real local end the peer connected to (fc_dst). */
  readonly realLocal: Endpoint;
  readonly frontendName: string;
  readonly procVars: Map<string, Sample>;
  /** Accept time, ms since the epoch. */
  readonly acceptedAtMs: number;
  readonly phase: Phase;
}

const NO_REQUEST_BYTES = Buffer.alloc(0);

/**
 * A fresh context: no header yet (src/dst report the real addresses until `adoptProxyHeader`),
 * no backend, no server connection, empty variables and counters.
 */
export function createSessionContext(init: SessionContextInit): SessionContext {
  return {
    realClient: init.realClient,
    realLocal: init.realLocal,
    proxyHeader: null,
    client: null,
    local: null,
    phase: init.phase,
    errorCode: null,
    frontendName: init.frontendName,
    backendName: null,
    serverName: null,
    vars: null,
    procVars: init.procVars,
    acceptedAtMs: init.acceptedAtMs,
    uniqueId: null,
    backendLocal: null,
    serverAddress: null,
    httpPath: null,
    request: NO_REQUEST_BYTES,
    // Final until the data path opens an inspection window: nothing else ever waits.
    requestFinal: true,
    requestMayChange: false,
    requestMiss: false,
    tls: null,
    stats: {
      queueMs: -1,
      connectMs: -1,
      totalMs: -1,
      bytesToClient: 0,
      bytesFromClient: 0,
      terminationState: '--',
      retries: 0,
      redispatched: false,
      activeConns: 0,
      frontendConns: 0,
      backendConns: 0,
      serverConns: 0,
    },
  };
}

/** Node's `socket.remoteFamily` text (or anything else) as an Endpoint family. */
export function endpointFamily(family: string | undefined): Endpoint['family'] {
  return family === 'IPv6' ? 'IPv6' : 'IPv4';
}

/** An endpoint from a socket's address fields, or null when the socket has none (already reset). */
export function socketEndpoint(address: string | undefined, port: number | undefined, family: string | undefined): Endpoint | null {
  if (address === undefined || port === undefined) return null;
  return { address, port, family: endpointFamily(family) };
}

/**
 * Records the header received on the connection and the addresses `src`/`dst` report from
 * now on: the advertised ones when the header carries addresses by the codec's rule (PROXY,
 * TCP over IPv4/IPv6, §1.4, §2.4), else the real ones (UDP, UNIX, UNSPEC, LOCAL, UNKNOWN).
 */
export function adoptProxyHeader(ctx: SessionContext, header: ProxyHeader | null): void {
  ctx.proxyHeader = header;
  if (header !== null && carriesAddresses(header)) {
    const family = header.family === 'INET' ? 'IPv4' : 'IPv6';
    ctx.client = { address: header.src, port: header.srcPort, family };
    ctx.local = { address: header.dst, port: header.dstPort, family };
    return;
  }
  ctx.client = ctx.realClient;
  ctx.local = ctx.realLocal;
}

/**
 * Records both ends of the connection to the server (%bi %bp on our side, %si %sp on the
 * server's), read from the connected socket. Left null when the socket has already lost them.
 */
export function recordServerConnection(ctx: SessionContext, local: Endpoint | null, server: Endpoint | null): void {
  ctx.backendLocal = local;
  ctx.serverAddress = server;
}
