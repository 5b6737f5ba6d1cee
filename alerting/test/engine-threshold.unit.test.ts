import { describe, expect, it } from 'vitest';
import { defaultRules, engineHarness } from './engine-harness.js';

describe('threshold rules', () => {
  it('a pressure signal flapping around the threshold gives one firing and one resolve (hysteresis)', () => {
    const h = engineHarness({ rules: defaultRules(['low-pressure']) });
    h.telemetry('clinic-pressure', { pressure_mpa: 0.23 });
    // Below 0.05 MPa for 60 s, then wobbling around 0.05 (never reaching the 0.07 clear level).
    const wobble = [0.04, 0.045, 0.03, 0.055, 0.049, 0.062, 0.041, 0.051, 0.048, 0.066, 0.044, 0.069];
    for (let i = 0; i < 13; i++) {
      h.clock.advance(5_000);
      h.telemetry('clinic-pressure', { pressure_mpa: 0.04 });
    }
    expect(h.engine.alerts({ state: 'firing' })).toHaveLength(1);
    for (let round = 0; round < 5; round++) {
      for (const value of wobble) {
        h.clock.advance(5_000);
        h.telemetry('clinic-pressure', { pressure_mpa: value });
        h.engine.tick();
      }
    }
    expect(h.engine.alerts({ state: 'firing' })).toHaveLength(1);
    h.clock.advance(5_000);
    h.telemetry('clinic-pressure', { pressure_mpa: 0.075 });
    // Wobbling around the clear level afterwards does not fire again: 0.069 is in the deadband.
    for (const value of [0.069, 0.071, 0.068, 0.072, 0.049]) {
      h.clock.advance(5_000);
      h.telemetry('clinic-pressure', { pressure_mpa: value });
    }
    expect(h.transitions('low-pressure')).toEqual(['pending', 'firing', 'resolved', 'pending']);
    expect(h.notifications().map((n) => n.reason)).toEqual(['firing', 'resolved']);
    const resolved = h.engine.alerts({ state: 'resolved' })[0];
    expect(resolved?.device).toBe('clinic-pressure');
    expect(resolved?.zone).toBe('public-services');
    expect(resolved?.threshold).toBe('< 0.05 MPa');
  });

  it('a dip shorter than the for-duration never fires', () => {
    const h = engineHarness({ rules: defaultRules(['low-pressure']) });
    for (const value of [0.04, 0.04, 0.04, 0.2]) {
      h.telemetry('clinic-pressure', { pressure_mpa: value });
      h.clock.advance(20_000);
    }
    expect(h.engine.alerts()).toHaveLength(0);
    expect(h.transitions('low-pressure')).toEqual(['pending', 'discarded']);
    expect(h.notifications()).toHaveLength(0);
  });

  it('watches every phase of a three-phase meter with its own limits, and reads range rules (frequency, pH)', () => {
    const h = engineHarness({
      rules: defaultRules([
        'undervoltage',
        'undervoltage-three-phase',
        'frequency-deviation',
        'ph-out-of-range',
      ]),
    });
    for (let i = 0; i <= 7; i++) {
      h.telemetry('canteen-power', {
        voltage_l1_v: 230,
        voltage_l2_v: 200,
        voltage_l3_v: 229,
        frequency_hz: 49.7,
      });
      // 200 V is within −10 % of 220 V single-phase, below −7 % for a three-phase supply (GB/T 12325)
      h.telemetry('clinic-power', { voltage_v: 200 });
      h.telemetry('water-station-quality', { water_ph: 9.1, turbidity_ntu: 0.2 });
      h.clock.advance(5_000);
    }
    const firing = h.engine
      .alerts({ state: 'firing' })
      .map((a) => `${a.ruleId}/${a.subject}`)
      .sort();
    expect(firing).toEqual([
      'frequency-deviation/canteen-power:frequency_hz',
      'ph-out-of-range/water-station-quality:water_ph',
      'undervoltage-three-phase/canteen-power:voltage_l2_v',
    ]);
  });

  it('ignores replayed or late samples instead of rewinding state', () => {
    const h = engineHarness({ rules: defaultRules(['overvoltage']) });
    const t = h.clock.now();
    h.telemetry('clinic-power', { voltage_v: 240 }, t);
    h.telemetry('clinic-power', { voltage_v: 230 }, t - 1_000);
    expect(h.engine.alerts({ state: 'firing' })).toHaveLength(1);
  });
});
