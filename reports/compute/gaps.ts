import type { Minute } from '../minute-series.js';
import type { Interval } from '../report-model.js';
import { GAP_MIN_MINUTES } from '../standards.js';

const MINUTE = 60_000;

/** Runs of minutes without a reading, at least GAP_MIN_MINUTES long, within [fromMs, toMs). */
export function findGaps(minutes: readonly Minute[], fromMs: number, toMs: number): Interval[] {
  const gaps: Interval[] = [];
  let expected = fromMs;
  const consider = (until: number) => {
    if (until - expected >= GAP_MIN_MINUTES * MINUTE) gaps.push({ fromMs: expected, toMs: until });
  };
  for (const minute of minutes) {
    if (minute.t < fromMs || minute.t >= toMs) continue;
    consider(minute.t);
    expected = minute.t + MINUTE;
  }
  consider(toMs);
  return gaps;
}
