import { describe, expect, it } from 'vitest';
import { AlertEngine, type EngineOutput } from '../engine/alert-engine.js';
import { FakeClock } from './fake-clock.js';
import { SiteIndex } from '../engine/site-index.js';
import { loadSite, DEMO_SITE_FILE, SiteRegistry } from '../../site/index.js';
import { defaultRules, demoSites, engineHarness, GATEWAY, SITE, T0 } from './engine-harness.js';

const DAY = 86_400_000;

describe('fire linkage: emergency lighting must answer a fire alarm within 5 s', () => {
  it('names the lights of the building that did not switch on, and resolves when they do', () => {
    const h = engineHarness({ rules: defaultRules(['fire-linkage-failure']) });
    const t = h.clock.now();
    h.event('canteen-fire-panel', 'fire_alarm', { loop: 1, address: 12 }, t);
    // the clinic's light answering says nothing about the canteen
    h.event('clinic-emergency-light', 'emergency_mode_on', {}, t + 1_000);
    h.run(14_000, 1_000);
    expect(h.engine.alerts()).toHaveLength(0);
    h.run(2_000, 1_000);
    const failed = h.engine.alerts({ state: 'firing' });
    expect(failed.map((a) => `${a.ruleId}/${a.subject}`)).toEqual(['fire-linkage-failure/building:canteen']);
    expect(failed[0]?.severity).toBe('critical');
    expect(failed[0]?.detail?.zh).toContain('社区食堂应急照明');
    expect(failed[0]?.detail?.zh).toContain('5 秒');
    expect(failed[0]?.detail?.en).toBe(
      'Canteen: no "emergency mode on" within 5 s of the fire alarm from Canteen fire alarm panel: Canteen emergency lighting',
    );
    // late is still late, but once every light is on the incident resolves
    h.event('canteen-emergency-light', 'emergency_mode_on');
    h.run(1_000, 1_000);
    expect(h.engine.alert(failed[0]?.id ?? '')?.state).toBe('resolved');
  });

  it('a light that answered in time (by its own timestamp, even if the message came late) is fine', () => {
    const h = engineHarness({ rules: defaultRules(['fire-linkage-failure']) });
    const t = h.clock.now();
    h.event('maker-hall-fire-panel', 'fire_alarm', { loop: 1, address: 3 }, t);
    h.clock.advance(12_000);
    h.event('maker-hall-emergency-light', 'emergency_mode_on', {}, t + 2_000);
    h.run(30_000, 1_000);
    expect(h.engine.alerts()).toHaveLength(0);
  });

  it('a light already in emergency mode (mains lost) counts; the check ends with the panel reset', () => {
    const h = engineHarness({ rules: defaultRules(['fire-linkage-failure']) });
    h.event('incubator-emergency-light', 'emergency_mode_on');
    h.clock.advance(60_000);
    h.event('incubator-fire-panel', 'fire_alarm', { loop: 2, address: 9 });
    h.run(30_000, 1_000);
    expect(h.engine.alerts()).toHaveLength(0);

    h.event('incubator-emergency-light', 'emergency_mode_off');
    h.event('incubator-fire-panel', 'fire_reset');
    h.event('incubator-fire-panel', 'fire_alarm', { loop: 2, address: 9 });
    h.run(20_000, 1_000);
    const failed = h.engine.alerts({ state: 'firing' });
    expect(failed).toHaveLength(1);
    h.event('incubator-fire-panel', 'fire_reset');
    expect(h.engine.alert(failed[0]?.id ?? '')?.state).toBe('resolved');
  });
});

describe('self-tests of emergency lighting', () => {
  it('a monthly self-test overdue fires after 32 days, across a restart, and a test resolves it', () => {
    const clock = new FakeClock(T0);
    const outputs: EngineOutput[] = [];
    const make = (evidence: Map<string, number>) =>
      new AlertEngine({
        rules: defaultRules(['emergency-monthly-test-overdue']),
        sites: demoSites(),
        clock,
        initial: { alerts: [], silences: [], evidence },
        onOutput: (o) => outputs.push(o),
      });
    const first = make(new Map());
    first.event(SITE, GATEWAY, 'clinic-emergency-light', {
      ts: clock.now(),
      seq: 1,
      type: 'emergency_self_test',
      data: { kind: 'monthly', result: 'pass', duration_s: 30 },
    });
    first.tick();
    const evidence = new Map(outputs.flatMap((o) => o.evidence).map((e) => [e.key, e.at]));
    expect(evidence.get('emergency-monthly-test-overdue|demo-village|clinic-emergency-light')).toBe(T0);

    // alerting restarts 20 days later with what it journalled
    clock.advance(20 * DAY);
    const second = make(evidence);
    second.tick();
    clock.advance(11 * DAY);
    second.tick();
    expect(second.alerts({ state: 'firing' }).map((a) => a.device)).not.toContain('clinic-emergency-light');
    clock.advance(2 * DAY);
    second.tick();
    const overdue = second.alerts({ state: 'firing' }).filter((a) => a.device === 'clinic-emergency-light');
    expect(overdue.map((a) => a.ruleId)).toEqual(['emergency-monthly-test-overdue']);
    // an annual test is not the monthly one; the monthly is
    second.event(SITE, GATEWAY, 'clinic-emergency-light', {
      ts: clock.now(),
      seq: 2,
      type: 'emergency_self_test',
      data: { kind: 'annual', result: 'pass', duration_s: 1800 },
    });
    expect(second.alert(overdue[0]?.id ?? '')?.state).toBe('firing');
    second.event(SITE, GATEWAY, 'clinic-emergency-light', {
      ts: clock.now(),
      seq: 3,
      type: 'emergency_self_test',
      data: { kind: 'monthly', result: 'pass', duration_s: 30 },
    });
    expect(second.alert(overdue[0]?.id ?? '')?.state).toBe('resolved');
  });
});

describe('drinking water limits per supply class (GB 5749-2022)', () => {
  it('a small rural supply is judged at 3 NTU, a centralized one at 1 NTU', () => {
    const centralized = engineHarness({
      rules: defaultRules(['turbidity-high', 'turbidity-high-small-supply']),
    });
    const site = loadSite(DEMO_SITE_FILE);
    const small = new AlertEngine({
      rules: defaultRules(['turbidity-high', 'turbidity-high-small-supply']),
      sites: new SiteIndex([
        new SiteRegistry({ ...site, site: { ...site.site, drinkingWater: { supply: 'small' } } }),
      ]),
      clock: centralized.clock,
    });
    for (let i = 0; i < 8; i++) {
      for (const [ntu, seq] of [[2.2, i]] as const) {
        centralized.telemetry('water-station-quality', { turbidity_ntu: ntu });
        small.telemetry(SITE, GATEWAY, 'water-station-quality', {
          ts: centralized.clock.now(),
          seq,
          values: { turbidity_ntu: ntu },
        });
      }
      centralized.clock.advance(5_000);
    }
    expect(centralized.engine.alerts({ state: 'firing' }).map((a) => a.ruleId)).toEqual(['turbidity-high']);
    expect(small.alerts()).toHaveLength(0);
    small.telemetry(SITE, GATEWAY, 'water-station-quality', {
      ts: centralized.clock.now(),
      seq: 100,
      values: { turbidity_ntu: 3.4 },
    });
    centralized.clock.advance(31_000);
    small.telemetry(SITE, GATEWAY, 'water-station-quality', {
      ts: centralized.clock.now(),
      seq: 101,
      values: { turbidity_ntu: 3.4 },
    });
    expect(small.alerts({ state: 'firing' }).map((a) => a.ruleId)).toEqual(['turbidity-high-small-supply']);
  });
});
