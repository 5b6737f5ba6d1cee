import type { DeviceModel, ModelContext, SimConditions } from './conditions.js';
import { waterDemandFraction } from './load-curves.js';
import { hourOfDay } from './time-of-day.js';
import { noise, roundTo } from '../random.js';

export interface TankLevelSpec {
  /** The tank's full level, m (site file `ratings.level_m`). */
  fullM: number;
}

export const DEFAULT_TANK_FULL_M = 4;
/** Drawn down to this share of full at the village's peak demand, refilled at night. */
const LOWEST_SHARE = 0.6;
const HIGHEST_SHARE = 0.9;

/** A water tower's level: full at night, drawn down as the village uses water by day. */
export class TankLevelModel implements DeviceModel {
  constructor(
    private readonly spec: TankLevelSpec,
    private readonly context: ModelContext,
  ) {}

  read(conditions: Readonly<SimConditions>): Record<string, number> {
    const { random, clock, utcOffsetMinutes } = this.context;
    const draw = waterDemandFraction(hourOfDay(clock(), utcOffsetMinutes));
    const share =
      conditions.tankShare ?? HIGHEST_SHARE - (HIGHEST_SHARE - LOWEST_SHARE) * draw + noise(random, 0.005);
    return { level_m: roundTo(Math.max(0, share * this.spec.fullM), 3) };
  }
}
