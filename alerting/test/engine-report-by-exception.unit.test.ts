import { describe, expect, it } from 'vitest';
import { defaultRules, engineHarness, sparseSites } from './engine-harness.js';

const silentAlert = (h: ReturnType<typeof engineHarness>, device: string) =>
  h.engine.alerts({ ruleId: 'meter-silent' }).find((a) => a.device === device && a.state !== 'resolved');

describe('alerting on a sparse stream (report by exception)', () => {
  it('a still meter is not silent until 3 × (its maximum interval + a poll), then fires and its next reading resolves it', () => {
    const h = engineHarness({ rules: defaultRules(['meter-silent']), sites: sparseSites() });
    h.status('online');
    // clinic-pressure polls every 5 s: quiet up to 305 s while its pressure stays in its deadband.
    h.telemetry('clinic-pressure', { pressure_mpa: 0.3 });
    h.run(915_000, 5_000);
    expect(silentAlert(h, 'clinic-pressure')).toBeUndefined();
    h.run(15_000, 1_000);
    const silent = silentAlert(h, 'clinic-pressure');
    expect(silent?.state).toBe('firing');
    expect(silent?.threshold).toContain('3 × 305 s');
    h.telemetry('clinic-pressure', { pressure_mpa: 0.3 });
    expect(h.engine.alert(silent?.id ?? '')?.state).toBe('resolved');
  });

  it('a meter its gateway reports offline is silent after 3 polls, as on a dense stream', () => {
    const h = engineHarness({ rules: defaultRules(['meter-silent']), sites: sparseSites() });
    h.status('online');
    h.telemetry('clinic-pressure', { pressure_mpa: 0.3 });
    h.run(10_000, 1_000);
    h.event('clinic-pressure', 'device_offline', { code: 'MODBUS_TIMEOUT' });
    h.run(20_000, 1_000);
    const silent = silentAlert(h, 'clinic-pressure');
    expect(silent?.state).toBe('firing');
    expect(silent?.threshold).toContain('3 × 5 s');
    h.event('clinic-pressure', 'device_online');
    h.telemetry('clinic-pressure', { pressure_mpa: 0.3 });
    expect(h.engine.alert(silent?.id ?? '')?.state).toBe('resolved');
  });

  it('a threshold held past its forS by a value that did not move fires by the clock, and clears on the next value', () => {
    const h = engineHarness({ rules: defaultRules(['undervoltage']), sites: sparseSites() });
    h.status('online');
    // One reading of 190 V: the next polls stay within the deadband and are not sent.
    h.telemetry('clinic-power', { voltage_v: 190 });
    h.run(25_000, 1_000);
    expect(h.engine.alerts({ ruleId: 'undervoltage' })[0]?.state).toBe('pending');
    h.run(10_000, 1_000);
    const alert = h.engine.alerts({ ruleId: 'undervoltage' })[0];
    expect(alert?.state).toBe('firing');
    h.telemetry('clinic-power', { voltage_v: 229 });
    h.run(120_000, 5_000);
    expect(h.engine.alert(alert?.id ?? '')?.state).toBe('resolved');
  });

  it('a meter quieter than its limit is no evidence: its last value does not fire a pending alert', () => {
    const h = engineHarness({ rules: defaultRules(['undervoltage']), sites: sparseSites() });
    h.status('online');
    const at = h.clock.now();
    // A reading stamped long ago (a replayed backlog): the device is quiet past its limit since.
    h.clock.advance(400_000);
    h.telemetry('clinic-power', { voltage_v: 190 }, at);
    h.run(60_000, 1_000);
    expect(h.engine.alerts({ ruleId: 'undervoltage', state: 'firing' })).toHaveLength(0);
  });
});

describe('windows over a sparse stream', () => {
  it('judge a still value by the clock: a steady night leak sent only as hourly heartbeats fires at 05:00', () => {
    // 2025-06-01 17:00 UTC = 01:00 in the village (UTC+8); the night-flow rule needs 10 samples.
    const nightStart = Date.UTC(2025, 5, 1, 17, 0, 0);
    const h = engineHarness({
      rules: defaultRules(['night-flow-leak']),
      sites: sparseSites(3600),
      start: nightStart - 600_000,
    });
    h.status('online');
    // Heartbeats only (the flow never leaves its deadband): 4 messages inside the window.
    h.run(5 * 3600_000, 60_000, (now) => {
      if ((now - nightStart) % 3600_000 !== 0) return;
      h.telemetry('clinic-flow', { flow_m3h: 0.35 });
      // The canteen's flow stops at night: its held 0 is the minimum.
      h.telemetry('canteen-flow', { flow_m3h: now === nightStart ? 1.5 : 0 });
    });
    const leaks = h.engine.alerts({ state: 'firing' });
    expect(leaks.map((a) => a.device)).toEqual(['clinic-flow']);
    expect(leaks[0]?.value).toBeCloseTo(0.35, 2);
    expect(leaks[0]?.firedAt).toBe(nightStart + 4 * 3600_000);
  });

  it("a reading of the window's last minute that rides a minute's batch still counts", () => {
    const nightStart = Date.UTC(2025, 5, 1, 17, 0, 0);
    const nightEnd = nightStart + 4 * 3600_000;
    const h = engineHarness({
      rules: defaultRules(['night-flow-leak']),
      sites: sparseSites(3600, 60),
      start: nightStart - 600_000,
    });
    h.status('online');
    h.run(4 * 3600_000 + 570_000, 60_000, (now) => {
      if ((now - nightStart) % 3600_000 === 0 && now < nightEnd)
        h.telemetry('clinic-flow', { flow_m3h: 0.35 });
    });
    // 04:59:30 the flow stopped: the reading leaves with the batch at 05:00:20.
    h.run(50_000, 10_000);
    h.telemetry('clinic-flow', { flow_m3h: 0 }, nightEnd - 30_000);
    h.run(120_000, 10_000);
    expect(h.engine.alerts({ ruleId: 'night-flow-leak' })).toHaveLength(0);
  });

  it('a held value past its quiet limit is no sample: a flow heard once before the night and then silent is not judged', () => {
    const nightStart = Date.UTC(2025, 5, 1, 17, 0, 0);
    const h = engineHarness({
      rules: defaultRules(['night-flow-leak']),
      sites: sparseSites(300),
      start: nightStart - 3600_000,
    });
    h.status('online');
    // One reading an hour before the window: its quiet limit (310 s) has long passed at 01:00.
    h.telemetry('clinic-flow', { flow_m3h: 0.35 });
    h.run(6 * 3600_000, 60_000);
    expect(h.engine.alerts({ ruleId: 'night-flow-leak' })).toHaveLength(0);
  });
});

describe('rules over several fields of a sparse stream', () => {
  it('judge the phase unbalance from the last value of each phase when only one phase moved', () => {
    const h = engineHarness({ rules: defaultRules(['phase-imbalance']), sites: sparseSites() });
    h.status('online');
    h.telemetry('canteen-power', { voltage_l1_v: 230, voltage_l2_v: 230, voltage_l3_v: 230 });
    h.clock.advance(5_000);
    // Only L2 moved: the others held their value and were not sent.
    h.telemetry('canteen-power', { voltage_l2_v: 200 });
    h.run(61_000, 1_000);
    h.telemetry('canteen-power', { voltage_l2_v: 201 });
    const alert = h.engine.alerts({ ruleId: 'phase-imbalance' })[0];
    expect(alert?.state).toBe('firing');
    h.clock.advance(5_000);
    h.telemetry('canteen-power', { voltage_l2_v: 229 });
    h.run(31_000, 1_000);
    expect(h.engine.alert(alert?.id ?? '')?.state).toBe('resolved');
  });
});
