// Sample types, as HAProxy has them (src/sample.c): every fetch produces, and every
// converter consumes and produces, one of these. Binary values are Buffers (views where
// possible) so a TLV value with NUL bytes travels intact.
//
// `str` values are BYTE strings (one char per byte, Node's 'latin1'): HAProxy strings are
// byte sequences and `fc_pp_tlv()` returns raw TLV bytes typed as a string (§4.11). Use
// `textFromByteString()` / `sampleToBuffer()` (sample/byte-string.ts, sample/render.ts) to get
// UTF-8 text or bytes out of a sample.

export type SampleType = 'bool' | 'int' | 'ipv4' | 'ipv6' | 'str' | 'bin';

export type Sample =
  | { type: 'bool'; value: boolean }
  | { type: 'int'; value: number } // HAProxy ints are signed 64-bit; we keep safe integers
  | { type: 'ipv4'; value: string }
  | { type: 'ipv6'; value: string }
  /**
   * `raw`, when present, holds exactly the bytes of `value` (a view, e.g. the TLV value that
   * fc_pp_tlv read): the str → bin cast then slices it instead of re-encoding the string.
   */
  | { type: 'str'; value: string; raw?: Buffer }
  | { type: 'bin'; value: Buffer };

/**
 * Types known at load time. Besides the six runtime types, HAProxy's two pseudo types:
 * `addr` (ipv4 or ipv6, e.g. ipmask's input and output) and `any` (accepts everything).
 */
export type StaticType = SampleType | 'addr' | 'any';

export const SAMPLE_TYPES: readonly SampleType[] = ['bool', 'int', 'ipv4', 'ipv6', 'str', 'bin'];
