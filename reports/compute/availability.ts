import type { Minute } from '../minute-series.js';
import type { Interval } from '../report-model.js';

const MINUTE = 60_000;

export type MinuteState = 'on' | 'off' | 'no-data';

/**
 * A zone's supply minute by minute from its instruments: off when every instrument that
 * reported says so, on when one says otherwise, no data when none reported (a gateway
 * or meter down: an outage is likely but not measured, so it is counted apart).
 */
export function supplyMinutes(
  instruments: ReadonlyArray<readonly Minute[]>,
  isOff: (minute: Minute) => boolean | undefined,
  fromMs: number,
  toMs: number,
): MinuteState[] {
  const states: MinuteState[] = new Array<MinuteState>(Math.round((toMs - fromMs) / MINUTE)).fill('no-data');
  const verdicts: Array<boolean[] | undefined> = new Array(states.length);
  for (const minutes of instruments) {
    for (const minute of minutes) {
      const index = Math.round((minute.t - fromMs) / MINUTE);
      if (index < 0 || index >= states.length) continue;
      const off = isOff(minute);
      if (off === undefined) continue;
      (verdicts[index] ??= []).push(off);
    }
  }
  verdicts.forEach((list, index) => {
    if (list && list.length > 0) states[index] = list.every(Boolean) ? 'off' : 'on';
  });
  return states;
}

/** Consecutive `off` minutes as intervals. */
export function offIntervals(states: readonly MinuteState[], fromMs: number): Interval[] {
  const intervals: Interval[] = [];
  let start: number | undefined;
  states.forEach((state, index) => {
    if (state === 'off' && start === undefined) start = index;
    if (state !== 'off' && start !== undefined) {
      intervals.push({ fromMs: fromMs + start * MINUTE, toMs: fromMs + index * MINUTE });
      start = undefined;
    }
  });
  if (start !== undefined)
    intervals.push({ fromMs: fromMs + start * MINUTE, toMs: fromMs + states.length * MINUTE });
  return intervals;
}

export function countState(states: readonly MinuteState[], state: MinuteState): number {
  return states.reduce((n, s) => n + (s === state ? 1 : 0), 0);
}
