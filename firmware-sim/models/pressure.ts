import type { DeviceModel, ModelContext, SimConditions } from './conditions.js';
import { waterDemandFraction } from './load-curves.js';
import { hourOfDay } from './time-of-day.js';
import { noise, roundTo } from '../random.js';

export interface PressureTransmitterSpec {
  /** Static pressure with no draw, MPa. */
  staticMpa: number;
}

export const DEFAULT_PRESSURE_MPA = 0.25;
/** Pressure lost at the zone's peak draw, MPa. */
export const PEAK_FLOW_DROP_MPA = 0.04;
export const LOW_PRESSURE_MPA = 0.02;
/** Static pressure behind a failed pressure-reducing valve, MPa (above the 0.45 MPa limit). */
export const HIGH_PRESSURE_MPA = 0.55;

/** A pipe pressure transmitter: static pressure minus a drop that grows with the zone's draw. */
export class PressureTransmitterModel implements DeviceModel {
  constructor(
    private readonly spec: PressureTransmitterSpec,
    private readonly context: ModelContext,
  ) {}

  read(conditions: Readonly<SimConditions>): Record<string, number> {
    const { random, clock, utcOffsetMinutes } = this.context;
    let pressure: number;
    if (conditions.waterOff) pressure = Math.abs(noise(random, 0.002));
    else if (conditions.lowPressureMpa !== undefined)
      pressure = conditions.lowPressureMpa + noise(random, 0.002);
    else if (conditions.highPressureMpa !== undefined)
      pressure = conditions.highPressureMpa + noise(random, 0.002);
    else {
      const draw = waterDemandFraction(hourOfDay(clock(), utcOffsetMinutes));
      pressure = this.spec.staticMpa - PEAK_FLOW_DROP_MPA * draw + noise(random, 0.002);
    }
    return { pressure_mpa: roundTo(Math.max(0, pressure), 4) };
  }
}
