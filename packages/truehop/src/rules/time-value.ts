// HAProxy time values (`tcp-request inspect-delay 5s`): a number and an optional unit,
// milliseconds by default (HAProxy parse_time_err).
const UNIT_MS: Readonly<Record<string, number>> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Longest delay we accept: 2^31-1 ms, Node's timer limit (HAProxy's limit is the same order). */
export const MAX_TIME_MS = 2_147_483_647;

export function parseTimeMs(text: string): number | string {
  const m = /^(\d+)([a-z]*)$/.exec(text);
  if (m === null) return `'${text}' is not a time value (a number with an optional unit us, ms, s, m, h, d)`;
  const factor = UNIT_MS[m[2] === '' ? 'ms' : (m[2] as string)];
  if (factor === undefined) return `unknown time unit '${m[2]}' in '${text}' (us, ms, s, m, h, d)`;
  const ms = Math.ceil(Number(m[1]) * factor);
  if (ms > MAX_TIME_MS) return `time value '${text}' is too large (max ${MAX_TIME_MS} ms)`;
  return ms;
}
