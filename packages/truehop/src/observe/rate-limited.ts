// A line that may be due thousands of times a second (EMFILE on every accept of a flood),
// written at most once per interval with the count of the others, so the condition is never
// silent and the log never floods.

export interface RateLimitedLine {
  /** Records one occurrence; writes `text` (and how many were held back) if the interval allows. */
  report(text: string): void;
}

export function rateLimitedLine(write: (line: string) => void, intervalMs = 1000, now: () => number = Date.now): RateLimitedLine {
  let last = -Infinity;
  let suppressed = 0;
  return {
    report(text) {
      const t = now();
      if (t - last < intervalMs) {
        suppressed++;
        return;
      }
      last = t;
      write(suppressed > 0 ? `${text} (${suppressed} more since the last report)` : text);
      suppressed = 0;
    },
  };
}
