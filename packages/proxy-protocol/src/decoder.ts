// ProxyHeaderDecoder: decode() for a stream. Fed chunks of any size (one byte at a time
// included), it answers incomplete / not-proxy / complete and hands back the bytes after the
// header untouched (§2.6: tolerate fragmentation, never process payload before a complete
// valid header). It buffers at most the cap of the version being read: a v1 line never beyond
// 107 bytes, a v2 header never beyond its announced 16+len (itself capped), so a peer cannot
// grow it (memory exhaustion). The time limit belongs to the caller (header timeout, §2.6).
import { Buffer } from 'node:buffer';
import { decodeWithCaps, resolveCaps } from './decode.js';
import { versionOfFirstByte } from './detect.js';
import { ProxyProtocolError } from './errors.js';
import type { ProxyHeader } from './header.js';
import type { DecodeIncomplete, DecodeNotProxy, DecodeOptions, DecodeResult } from './result.js';
import type { TlvProgress } from './tlv-walk.js';

export interface DecoderComplete {
  readonly status: 'complete';
  readonly header: ProxyHeader;
  /** Header bytes consumed over all pushes. */
  readonly length: number;
  /** The bytes that followed the header in the last chunk (possibly empty), untouched. */
  readonly rest: Buffer;
}
export type DecoderStep = DecodeIncomplete | DecodeNotProxy | DecoderComplete;

function asBuffer(chunk: Uint8Array): Buffer {
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

export class ProxyHeaderDecoder {
  readonly #maxV2: number;
  readonly #maxV1: number;
  #buffer: Buffer | null = null;
  #length = 0;
  #pushed = false;
  #done = false;
  /** Where the TLV headers of a partial v2 header were checked up to (each is checked once). */
  readonly #progress: TlvProgress = { next: 0, crcSeen: false, subNext: 0 };

  constructor(options?: DecodeOptions) {
    [this.#maxV2, this.#maxV1] = resolveCaps(options);
  }

  /** Bytes held while waiting for the rest of a header. */
  get bufferedBytes(): number {
    return this.#length;
  }

  /**
   * Feeds the next chunk. Throws ProxyProtocolError on a malformed header (incl. TOO_LARGE),
   * and a plain Error when called again after 'complete' or 'not-proxy'.
   */
  push(chunk: Uint8Array): DecoderStep {
    if (this.#done) throw new Error('ProxyHeaderDecoder: push() after the header was decided');
    if (chunk.length > 0) this.#pushed = true;
    if (this.#length === 0) {
      // Nothing buffered: decode the caller's chunk in place (the common case, no copy).
      const r = this.#decide(chunk);
      if (r.status === 'complete') {
        return { status: 'complete', header: r.header, length: r.length, rest: asBuffer(chunk).subarray(r.length) };
      }
      if (r.status === 'incomplete') this.#append(chunk, 0, chunk.length);
      return r;
    }
    // Take no more than the version's cap can ever need; the rest stays in `chunk` for `rest`.
    const before = this.#length;
    const cap = versionOfFirstByte(this.#buffer![0]!) === 2 ? this.#maxV2 : this.#maxV1;
    const take = Math.min(chunk.length, cap - before);
    this.#append(chunk, 0, take);
    const r = this.#decide(this.#buffer!.subarray(0, this.#length));
    if (r.status === 'complete') {
      // #decide dropped the buffer: the header's TLV views keep that memory, never reused here.
      return { status: 'complete', header: r.header, length: r.length, rest: asBuffer(chunk).subarray(r.length - before) };
    }
    return r;
  }

  /**
   * The stream ended. Throws TRUNCATED if part of a header is buffered, EMPTY if no byte ever
   * came; does nothing once a header was decoded or the stream was declared not-proxy.
   */
  end(): void {
    if (this.#done) return;
    this.#done = true;
    const buffered = this.#length;
    this.#buffer = null;
    this.#length = 0;
    // A peer that stops mid-header gets no partial result (§2.6: never use a partial header).
    if (!this.#pushed || buffered === 0) throw new ProxyProtocolError('EMPTY', 'stream ended before any byte arrived');
    throw new ProxyProtocolError('TRUNCATED', `stream ended inside a PROXY header after ${buffered} bytes`);
  }

  /** Decodes; any outcome but 'incomplete' (a throw included) ends the decoder. */
  #decide(bytes: Uint8Array): DecodeResult {
    const buffer = this.#buffer;
    const length = this.#length;
    this.#done = true;
    this.#buffer = null;
    this.#length = 0;
    const r = decodeWithCaps(bytes, this.#maxV2, this.#maxV1, true, this.#progress);
    if (r.status === 'incomplete') {
      this.#done = false;
      this.#buffer = buffer;
      this.#length = length;
    }
    return r;
  }

  #append(chunk: Uint8Array, start: number, end: number): void {
    const n = end - start;
    if (n === 0) return;
    const needed = this.#length + n;
    let buffer = this.#buffer;
    if (buffer === null || buffer.length < needed) {
      const grown = Buffer.allocUnsafe(Math.max(needed, Math.min(2 * (buffer?.length ?? 64), this.#maxV2)));
      if (buffer !== null) buffer.copy(grown, 0, 0, this.#length);
      buffer = this.#buffer = grown;
    }
    buffer.set(chunk.subarray(start, end), this.#length);
    this.#length = needed;
  }
}
