import type { MeterChange } from '../../site/index.js';
import type { Minute } from '../minute-series.js';
import type { DataEvent, Named } from '../report-model.js';

export interface CounterInput {
  device: Named;
  field: string;
  minutes: readonly Minute[];
  /** The register's last reading before the period, if any. */
  baseline?: { t: number; v: number };
  changes: readonly MeterChange[];
}

export interface CounterResult {
  total: number;
  noData: boolean;
  events: DataEvent[];
}

/**
 * Consumption from a register's readings: the sum of its rises. A recorded replacement
 * (the technician's final and initial readings) counts the old meter up to its final
 * reading and the new one from its initial reading; any other step down is a counter
 * reset to zero, so the reading after it is what was used since. Each is reported.
 * Readings on both sides of a gap count what the register rose across it: measured,
 * not guessed, and the gap itself is reported by completeness.
 */
export function counterConsumption(input: CounterInput, periodFromMs: number): CounterResult {
  const readings = input.minutes
    .filter((m) => m.v[input.field] !== undefined)
    .map((m) => ({ t: m.t, v: m.v[input.field] as number }));
  const events: DataEvent[] = [];
  if (readings.length === 0) return { total: 0, noData: true, events };
  let previous = input.baseline;
  if (!previous) {
    previous = readings[0] as { t: number; v: number };
    events.push({ device: input.device, kind: 'no-baseline', fromMs: periodFromMs, toMs: previous.t });
  }
  let total = 0;
  for (const reading of readings) {
    if (reading.t <= previous.t) continue;
    const change = input.changes.find((c) => {
      const at = Date.parse(c.at);
      return at > previous!.t && at <= reading.t;
    });
    if (change) {
      total += change.finalReading - previous.v + (reading.v - change.initialReading);
      events.push({
        device: input.device,
        kind: 'replacement',
        fromMs: previous.t,
        toMs: reading.t,
        before: change.finalReading,
        after: change.initialReading,
      });
    } else if (reading.v >= previous.v) {
      total += reading.v - previous.v;
    } else {
      total += reading.v;
      events.push({
        device: input.device,
        kind: 'reset',
        fromMs: previous.t,
        toMs: reading.t,
        before: previous.v,
        after: reading.v,
      });
    }
    previous = reading;
  }
  return { total, noData: false, events };
}
