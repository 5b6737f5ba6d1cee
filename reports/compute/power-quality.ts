import type { Minute } from '../minute-series.js';
import type { FrequencyQuality, Named, VoltageQuality } from '../report-model.js';
import { FREQUENCY_LIMITS, INTERRUPTION_BELOW_V, VOLTAGE_LIMITS, type SupplyType } from '../standards.js';

/** A minute whose every phase reads below 10 % of nominal is an interruption, not a deviation. */
export function isInterrupted(minute: Minute, phases: readonly string[]): boolean | undefined {
  const values = phases.map((f) => minute.v[f]).filter((v): v is number => v !== undefined);
  if (values.length === 0) return undefined;
  return values.every((v) => v < INTERRUPTION_BELOW_V);
}

/**
 * 电压合格率 (GB/T 12325): the share of monitored minutes whose 1-minute mean voltage
 * is within the supply type's limits on every phase. Interrupted minutes are outages
 * (supply availability), not deviations, so they are not monitored time here.
 */
export function voltageQuality(
  device: Named,
  zone: string,
  supply: SupplyType,
  phases: readonly string[],
  minutes: readonly Minute[],
): VoltageQuality {
  const limits = VOLTAGE_LIMITS[supply];
  const result: VoltageQuality = {
    device,
    zone,
    supply,
    limits: { low: limits.low, high: limits.high },
    monitoredMinutes: 0,
    withinMinutes: 0,
    aboveMinutes: 0,
    belowMinutes: 0,
  };
  for (const minute of minutes) {
    if (isInterrupted(minute, phases) !== false) continue;
    const values = phases.map((f) => minute.v[f]).filter((v): v is number => v !== undefined);
    result.monitoredMinutes += 1;
    const above = values.some((v) => v > limits.high);
    const below = values.some((v) => v < limits.low);
    if (above) result.aboveMinutes += 1;
    if (below) result.belowMinutes += 1;
    if (!above && !below) result.withinMinutes += 1;
    result.minV = Math.min(result.minV ?? Infinity, ...values);
    result.maxV = Math.max(result.maxV ?? -Infinity, ...values);
  }
  if (result.monitoredMinutes > 0) result.rate = result.withinMinutes / result.monitoredMinutes;
  return result;
}

/** Frequency within 50 ± 0.2 Hz (GB/T 15945), by 1-minute means. */
export function frequencyQuality(device: Named, minutes: readonly Minute[]): FrequencyQuality {
  const result: FrequencyQuality = { device, monitoredMinutes: 0, withinMinutes: 0 };
  for (const minute of minutes) {
    const hz = minute.v.frequency_hz;
    if (hz === undefined) continue;
    result.monitoredMinutes += 1;
    if (hz >= FREQUENCY_LIMITS.low && hz <= FREQUENCY_LIMITS.high) result.withinMinutes += 1;
    result.minHz = Math.min(result.minHz ?? Infinity, hz);
    result.maxHz = Math.max(result.maxHz ?? -Infinity, hz);
  }
  if (result.monitoredMinutes > 0) result.rate = result.withinMinutes / result.monitoredMinutes;
  return result;
}
