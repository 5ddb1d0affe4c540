// Which version a stream speaks. The first byte alone decides (§2.6): 'P' (0x50) can only begin
// a v1 line, 0x0D only the v2 signature, anything else is not a PROXY header. No sniffing, no
// fallback to "maybe plain traffic": a listener that requires a header refuses the rest (§1.3).
const V1_PREFIX = [0x50, 0x52, 0x4f, 0x58, 0x59, 0x20]; // "PROXY "
const V2_SIGNATURE = [0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a];

export type DetectedVersion = 1 | 2 | 'not-proxy' | 'incomplete';

/**
 * 1 or 2 once the bytes seen so far match the v1 prefix `PROXY ` or the v2 signature
 * (plus version nibble 2) in full, 'incomplete' while they are a proper prefix of one,
 * 'not-proxy' as soon as they cannot begin either. Detection only: `decode` validates the rest.
 */
export function detectVersion(input: Uint8Array): DetectedVersion {
  if (input.length === 0) return 'incomplete';
  const b0 = input[0];
  const expected = b0 === 0x50 ? V1_PREFIX : b0 === 0x0d ? V2_SIGNATURE : undefined;
  if (expected === undefined) return 'not-proxy';
  const n = Math.min(input.length, expected.length);
  for (let i = 1; i < n; i++) if (input[i] !== expected[i]) return 'not-proxy';
  if (input.length < expected.length) return 'incomplete';
  if (expected === V1_PREFIX) return 1;
  if (input.length < 13) return 'incomplete';
  return input[12]! >> 4 === 2 ? 2 : 'not-proxy';
}
