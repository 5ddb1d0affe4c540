// A TLV as decode() hands it out (§3.1). Its `value` is a view of the decoded bytes, made on the
// first read and then kept: a Buffer view costs about as much as decoding the rest of a small
// header (~40 ns), and most receivers read the client address and at most one TLV, so a header
// whose TLVs nobody reads (a CRC32C that was already verified, an AUTHORITY the receiver ignores)
// no longer pays for them. Reading `value` gives the same bytes, the same kind of object (a Buffer
// view when the input was a Buffer) and the same identity on every read as an eager view would.
import type { Tlv } from './header.js';

const INSPECT = Symbol.for('nodejs.util.inspect.custom');

export class DecodedTlv implements Tlv {
  type: number;
  readonly #bytes: Uint8Array;
  readonly #start: number;
  readonly #end: number;
  #value: Uint8Array | undefined;

  constructor(bytes: Uint8Array, start: number, end: number) {
    this.type = bytes[start - 3]!;
    this.#bytes = bytes;
    this.#start = start;
    this.#end = end;
    this.#value = undefined;
  }

  /** The value bytes: a view (subarray) of the decoded input, never a copy. */
  get value(): Uint8Array {
    return (this.#value ??= this.#bytes.subarray(this.#start, this.#end));
  }

  set value(value: Uint8Array) {
    this.#value = value;
  }

  /** `{ type, value }`, as an eagerly built TLV serialises. */
  toJSON(): Tlv {
    return { type: this.type, value: this.value };
  }

  /** console.log / util.inspect show the value, not a getter. */
  [INSPECT](): Tlv {
    return this.toJSON();
  }
}
