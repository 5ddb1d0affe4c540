// CRC-32C (Castagnoli), the checksum of PP2_TYPE_CRC32C (§3.3): reflected polynomial
// 0x82F63B78, initial value 0xFFFFFFFF, final XOR 0xFFFFFFFF. Slicing-by-8 tables: eight bytes
// per step, so checking a typical 50-byte header costs a few dozen table reads.

const POLY = 0x82f63b78;
const TABLE = new Int32Array(8 * 256);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
  TABLE[n] = c;
}
for (let n = 0; n < 256; n++) {
  let c = TABLE[n]!;
  for (let k = 1; k < 8; k++) {
    c = TABLE[c & 0xff]! ^ (c >>> 8);
    TABLE[k * 256 + n] = c;
  }
}

/**
 * Advances a raw (not yet inverted) CRC state over `data[start..end)`. Internal building block:
 * lets the decoder hash a header in pieces with the checksum bytes taken as zero, without
 * copying the header.
 */
export function crc32cUpdate(state: number, data: Uint8Array, start: number, end: number): number {
  const t = TABLE;
  let i = start;
  for (; i + 8 <= end; i += 8) {
    const a = state ^ (data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24));
    state =
      t[1792 + (a & 0xff)]! ^
      t[1536 + ((a >>> 8) & 0xff)]! ^
      t[1280 + ((a >>> 16) & 0xff)]! ^
      t[1024 + (a >>> 24)]! ^
      t[768 + data[i + 4]!]! ^
      t[512 + data[i + 5]!]! ^
      t[256 + data[i + 6]!]! ^
      t[data[i + 7]!]!;
  }
  for (; i < end; i++) state = t[(state ^ data[i]!) & 0xff]! ^ (state >>> 8);
  return state;
}

/** Advances a raw CRC state over `count` zero bytes. */
export function crc32cUpdateZeros(state: number, count: number): number {
  for (let i = 0; i < count; i++) state = TABLE[state & 0xff]! ^ (state >>> 8);
  return state;
}

/**
 * CRC-32C of `data`, unsigned. `previous` continues an earlier result, so
 * `crc32c(b, crc32c(a))` equals `crc32c(a ‖ b)`. Check value: `crc32c("123456789") = 0xE3069283`.
 */
export function crc32c(data: Uint8Array, previous = 0): number {
  return ~crc32cUpdate(~previous, data, 0, data.length) >>> 0;
}
