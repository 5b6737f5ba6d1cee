import { describe, expect, it } from 'vitest';
import { defaultRules, engineHarness } from './engine-harness.js';

describe('event rules', () => {
  it('a burst of 50 identical fire alarms within milliseconds is one alert and one notification', () => {
    const h = engineHarness();
    const t = h.clock.now();
    for (let i = 0; i < 50; i++) h.event('canteen-fire-panel', 'fire_alarm', { loop: 1 }, t + (i % 3));
    const alerts = h.engine.alerts({ state: 'firing' });
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.ruleId).toBe('fire-alarm');
    expect(alerts[0]?.occurrences).toBe(50);
    expect(h.notifications('firing')).toHaveLength(1);
    h.event('canteen-fire-panel', 'fire_reset');
    expect(h.engine.alerts({ state: 'resolved' })).toHaveLength(1);
    expect(h.notifications('resolved')).toHaveLength(1);
  });

  it('clears only on a matching event: a battery fault stays until a passing self-test', () => {
    const h = engineHarness({ rules: defaultRules(['emergency-battery-fault']) });
    h.event('clinic-emergency-light', 'emergency_battery_fault');
    h.event('clinic-emergency-light', 'emergency_self_test', { result: 'fail', kind: 'monthly' });
    expect(h.engine.alerts({ state: 'firing' })).toHaveLength(1);
    h.event('clinic-emergency-light', 'emergency_self_test', { result: 'pass', kind: 'monthly' });
    expect(h.engine.alerts({ state: 'firing' })).toHaveLength(0);
  });

  it('door forced, camera tamper and camera offline fire at once on the right device', () => {
    const h = engineHarness({ rules: defaultRules(['door-forced', 'camera-tamper', 'camera-offline']) });
    h.event('shop-door', 'door_forced', { door: 1 });
    h.event('shop-camera', 'camera_tamper');
    h.event('clinic-camera', 'camera_offline');
    const firing = h.engine
      .alerts({ state: 'firing' })
      .map((a) => `${a.ruleId}/${a.device}`)
      .sort();
    expect(firing).toEqual([
      'camera-offline/clinic-camera',
      'camera-tamper/shop-camera',
      'door-forced/shop-door',
    ]);
    // a covered lens stays covered until the camera says otherwise; the door until it closes
    h.run(16 * 60_000, 60_000);
    expect(h.engine.alerts({ state: 'firing' })).toHaveLength(3);
    h.event('shop-camera', 'camera_tamper_cleared');
    h.event('shop-door', 'door_closed', { door: 2 });
    expect(
      h.engine
        .alerts({ state: 'firing' })
        .map((a) => a.ruleId)
        .sort(),
    ).toEqual(['camera-offline', 'door-forced']);
    h.event('shop-door', 'door_closed', { door: 1 });
    expect(h.engine.alerts({ state: 'firing' }).map((a) => a.ruleId)).toEqual(['camera-offline']);
  });

  it('fires only on events whose data matches, and names doors and detectors apart', () => {
    const h = engineHarness({
      rules: defaultRules(['emergency-self-test-failed', 'fire-panel-fault', 'door-held-open']),
    });
    h.event('clinic-emergency-light', 'emergency_self_test', { kind: 'monthly', result: 'pass' });
    expect(h.engine.alerts()).toHaveLength(0);
    h.event('clinic-emergency-light', 'emergency_self_test', { kind: 'monthly', result: 'fail' });
    h.event('clinic-fire-panel', 'fire_fault', { loop: 1, address: 7 });
    h.event('clinic-fire-panel', 'fire_fault', { loop: 2, address: 7 });
    h.event('clinic-door', 'door_held_open', { door: 1 });
    expect(
      h.engine
        .alerts({ state: 'firing' })
        .map((a) => a.subject)
        .sort(),
    ).toEqual([
      'clinic-door:door=1',
      'clinic-emergency-light',
      'clinic-fire-panel:loop=1,address=7',
      'clinic-fire-panel:loop=2,address=7',
    ]);
    // a fault clears on its own detector's "fault cleared", the self-test on a passing one
    h.event('clinic-fire-panel', 'fire_fault_cleared', { loop: 2, address: 7 });
    h.event('clinic-emergency-light', 'emergency_self_test', { kind: 'monthly', result: 'pass' });
    expect(
      h.engine
        .alerts({ state: 'firing' })
        .map((a) => a.subject)
        .sort(),
    ).toEqual(['clinic-door:door=1', 'clinic-fire-panel:loop=1,address=7']);
    expect(h.engine.alerts({ state: 'firing' })[0]?.detail?.zh).toMatch(/^(门长时间未关|火灾报警系统故障)：/);
  });
});

describe('absence rules', () => {
  it('a meter silent for more than 3 × its poll interval fires, and its next reading resolves it', () => {
    const h = engineHarness({ rules: defaultRules(['meter-silent']) });
    h.status('online');
    const keepOthersAlive = () => h.telemetry('clinic-flow', { flow_m3h: 1 });
    // clinic-pressure polls every 5 s: silent 15 s is still fine, 16 s is not.
    h.telemetry('clinic-pressure', { pressure_mpa: 0.3 });
    h.run(15_000, 1_000, keepOthersAlive);
    expect(h.engine.alerts({ state: 'firing' }).filter((a) => a.device === 'clinic-pressure')).toHaveLength(
      0,
    );
    h.run(1_000, 1_000);
    // pending first, so an incident that explains several silent meters can form before any notifies
    const pending = h.engine.alerts({ ruleId: 'meter-silent' }).find((a) => a.device === 'clinic-pressure');
    expect(pending?.state).toBe('pending');
    h.run(10_000, 1_000, keepOthersAlive);
    const silent = h.engine.alerts({ state: 'firing' }).find((a) => a.device === 'clinic-pressure');
    expect(silent?.ruleId).toBe('meter-silent');
    expect(silent?.value).toBe(26);
    expect(h.engine.alerts({ state: 'firing' }).some((a) => a.device === 'clinic-flow')).toBe(false);
    h.telemetry('clinic-pressure', { pressure_mpa: 0.3 });
    expect(h.engine.alert(silent?.id ?? '')?.state).toBe('resolved');
  });
});

describe('window rules', () => {
  it('fires on 5 denied cards at one door within 60 s, not on 4, and counts doors apart', () => {
    const h = engineHarness({ rules: defaultRules(['access-denied-burst']) });
    for (let i = 0; i < 4; i++) {
      h.event('incubator-door', 'access_denied', { door: 1, reason: 'invalid_card' });
      h.event('incubator-door', 'access_denied', { door: 2, reason: 'invalid_card' });
      h.clock.advance(10_000);
    }
    expect(h.engine.alerts()).toHaveLength(0);
    h.event('incubator-door', 'access_denied', { door: 1 });
    const alerts = h.engine.alerts({ state: 'firing' });
    expect(alerts.map((a) => a.subject)).toEqual(['incubator-door:door-1']);
    expect(alerts[0]?.value).toBe(5);
    // four denials spread over more than a minute never fire
    const slow = engineHarness({ rules: defaultRules(['access-denied-burst']) });
    for (let i = 0; i < 8; i++) {
      slow.event('incubator-door', 'access_denied', { door: 1 });
      slow.clock.advance(16_000);
    }
    expect(slow.engine.alerts()).toHaveLength(0);
    // the burst resolves once the window empties
    h.run(70_000, 10_000);
    expect(h.engine.alerts({ state: 'firing' })).toHaveLength(0);
  });

  it('suspects a leak when the 01:00–05:00 minimum flow stays above 0.2 m³/h', () => {
    // 2025-06-01 17:00 UTC = 01:00 in the village (UTC+8)
    const nightStart = Date.UTC(2025, 5, 1, 17, 0, 0);
    const h = engineHarness({ rules: defaultRules(['night-flow-leak']), start: nightStart - 600_000 });
    h.run(5 * 3600_000, 600_000, (now) => {
      h.telemetry('clinic-flow', { flow_m3h: 0.35 + (now % 3) * 0.01 });
      h.telemetry('canteen-flow', { flow_m3h: now % 1_200_000 === 0 ? 0 : 1.5 });
    });
    const leaks = h.engine.alerts({ state: 'firing' });
    expect(leaks.map((a) => a.device)).toEqual(['clinic-flow']);
    expect(leaks[0]?.value).toBeCloseTo(0.35, 2);
    expect(leaks[0]?.firedAt).toBe(nightStart + 4 * 3600_000);
  });
});
