import { describe, expect, it } from 'vitest';
import { seededRandom } from '../random.js';
import { NORMAL_CONDITIONS, type SimConditions } from './conditions.js';
import { ElectricityMeterModel } from './electricity.js';
import { FlowMeterModel } from './flow.js';
import { electricLoadFraction, waterDemandFraction } from './load-curves.js';
import { HIGH_PRESSURE_MPA, LOW_PRESSURE_MPA, PressureTransmitterModel } from './pressure.js';
import { TankLevelModel } from './tank-level.js';
import { hourOfDay } from './time-of-day.js';
import { WaterQualityModel } from './water-quality.js';

const OFFSET = 480;
/** 2024-05-01 00:00 in China (UTC+8). */
const MIDNIGHT = Date.UTC(2024, 3, 30, 16, 0, 0);
const at = (hour: number) => MIDNIGHT + hour * 3_600_000;

function manualClock(start: number) {
  let now = start;
  return { clock: () => now, advance: (ms: number) => (now += ms), set: (ts: number) => (now = ts) };
}

const context = (clock: () => number, seed = 7) => ({
  clock,
  random: seededRandom(seed),
  utcOffsetMinutes: OFFSET,
});
const conditions = (extra: Partial<SimConditions> = {}): SimConditions => ({
  ...NORMAL_CONDITIONS,
  ...extra,
});

describe('daily curves', () => {
  it('uses local time', () => {
    expect(hourOfDay(at(13.5), OFFSET)).toBeCloseTo(13.5, 9);
  });

  it('a canteen peaks at meals, a maker workspace in working hours, a clinic stays steady', () => {
    expect(electricLoadFraction('dining', 11.75)).toBeGreaterThan(0.9);
    expect(electricLoadFraction('dining', 15)).toBeLessThan(0.3);
    expect(electricLoadFraction('maker_workspace', 10)).toBeGreaterThan(0.85);
    expect(electricLoadFraction('maker_workspace', 3)).toBeLessThan(0.1);
    const clinic = [0, 6, 12, 18, 23].map((h) => electricLoadFraction('public_services', h));
    expect(Math.max(...clinic) - Math.min(...clinic)).toBeLessThan(0.15);
  });

  it('water demand is near zero at night and peaks morning and evening', () => {
    expect(waterDemandFraction(3)).toBeLessThan(0.03);
    expect(waterDemandFraction(7.25)).toBeGreaterThan(0.8);
    expect(waterDemandFraction(19)).toBeGreaterThan(0.9);
  });
});

describe('electricity meter model', () => {
  const spec = { zoneKind: 'dining' as const, peakW: 30_000, nominalVoltage: 230, phases: 3 as const };

  it('integrates power into energy that never decreases', () => {
    const time = manualClock(at(6));
    const model = new ElectricityMeterModel(spec, context(time.clock));
    let previous = model.read(conditions()).import_energy_kwh as number;
    const first = previous;
    for (let i = 0; i < 48; i++) {
      time.advance(15 * 60_000);
      const energy = model.read(conditions({ powerOff: i % 10 === 3 })).import_energy_kwh as number;
      expect(energy).toBeGreaterThanOrEqual(previous);
      previous = energy;
    }
    // 12 h of a canteen averaging well over 10 % of 30 kW
    expect(previous - first).toBeGreaterThan(36);
  });

  it('keeps voltage, frequency and power factor in their bands and derives currents per phase', () => {
    const time = manualClock(at(12));
    const model = new ElectricityMeterModel(spec, context(time.clock));
    for (let i = 0; i < 20; i++) {
      time.advance(60_000);
      const v = model.read(conditions());
      expect(v.voltage_l1_v).toBeGreaterThan(226);
      expect(v.voltage_l3_v).toBeLessThan(234);
      expect(Math.abs((v.frequency_hz as number) - 50)).toBeLessThanOrEqual(0.05);
      expect(v.power_factor_ratio).toBeGreaterThanOrEqual(0.9);
      expect(v.power_factor_ratio).toBeLessThanOrEqual(0.98);
      const expected =
        (v.active_power_w as number) / 3 / ((v.voltage_l2_v as number) * (v.power_factor_ratio as number));
      expect(v.current_l2_a).toBeCloseTo(expected, 2);
    }
  });

  it('follows the supply out of its bands under voltage and frequency faults', () => {
    const model = new ElectricityMeterModel(
      { ...spec, phases: 1 },
      context(() => at(12)),
    );
    const low = model.read(conditions({ voltageFactor: 0.84 }));
    expect(low.voltage_v).toBeLessThan(198);
    expect(low.voltage_v).toBeGreaterThan(188);
    const high = model.read(conditions({ voltageFactor: 1.1 }));
    expect(high.voltage_v).toBeGreaterThan(235.4);
    const off = model.read(conditions({ frequencyHz: 50.5 }));
    expect(Math.abs((off.frequency_hz as number) - 50.5)).toBeLessThanOrEqual(0.05);
    expect(off.voltage_v).toBeGreaterThan(226);
  });

  it('reads 0 V, 0 A and 0 W in a power outage', () => {
    const model = new ElectricityMeterModel(
      { ...spec, phases: 1 },
      context(() => at(12)),
    );
    const v = model.read(conditions({ powerOff: true }));
    expect([v.voltage_v, v.current_a, v.active_power_w, v.active_power_kw]).toEqual([0, 0, 0, 0]);
  });

  it('loses one phase, skews one, or draws 1.5 × the rated current under the three-phase faults', () => {
    const model = new ElectricityMeterModel(
      { ...spec, phases: 3, ratedCurrentA: 63 },
      context(() => at(12)),
    );
    const lost = model.read(conditions({ lostPhase: 2 }));
    expect(lost.voltage_l2_v).toBe(0);
    expect(lost.current_l2_a).toBe(0);
    expect(lost.voltage_l1_v).toBeGreaterThan(226);
    expect(lost.voltage_l3_v).toBeGreaterThan(226);
    const skewed = model.read(conditions({ phaseVoltageFactors: [1, 1, 0.93] }));
    const phases = [skewed.voltage_l1_v, skewed.voltage_l2_v, skewed.voltage_l3_v] as number[];
    const mean = phases.reduce((a, b) => a + b, 0) / 3;
    expect(Math.max(...phases.map((v) => Math.abs(v - mean))) / mean).toBeGreaterThan(0.04);
    expect(Math.min(...phases)).toBeGreaterThan(204.6);
    const overloaded = model.read(conditions({ overloadOfRating: 1.5 }));
    for (const phase of ['current_l1_a', 'current_l2_a', 'current_l3_a'])
      expect(overloaded[phase]).toBeCloseTo(94.5, 0);
  });

  it('is reproducible from its seed', () => {
    const a = new ElectricityMeterModel(
      spec,
      context(() => at(9), 42),
    ).read(conditions());
    const b = new ElectricityMeterModel(
      spec,
      context(() => at(9), 42),
    ).read(conditions());
    const c = new ElectricityMeterModel(
      spec,
      context(() => at(9), 43),
    ).read(conditions());
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });
});

describe('flow meter model', () => {
  it('flows near zero at night unless there is a leak', () => {
    const time = manualClock(at(2));
    const model = new FlowMeterModel({ peakM3h: 6 }, context(time.clock));
    for (let i = 0; i < 12; i++) {
      time.advance(10 * 60_000);
      expect(model.read(conditions()).flow_m3h).toBeLessThan(0.15);
      expect(model.read(conditions({ leakFloorM3h: 0.3 })).flow_m3h).toBeGreaterThanOrEqual(0.3);
    }
  });

  it('integrates flow into the totaliser and derives velocity', () => {
    const time = manualClock(at(7));
    const model = new FlowMeterModel({ peakM3h: 6 }, context(time.clock));
    const start = model.read(conditions());
    time.advance(3_600_000);
    const later = model.read(conditions());
    expect((later.forward_total_m3 as number) - (start.forward_total_m3 as number)).toBeGreaterThanOrEqual(3);
    // DN50: 6 m³/h ≈ 0.85 m/s
    expect(later.velocity_mps).toBeCloseTo(
      (later.flow_m3h as number) / 3600 / ((Math.PI * 0.05 ** 2) / 4),
      2,
    );
    expect(later.error_code).toBe(0);
    expect(Math.abs((later.signal_quality_pct as number) - 80)).toBeLessThanOrEqual(3);
  });

  it('reads no flow in a water outage, even with a leak', () => {
    const model = new FlowMeterModel(
      { peakM3h: 6 },
      context(() => at(8)),
    );
    expect(model.read(conditions({ waterOff: true, leakFloorM3h: 0.3 })).flow_m3h).toBe(0);
  });
});

describe('pressure and quality models', () => {
  it('drops pressure with the zone draw, to 0.02 MPa when low and ~0 in an outage', () => {
    const night = new PressureTransmitterModel(
      { staticMpa: 0.23 },
      context(() => at(3)),
    ).read(conditions());
    const evening = new PressureTransmitterModel(
      { staticMpa: 0.23 },
      context(() => at(19)),
    ).read(conditions());
    expect(night.pressure_mpa).toBeCloseTo(0.23, 2);
    expect(evening.pressure_mpa).toBeLessThan(night.pressure_mpa as number);
    const low = new PressureTransmitterModel(
      { staticMpa: 0.23 },
      context(() => at(12)),
    );
    expect(low.read(conditions({ lowPressureMpa: LOW_PRESSURE_MPA })).pressure_mpa).toBeCloseTo(0.02, 2);
    expect(low.read(conditions({ waterOff: true })).pressure_mpa).toBeLessThan(0.005);
    expect(low.read(conditions({ highPressureMpa: HIGH_PRESSURE_MPA })).pressure_mpa).toBeGreaterThan(0.45);
  });

  it('keeps drinking water inside GB 5749 and leaves it in an excursion', () => {
    const model = new WaterQualityModel(context(() => at(12)));
    const normal = model.read(conditions());
    expect(normal.turbidity_ntu).toBeCloseTo(0.3, 0);
    expect(normal.water_ph).toBeCloseTo(7.2, 0);
    expect(normal.free_chlorine_mgl).toBeCloseTo(0.4, 1);
    expect(normal.water_temperature_c).toBeCloseTo(15, 0);
    const bad = model.read(conditions({ qualityExcursion: true }));
    expect(bad.turbidity_ntu).toBeCloseTo(3, 0);
    expect(bad.free_chlorine_mgl).toBe(0.01);
    expect(bad.water_ph).toBeCloseTo(9, 0);
  });
});

describe('tank level model', () => {
  it('is full at night, drawn down by day, and follows the tank faults', () => {
    const night = new TankLevelModel(
      { fullM: 4 },
      context(() => at(3)),
    );
    const evening = new TankLevelModel(
      { fullM: 4 },
      context(() => at(19)),
    );
    const full = night.read(conditions()).level_m as number;
    const drawn = evening.read(conditions()).level_m as number;
    expect(full).toBeGreaterThan(drawn);
    expect(drawn).toBeGreaterThan(0.55 * 4);
    expect(full).toBeLessThan(0.92 * 4);
    expect(night.read(conditions({ tankShare: 0.1 })).level_m).toBeCloseTo(0.4, 5);
  });
});
