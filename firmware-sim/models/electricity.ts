import type { DeviceModel, ModelContext, SimConditions } from './conditions.js';
import { electricLoadFraction, type ZoneKind } from './load-curves.js';
import { hourOfDay } from './time-of-day.js';
import { between, noise, roundTo } from '../random.js';

export interface ElectricityMeterSpec {
  zoneKind: ZoneKind;
  /** Peak active power, W (all phases together). */
  peakW: number;
  /** Nominal phase voltage, V. */
  nominalVoltage: number;
  phases: 1 | 3;
  /** The circuit's rated current, A (site file `ratings.current_a`); an overload is judged against it. */
  ratedCurrentA?: number | undefined;
}

export const DEFAULT_NOMINAL_VOLTAGE = 230;
export const DEFAULT_PEAK_W = 5000;

/**
 * An electricity meter: power follows the zone's daily load curve, voltage sits near
 * nominal, and energy integrates power over the real time elapsed between reads, so
 * it never runs backwards. The values cover every field name the catalogue's
 * electricity profiles use; the Modbus layer keeps the ones its profile maps.
 */
export class ElectricityMeterModel implements DeviceModel {
  private importKwh: number;
  private readonly exportKwh: number;
  private lastTs: number | undefined;

  constructor(
    private readonly spec: ElectricityMeterSpec,
    private readonly context: ModelContext,
  ) {
    this.importKwh = roundTo(between(context.random, 1_000, 40_000), 2);
    this.exportKwh = roundTo(between(context.random, 0, 5), 2);
  }

  read(conditions: Readonly<SimConditions>): Record<string, number> {
    const { random, clock, utcOffsetMinutes } = this.context;
    const now = clock();
    const hour = hourOfDay(now, utcOffsetMinutes);
    const on = !conditions.powerOff;
    const pf = on ? roundTo(0.94 + noise(random, 0.04), 3) : 1;
    const supplyV = this.spec.nominalVoltage * (conditions.voltageFactor ?? 1);
    const voltages = Array.from({ length: this.spec.phases }, (_, i) => {
      if (!on || conditions.lostPhase === i + 1) return 0;
      const factor = conditions.phaseVoltageFactors?.[i] ?? 1;
      return roundTo(supplyV * factor + noise(random, 1.5), 2);
    });
    const livePhases = voltages.filter((v) => v > 0).length;
    const overloadW =
      conditions.overloadOfRating === undefined
        ? undefined
        : conditions.overloadOfRating *
          (this.spec.ratedCurrentA ?? (1.2 * this.spec.peakW) / this.spec.phases / supplyV) *
          supplyV *
          pf *
          livePhases;
    const powerW = !on
      ? 0
      : (overloadW ??
        this.spec.peakW *
          electricLoadFraction(this.spec.zoneKind, hour) *
          (1 + noise(random, 0.04)) *
          (livePhases / this.spec.phases));
    this.integrate(now, powerW);
    const currents = voltages.map((v) => (v > 0 ? roundTo(powerW / livePhases / (v * pf), 3) : 0));
    const active = roundTo(powerW, 1);
    const reactiveKvar = roundTo((active * Math.tan(Math.acos(pf))) / 1000, 4);
    const importKwh = roundTo(this.importKwh, 2);
    return {
      voltage_v: voltages[0] ?? 0,
      voltage_l1_v: voltages[0] ?? 0,
      voltage_l2_v: voltages[1] ?? voltages[0] ?? 0,
      voltage_l3_v: voltages[2] ?? voltages[0] ?? 0,
      current_a: currents[0] ?? 0,
      current_l1_a: currents[0] ?? 0,
      current_l2_a: currents[1] ?? currents[0] ?? 0,
      current_l3_a: currents[2] ?? currents[0] ?? 0,
      active_power_w: active,
      active_power_kw: roundTo(active / 1000, 4),
      reactive_power_kvar: reactiveKvar,
      power_factor_ratio: pf,
      // A meter that lost its supply keeps its last frequency reading; 0 Hz would be
      // rejected by the profiles' valid range and look like a garbage reading.
      frequency_hz: roundTo((conditions.frequencyHz ?? 50) + noise(random, 0.05), 3),
      import_energy_kwh: importKwh,
      export_energy_kwh: this.exportKwh,
      total_energy_kwh: roundTo(importKwh + this.exportKwh, 2),
    };
  }

  private integrate(now: number, powerW: number): void {
    if (this.lastTs !== undefined && now > this.lastTs) {
      this.importKwh += (powerW / 1000) * ((now - this.lastTs) / 3_600_000);
    }
    this.lastTs = Math.max(now, this.lastTs ?? now);
  }
}
