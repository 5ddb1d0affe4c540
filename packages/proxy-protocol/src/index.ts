// Public API of @truehop/proxy-protocol: PROXY protocol v1/v2 decode (one-shot and incremental),
// encode byte-identical to HAProxy, CRC32C, TLV helpers, typed errors. Zero dependencies.
// Vendor TLVs (AWS, Azure, GCP) are separate entry points: @truehop/proxy-protocol/aws etc.
export * from './constants.js';
export * from './header.js';
export * from './errors.js';
export * from './limits.js';
export * from './result.js';
export { decode } from './decode.js';
export { ProxyHeaderDecoder } from './decoder.js';
export type { DecoderComplete, DecoderStep } from './decoder.js';
export { encode } from './encode.js';
export type { EncodeInput, EncodeOptions } from './encode.js';
export { detectVersion } from './detect.js';
export type { DetectedVersion } from './detect.js';
export { crc32c } from './crc32c.js';
// The one set of IP text helpers (strict inet_pton grammar, inet_ntop text): the daemon's
// address casts, ACLs and log formats build on these too.
export { formatIPv4, isIPv4, writeIPv4 } from './ipv4.js';
export { formatIPv6, parseIPv6, isIPv6, canonicalIPv6, writeIPv6 } from './ipv6.js';
export { walkTlvs } from './tlv-walk.js';
export * from './tlv.js';
export * from './tlv/ssl.js';
