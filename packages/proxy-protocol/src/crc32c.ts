// CRC-32C (Castagnoli), the checksum of PP2_TYPE_CRC32C (§3.3): reflected polynomial
// 0x82F63B78, initial value 0xFFFFFFFF, final XOR 0xFFFFFFFF.
//
// Slicing-by-16: table k maps a byte to its CRC contribution k bytes further on, so 16 input
// bytes cost 16 independent table reads XOR-ed together instead of 16 dependent byte steps.
// Measured (Node 20, the 2-core shared EPYC VM, CPU time, load ≈ 7) on the 33 bytes a
// TCP4 + AUTHORITY + CRC32C header hashes before its checksum field, and on 1 KiB:
// byte-at-a-time ≈ 2 ns/byte; slicing-by-4 53 ns, 1.16 ns/B; slicing-by-8 with a 4-byte tail
// 40 ns, 0.67 ns/B; slicing-by-16 with a 4-byte tail 38 ns, 0.66 ns/B. The 16 tables are
// 16 KiB of Int32Array, which stays in the L1 data cache.

const POLY = 0x82f63b78;
const SLICES = 16;
/** TABLE[k * 256 + b]: CRC of byte b followed by k zero bytes (k = 0 is the classic table). */
const TABLE = new Int32Array(SLICES * 256);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
  TABLE[n] = c;
}
for (let n = 0; n < 256; n++) {
  let c = TABLE[n]!;
  for (let k = 1; k < SLICES; k++) {
    c = TABLE[c & 0xff]! ^ (c >>> 8);
    TABLE[k * 256 + n] = c;
  }
}

/** One 4-byte step: the state after `word` (the state already XOR-ed with 4 input bytes, LE). */
function step4(word: number): number {
  const t = TABLE;
  return t[768 + (word & 0xff)]! ^ t[512 + ((word >>> 8) & 0xff)]! ^ t[256 + ((word >>> 16) & 0xff)]! ^ t[word >>> 24]!;
}

/**
 * Advances a raw (not yet inverted) CRC state over `data[start..end)`. Internal building block:
 * lets the decoder hash a header in pieces with the checksum bytes taken as zero, without
 * copying the header.
 */
export function crc32cUpdate(state: number, data: Uint8Array, start: number, end: number): number {
  const t = TABLE;
  let i = start;
  for (; i + 16 <= end; i += 16) {
    const a = state ^ (data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24));
    state =
      t[3840 + (a & 0xff)]! ^ t[3584 + ((a >>> 8) & 0xff)]! ^ t[3328 + ((a >>> 16) & 0xff)]! ^ t[3072 + (a >>> 24)]! ^
      t[2816 + data[i + 4]!]! ^ t[2560 + data[i + 5]!]! ^ t[2304 + data[i + 6]!]! ^ t[2048 + data[i + 7]!]! ^
      t[1792 + data[i + 8]!]! ^ t[1536 + data[i + 9]!]! ^ t[1280 + data[i + 10]!]! ^ t[1024 + data[i + 11]!]! ^
      t[768 + data[i + 12]!]! ^ t[512 + data[i + 13]!]! ^ t[256 + data[i + 14]!]! ^ t[data[i + 15]!]!;
  }
  for (; i + 4 <= end; i += 4) {
    state = step4(state ^ (data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24)));
  }
  for (; i < end; i++) state = t[(state ^ data[i]!) & 0xff]! ^ (state >>> 8);
  return state;
}

/**
 * Advances a raw CRC state over the 4 zero bytes that stand for the checksum field while it is
 * verified (§3.3): one 4-byte step, no copy of the header with the field zeroed.
 */
export function crc32cUpdateZeroWord(state: number): number {
  return step4(state);
}

/**
 * CRC-32C of `data`, unsigned. `previous` continues an earlier result, so
 * `crc32c(b, crc32c(a))` equals `crc32c(a ‖ b)`. Check value: `crc32c("123456789") = 0xE3069283`.
 */
export function crc32c(data: Uint8Array, previous = 0): number {
  return ~crc32cUpdate(~previous, data, 0, data.length) >>> 0;
}
