import type { RegisteredDevice } from '../../site/index.js';
import type { DeviceModel, ModelContext } from './conditions.js';
import { DEFAULT_NOMINAL_VOLTAGE, DEFAULT_PEAK_W, ElectricityMeterModel } from './electricity.js';
import { DEFAULT_PEAK_M3H, FlowMeterModel } from './flow.js';
import { DEFAULT_PRESSURE_MPA, PressureTransmitterModel } from './pressure.js';
import { DEFAULT_TANK_FULL_M, TankLevelModel } from './tank-level.js';
import { WaterQualityModel } from './water-quality.js';

/** The value model for a polled device, from its category and its site `simulation` knobs. */
export function createDeviceModel(
  { device, profile, zone }: RegisteredDevice,
  context: ModelContext,
): DeviceModel {
  const knobs = device.simulation;
  switch (profile.category) {
    case 'electricity-meter': {
      const threePhase =
        profile.protocol === 'modbus' && profile.registers.some((r) => r.field === 'voltage_l1_v');
      return new ElectricityMeterModel(
        {
          zoneKind: zone.kind,
          peakW: knobs.peak ?? DEFAULT_PEAK_W,
          nominalVoltage: knobs.nominalVoltage ?? DEFAULT_NOMINAL_VOLTAGE,
          phases: threePhase ? 3 : 1,
          ratedCurrentA: device.ratings.current_a,
        },
        context,
      );
    }
    case 'water-flow-meter':
      return new FlowMeterModel({ peakM3h: knobs.peak ?? DEFAULT_PEAK_M3H }, context);
    case 'pressure-transmitter':
      return new PressureTransmitterModel({ staticMpa: knobs.pressureMpa ?? DEFAULT_PRESSURE_MPA }, context);
    case 'level-transmitter':
      return new TankLevelModel({ fullM: device.ratings.level_m ?? DEFAULT_TANK_FULL_M }, context);
    case 'water-quality-probe':
      return new WaterQualityModel(context);
    default:
      throw new Error(`device ${device.id}: no value model for category "${profile.category}"`);
  }
}
