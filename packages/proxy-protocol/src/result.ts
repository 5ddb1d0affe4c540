// The three outcomes of decoding (STYLE.md example 3): a valid prefix that needs more bytes, bytes
// that cannot begin any PROXY header, or a complete header with the exact byte count it used.
// Malformed input is none of these: it throws ProxyProtocolError.
import type { ProxyHeader } from './header.js';

export interface DecodeIncomplete {
  readonly status: 'incomplete';
}
export interface DecodeNotProxy {
  readonly status: 'not-proxy';
}
export interface DecodeComplete {
  readonly status: 'complete';
  readonly header: ProxyHeader;
  /** Exact number of header bytes; everything after them is payload. */
  readonly length: number;
}
export type DecodeResult = DecodeIncomplete | DecodeNotProxy | DecodeComplete;

export interface DecodeOptions {
  /**
   * Cap on a whole v2 header (16 + len), default DEFAULT_MAX_V2_HEADER_BYTES (16384), at most
   * MAX_V2_HEADER_BYTES (65551). A larger `len` is refused (TOO_LARGE) as soon as it is read.
   */
  maxHeaderBytes?: number;
  /** Cap on a v1 line including CRLF, default and at most MAX_V1_HEADER_BYTES (107), at least 15. */
  maxV1HeaderBytes?: number;
}

export const INCOMPLETE: DecodeIncomplete = Object.freeze({ status: 'incomplete' });
export const NOT_PROXY: DecodeNotProxy = Object.freeze({ status: 'not-proxy' });
