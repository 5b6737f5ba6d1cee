import type { DeviceModel, ModelContext, SimConditions } from './conditions.js';
import { noise, roundTo } from '../random.js';

/** Treated drinking water well inside GB 5749, or a clear excursion when the fault is on. */
export class WaterQualityModel implements DeviceModel {
  constructor(private readonly context: ModelContext) {}

  read(conditions: Readonly<SimConditions>): Record<string, number> {
    const { random } = this.context;
    const temperature = roundTo(15 + noise(random, 0.3), 2);
    if (conditions.qualityExcursion) {
      return {
        turbidity_ntu: roundTo(3 + noise(random, 0.1), 3),
        water_ph: roundTo(9 + noise(random, 0.05), 2),
        free_chlorine_mgl: 0.01,
        water_temperature_c: temperature,
      };
    }
    return {
      turbidity_ntu: roundTo(0.3 + noise(random, 0.05), 3),
      water_ph: roundTo(7.2 + noise(random, 0.05), 2),
      free_chlorine_mgl: roundTo(0.4 + noise(random, 0.03), 3),
      water_temperature_c: temperature,
    };
  }
}
