// Public API of @truehop/node.
export { acceptProxyProtocol, getStats } from './server.js';
export { getProxyInfo } from './socket-info.js';
export type { ProxyInfo } from './socket-info.js';
export { HEADER_TIMEOUT_MS, MIN_MAX_HEADER_BYTES } from './policy.js';
export type { AcceptProxyOptions, ProxyMode, RejectEvent } from './policy.js';
export type { TrustedSources } from './trusted-sources.js';
export { HeaderReader, readHeader } from './read-header.js';
export type { HeaderReaderOptions, HeaderReaderResult, ReadHeaderOptions, ReadHeaderResult } from './read-header.js';
export { STATS_FIELDS } from './stats.js';
export type { ProxyStats } from './stats.js';
export { DIAGNOSTICS_CHANNELS } from './diagnostics.js';
export type { HeaderEvent } from './diagnostics.js';
export { REJECT_CODES, ProxyServerError, isProxyServerError, PROXY_SERVER_ERROR_CODES } from './errors.js';
export type { RejectCode, ProxyServerErrorCode } from './errors.js';
// The fastify adapter is the subpath `@truehop/node/fastify`, not re-exported here: it loads
// node:http, node:https and node:http2, which a net or tls server has no use for.
// Re-exported so one import gives the error class and the header helpers used with getProxyInfo().
export { ProxyProtocolError, isProxyProtocolError, PROXY_ERROR_CODES } from '@truehop/proxy-protocol';
export type { ProxyHeader, Tlv } from '@truehop/proxy-protocol';
