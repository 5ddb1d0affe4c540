// Integer arguments. HAProxy mostly uses atol() and silently reads `12abc` as 12; truehop is
// strict (digits only) so a typo is reported instead of becoming a surprising value.
// `strtoul` reproduces C's strtoul(…, 0) for the places where HAProxy's exact parsing is part
// of the contract: TLV ids of `set-proxy-v2-tlv-fmt(<id>)` (docs/protocol.md §4.7).

export function parseUnsigned(text: string, max: number): number | undefined {
  if (!/^[0-9]{1,16}$/.test(text)) return undefined;
  const v = Number(text);
  return v <= max ? v : undefined;
}

export interface StrtoulResult {
  value: number;
  /** Index of the first character not consumed (C's `endptr`). */
  end: number;
}

/** C strtoul with base 0: leading spaces, optional sign, `0x` hex, leading `0` octal, else decimal. */
export function strtoul(text: string, start = 0): StrtoulResult {
  let i = start;
  while (i < text.length && /[ \t\n\v\f\r]/.test(text[i] as string)) i++;
  let negative = false;
  if (text[i] === '+' || text[i] === '-') {
    negative = text[i] === '-';
    i++;
  }
  let base = 10;
  if (text[i] === '0' && (text[i + 1] === 'x' || text[i + 1] === 'X') && /[0-9A-Fa-f]/.test(text[i + 2] ?? '')) {
    base = 16;
    i += 2;
  } else if (text[i] === '0') {
    base = 8;
  }
  const digitsStart = i;
  let value = 0n;
  while (i < text.length) {
    const d = parseInt(text[i] as string, 36);
    if (Number.isNaN(d) || d >= base) break;
    value = value * BigInt(base) + BigInt(d);
    i++;
  }
  if (i === digitsStart) return { value: 0, end: start }; // no conversion: endptr = nptr
  // Overflow saturates at ULONG_MAX; negation wraps modulo 2^64. Either way it is > 255 for
  // our callers, which is all that matters: report it as out of range.
  const ULONG_MAX = (1n << 64n) - 1n;
  if (value > ULONG_MAX) value = ULONG_MAX;
  if (negative && value !== 0n) value = (1n << 64n) - value;
  return { value: value > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(value), end: i };
}
