import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { DEMO_SITE_FILE, SiteRegistry, siteSchema } from '../../site/index.js';
import { SiteIndex } from '../engine/site-index.js';
import { defaultRules, engineHarness } from './engine-harness.js';

/** The demo village with report by exception: every polled field at least every 300 s. */
function sparseSites(): SiteIndex {
  const site = siteSchema.parse({
    ...(parseYaml(readFileSync(DEMO_SITE_FILE, 'utf8')) as object),
    reporting: { maxIntervalS: 300 },
  });
  return new SiteIndex([new SiteRegistry(site)]);
}

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
