import type { Minute } from '../minute-series.js';

const MINUTE = 60_000;

/**
 * A device under report by exception sends a field only when it moved past its deadband,
 * and every field at least every maximum interval: a minute holds only what moved, and
 * most minutes hold nothing. Its values hold until the next reading, so each minute gets
 * every field's last value, for at most `quietLimitMs` after the reading that brought it
 * (then the device is silent, and nothing is assumed). Minutes filled in count no samples.
 */
export function holdLastValues(minutes: readonly Minute[], toMs: number, quietLimitMs: number): Minute[] {
  const held: Minute[] = [];
  const last = new Map<string, { v: number; at: number }>();
  const fill = (from: number, until: number) => {
    for (let t = from; t < until; t += MINUTE) {
      const values: Record<string, number> = {};
      for (const [field, value] of last)
        if (t - value.at < quietLimitMs && field !== 'samples') values[field] = value.v;
      if (Object.keys(values).length === 0) return;
      held.push({ t, v: { ...values, samples: 0 } });
    }
  };
  for (const minute of minutes) {
    const previous = held.at(-1);
    if (previous) fill(previous.t + MINUTE, minute.t);
    for (const [field, v] of Object.entries(minute.v)) last.set(field, { v, at: minute.t });
    const values: Record<string, number> = {};
    for (const [field, value] of last) if (minute.t - value.at < quietLimitMs) values[field] = value.v;
    held.push({ t: minute.t, v: { ...values, samples: minute.v.samples ?? 0 } });
  }
  const previous = held.at(-1);
  if (previous) fill(previous.t + MINUTE, toMs);
  return held;
}
