import { dlt645ProfileSchema, getDlt645Profile, type Dlt645Profile } from '../../../devices/index.js';
import { deviceRandom, ElectricityMeterModel, type Dlt645MeterSpec } from '../../../firmware-sim/index.js';

export const DLT645_PROFILE = getDlt645Profile('dlt645-single-phase');
/** 14:00 China time: a dining-zone meter draws real power. */
export const NOON_CLOCK = () => Date.UTC(2025, 5, 10, 6, 0, 0);

/** A simulated meter whose values come from the simulator's electricity model at a fixed time. */
export function simulatedMeter(
  address: string,
  peakW: number,
  profile: Dlt645Profile = DLT645_PROFILE,
): Dlt645MeterSpec {
  return {
    address,
    profile,
    model: new ElectricityMeterModel(
      { zoneKind: 'dining', peakW, nominalVoltage: 230, phases: 1 },
      { clock: NOON_CLOCK, random: deviceRandom(1, address), utcOffsetMinutes: 480 },
    ),
  };
}

/** A meter that knows only an identifier the gateway never asks for: it refuses every read (D1, "no such data"). */
export const REFUSING_PROFILE: Dlt645Profile = dlt645ProfileSchema().parse({
  ...DLT645_PROFILE,
  id: 'refusing-meter',
  items: [{ field: 'voltage_v', dataId: '02010200', format: { bytes: 2, decimals: 1, signed: false } }],
});
