// HAProxy time values (configuration manual §2.5, parse_time_err): an unsigned integer followed
// by an optional unit `us`, `ms`, `s`, `m`, `h` or `d`; without a unit the keyword's default
// unit applies (milliseconds for every timeout, check interval and inspect-delay). Results are
// milliseconds. The one parser for every time value of the configuration.

/**
 * HAProxy stores timers as signed 32-bit milliseconds and refuses larger values ("timer
 * overflow"); keeping the same cap means a value truehop accepts also works in HAProxy and
 * stays a valid Node timer delay (setTimeout clamps anything above 2^31-1 to 1 ms, which would
 * turn a huge timeout into an instant one).
 */
export const MAX_TIME_MS = 2_147_483_647;

const UNIT_MS: Readonly<Record<string, number>> = {
  us: 0.001,
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

export type TimeResult = { ok: true; ms: number } | { ok: false; reason: string };

export function parseTime(text: string): TimeResult {
  const m = /^([0-9]+)([a-z]*)$/.exec(text);
  if (!m) return { ok: false, reason: `'${text}' is not a time (expected a number with an optional unit us, ms, s, m, h, d)` };
  const digits = m[1] as string;
  const unit = m[2] as string;
  const factor = unit === '' ? 1 : UNIT_MS[unit];
  if (factor === undefined) return { ok: false, reason: `unknown time unit '${unit}' in '${text}' (use us, ms, s, m, h or d)` };
  // Digits beyond 16 would lose precision before the cap check; they overflow anyway.
  if (digits.length > 16) return { ok: false, reason: `timer overflow in '${text}' (maximum ${MAX_TIME_MS} ms, about 24.8 days)` };
  const ms = Math.ceil(Number(digits) * factor);
  if (ms > MAX_TIME_MS) return { ok: false, reason: `timer overflow in '${text}' (maximum ${MAX_TIME_MS} ms, about 24.8 days)` };
  return { ok: true, ms };
}
