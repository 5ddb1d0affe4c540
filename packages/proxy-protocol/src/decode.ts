// decode(): one buffer in, one of three outcomes out (incomplete / not-proxy / complete), or a
// ProxyProtocolError for malformed input. detectVersion() picks the version (§2.6).
import { PP2_HEADER_FIXED_BYTES } from './constants.js';
import { detectVersion } from './detect.js';
import { DEFAULT_MAX_V2_HEADER_BYTES, MAX_V1_HEADER_BYTES, MAX_V2_HEADER_BYTES, MIN_V1_HEADER_BYTES } from './limits.js';
import { INCOMPLETE, NOT_PROXY } from './result.js';
import type { DecodeOptions, DecodeResult } from './result.js';
import { decodeV1 } from './v1.js';
import { decodeV2 } from './v2.js';
import type { TlvProgress } from './tlv-walk.js';

/** Resolved caps: [v2 total, v1 line]. Bad options are a programming error (RangeError). */
export function resolveCaps(options: DecodeOptions | undefined): [number, number] {
  if (options === undefined) return [DEFAULT_MAX_V2_HEADER_BYTES, MAX_V1_HEADER_BYTES];
  const v2 = options.maxHeaderBytes ?? DEFAULT_MAX_V2_HEADER_BYTES;
  const v1 = options.maxV1HeaderBytes ?? MAX_V1_HEADER_BYTES;
  if (!Number.isInteger(v2) || v2 < PP2_HEADER_FIXED_BYTES || v2 > MAX_V2_HEADER_BYTES) {
    throw new RangeError(`maxHeaderBytes must be an integer in ${PP2_HEADER_FIXED_BYTES}..${MAX_V2_HEADER_BYTES}`);
  }
  if (!Number.isInteger(v1) || v1 < MIN_V1_HEADER_BYTES || v1 > MAX_V1_HEADER_BYTES) {
    throw new RangeError(`maxV1HeaderBytes must be an integer in ${MIN_V1_HEADER_BYTES}..${MAX_V1_HEADER_BYTES}`);
  }
  return [v2, v1];
}

/** decode() with caps already resolved (the incremental decoder resolves them once). */
export function decodeWithCaps(
  input: Uint8Array, maxV2Bytes: number, maxV1Bytes: number, capEarly: boolean, progress?: TlvProgress,
): DecodeResult {
  const version = detectVersion(input);
  if (version === 2) return decodeV2(input, maxV2Bytes, capEarly, progress);
  if (version === 1) return decodeV1(input, maxV1Bytes);
  return version === 'incomplete' ? INCOMPLETE : NOT_PROXY;
}

/**
 * Decodes the PROXY header at the start of `input` (v1 or v2, auto-detected).
 * - `{ status: 'incomplete' }`: a valid prefix; call again with more bytes.
 * - `{ status: 'not-proxy' }`: these bytes cannot begin any PROXY header.
 * - `{ status: 'complete', header, length }`: `length` is the exact header size; the bytes
 *   after it are payload. TLV values are views into `input`.
 * Malformed input throws ProxyProtocolError with a stable `code` (see docs/errors.md).
 * The v2 cap (`maxHeaderBytes`) is applied to a complete header: decode() buffers nothing, so
 * a legal prefix stays `incomplete`; ProxyHeaderDecoder, which buffers, refuses as soon as the
 * `len` field announces more than the cap.
 */
export function decode(input: Uint8Array, options?: DecodeOptions): DecodeResult {
  if (options === undefined) return decodeWithCaps(input, DEFAULT_MAX_V2_HEADER_BYTES, MAX_V1_HEADER_BYTES, false);
  const [v2, v1] = resolveCaps(options);
  return decodeWithCaps(input, v2, v1, false);
}
