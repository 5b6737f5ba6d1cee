import { getCjt188Profile, type Cjt188ValveCode } from '../../../devices/index.js';
import { deviceRandom, FlowMeterModel, type Cjt188MeterSpec } from '../../../firmware-sim/index.js';
import { NOON_CLOCK } from './dlt645-meters.js';

export const CJT188_PROFILE = getCjt188Profile('cjt188-cold-water');

/** A simulated household water meter whose total comes from the simulator's flow model. */
export function simulatedWaterMeter(
  address: string,
  status: { valve: Cjt188ValveCode; batteryLow: boolean } = { valve: 0, batteryLow: false },
  extra: Partial<Cjt188MeterSpec> = {},
): Cjt188MeterSpec {
  return {
    address,
    profile: CJT188_PROFILE,
    model: new FlowMeterModel(
      { peakM3h: 0.5 },
      { clock: NOON_CLOCK, random: deviceRandom(1, address), utcOffsetMinutes: 480 },
    ),
    status: () => status,
    ...extra,
  };
}
