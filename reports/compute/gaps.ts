import type { Minute } from '../minute-series.js';
import type { Interval } from '../report-model.js';
import { GAP_MIN_MINUTES } from '../standards.js';

const MINUTE = 60_000;

/**
 * Runs of minutes without a reading within [fromMs, toMs), at least GAP_MIN_MINUTES long,
 * or longer than `quietLimitS` (a device under report by exception is quiet that long).
 */
export function findGaps(
  minutes: readonly Minute[],
  fromMs: number,
  toMs: number,
  quietLimitS = 0,
): Interval[] {
  const gaps: Interval[] = [];
  let expected = fromMs;
  const minGapMs = Math.max(GAP_MIN_MINUTES * MINUTE, (Math.ceil(quietLimitS / 60) + 1) * MINUTE);
  const consider = (until: number) => {
    if (until - expected >= minGapMs) gaps.push({ fromMs: expected, toMs: until });
  };
  for (const minute of minutes) {
    if (minute.t < fromMs || minute.t >= toMs) continue;
    consider(minute.t);
    expected = minute.t + MINUTE;
  }
  consider(toMs);
  return gaps;
}
