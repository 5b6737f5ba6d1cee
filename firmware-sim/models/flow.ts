import type { DeviceModel, ModelContext, SimConditions } from './conditions.js';
import { waterDemandFraction } from './load-curves.js';
import { hourOfDay } from './time-of-day.js';
import { between, noise, roundTo } from '../random.js';

export interface FlowMeterSpec {
  /** Peak flow, m³/h. */
  peakM3h: number;
}

export const DEFAULT_PEAK_M3H = 5;

/** Inner pipe diameter the meter is clamped on: DN50 for a building, DN100 for a main. */
export function pipeDiameterM(peakM3h: number): number {
  return peakM3h > 15 ? 0.1 : 0.05;
}

/** Mean velocity in a full round pipe, m/s. */
export function velocityMps(flowM3h: number, diameterM: number): number {
  return flowM3h / 3600 / ((Math.PI * diameterM ** 2) / 4);
}

/**
 * An ultrasonic flow meter on a building inlet: flow follows the daily demand curve
 * (near zero at night), totalisers integrate flow over real elapsed time.
 */
export class FlowMeterModel implements DeviceModel {
  private forwardM3: number;
  private readonly reverseM3: number;
  private lastTs: number | undefined;

  constructor(
    private readonly spec: FlowMeterSpec,
    private readonly context: ModelContext,
  ) {
    this.forwardM3 = between(context.random, 500, 20_000);
    this.reverseM3 = Math.floor(between(context.random, 0, 3));
  }

  read(conditions: Readonly<SimConditions>): Record<string, number> {
    const { random, clock, utcOffsetMinutes } = this.context;
    const now = clock();
    let flow = conditions.waterOff
      ? 0
      : this.spec.peakM3h * waterDemandFraction(hourOfDay(now, utcOffsetMinutes)) * (1 + noise(random, 0.08));
    if (conditions.leakFloorM3h !== undefined && !conditions.waterOff) {
      flow = Math.max(flow, conditions.leakFloorM3h + Math.abs(noise(random, 0.02)));
    }
    flow = roundTo(Math.max(0, flow), 3);
    if (this.lastTs !== undefined && now > this.lastTs)
      this.forwardM3 += flow * ((now - this.lastTs) / 3_600_000);
    this.lastTs = Math.max(now, this.lastTs ?? now);

    const supply = roundTo(15 + noise(random, 0.3), 2);
    const forward = Math.floor(this.forwardM3);
    return {
      flow_m3h: flow,
      velocity_mps: roundTo(velocityMps(flow, pipeDiameterM(this.spec.peakM3h)), 3),
      forward_total_m3: forward,
      reverse_total_m3: this.reverseM3,
      net_total_m3: forward - this.reverseM3,
      supply_temperature_c: supply,
      return_temperature_c: roundTo(supply - 0.2 + noise(random, 0.05), 2),
      error_code: 0,
      signal_quality_pct: Math.round(80 + noise(random, 3)),
    };
  }
}
