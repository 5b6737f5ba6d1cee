import type { Minute } from '../minute-series.js';
import type { Named, NightFlow } from '../report-model.js';
import { localDate, localHour } from '../period.js';
import { LEAK_NIGHT_FLOW_M3H, NIGHT_WINDOW } from '../standards.js';

const MINUTE = 60_000;

function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/**
 * Minimum night flow: for each night of the period, the lowest flow of the subject's
 * meters added up, minute by minute, between 01:00 and 05:00. A minute counts only when
 * every meter reported in it; a night counts only when every minute of its window did.
 */
export function nightFlow(
  subject: Named,
  meters: ReadonlyArray<readonly Minute[]>,
  fromMs: number,
  toMs: number,
): NightFlow {
  const windowMinutes = (NIGHT_WINDOW.toHour - NIGHT_WINDOW.fromHour) * 60;
  const byNight = new Map<string, Map<number, { sum: number; n: number }>>();
  for (const minutes of meters) {
    for (const minute of minutes) {
      if (minute.t < fromMs || minute.t >= toMs) continue;
      const hour = localHour(minute.t);
      const flow = minute.v.flow_m3h;
      if (hour < NIGHT_WINDOW.fromHour || hour >= NIGHT_WINDOW.toHour || flow === undefined) continue;
      const night = byNight.get(localDate(minute.t)) ?? new Map<number, { sum: number; n: number }>();
      const entry = night.get(minute.t) ?? { sum: 0, n: 0 };
      entry.sum += flow;
      entry.n += 1;
      night.set(minute.t, entry);
      byNight.set(localDate(minute.t), night);
    }
  }
  const nights = Math.round((toMs - fromMs) / (1440 * MINUTE));
  const minima: Array<{ night: string; min: number }> = [];
  for (const [night, entries] of [...byNight].sort(([a], [b]) => a.localeCompare(b))) {
    const complete = [...entries.values()].filter((e) => e.n === meters.length);
    if (complete.length < windowMinutes) continue;
    minima.push({ night, min: Math.min(...complete.map((e) => e.sum)) });
  }
  const leaks = minima.filter((m) => m.min > LEAK_NIGHT_FLOW_M3H);
  const values = minima.map((m) => m.min);
  return {
    subject,
    nights,
    nightsMeasured: minima.length,
    ...(values.length > 0 ? { medianMinM3h: median(values), maxMinM3h: Math.max(...values) } : {}),
    leakNights: leaks.length,
    ...(leaks[0] ? { firstLeakNight: leaks[0].night } : {}),
  };
}

export { median };
