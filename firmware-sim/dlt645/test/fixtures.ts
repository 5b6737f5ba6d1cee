import { pino } from 'pino';
import { getDlt645Profile } from '../../../devices/index.js';
import { ElectricityMeterModel } from '../../models/electricity.js';
import { deviceRandom } from '../../random.js';
import type { Dlt645MeterSpec } from '../simulated-dlt645-meter.js';

export const silentLogger = pino({ level: 'silent' });
export const PROFILE = getDlt645Profile('dlt645-single-phase');
/** 14:00 China time: the dining zone draws real power. */
export const NOON_CLOCK = () => Date.UTC(2025, 5, 10, 6, 0, 0);

/** A meter whose values come from the simulator's own electricity model. */
export function meter(address: string, peakW: number): Dlt645MeterSpec {
  return {
    address,
    profile: PROFILE,
    model: new ElectricityMeterModel(
      { zoneKind: 'dining', peakW, nominalVoltage: 230, phases: 1 },
      { clock: NOON_CLOCK, random: deviceRandom(1, address), utcOffsetMinutes: 480 },
    ),
  };
}
