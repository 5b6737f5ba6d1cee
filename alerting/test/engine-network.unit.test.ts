import { describe, expect, it } from 'vitest';
import { AlertEngine } from '../engine/alert-engine.js';
import { FakeClock } from './fake-clock.js';
import { defaultRules, demoSites, engineHarness, GATEWAY, SITE, T0 } from './engine-harness.js';

const MINUTE = 60_000;

describe('network and device incidents', () => {
  it('a gateway whose clock runs 10 minutes ahead is reported once, and clears with a message stamped right', () => {
    const h = engineHarness({ rules: defaultRules(['gateway-clock-skew']) });
    for (let i = 0; i < 5; i++) h.telemetry('clinic-power', { voltage_v: 230 }, h.clock.now() + 10 * MINUTE);
    const skewed = h.engine.alerts({ state: 'firing' });
    expect(skewed.map((a) => `${a.ruleId}/${a.subject}`)).toEqual(['gateway-clock-skew/gateway:gw-center']);
    expect(skewed[0]?.occurrences).toBe(1);
    expect(skewed[0]?.detail?.en).toContain('offset_s=600');
    // a buffer replay of hour-old readings proves nothing about the clock either way
    h.telemetry('clinic-power', { voltage_v: 230 }, h.clock.now() - 60 * MINUTE);
    expect(h.engine.alert(skewed[0]?.id ?? '')?.state).toBe('firing');
    h.telemetry('clinic-power', { voltage_v: 230 });
    expect(h.engine.alert(skewed[0]?.id ?? '')?.state).toBe('resolved');
  });

  it('readings stamped in the future are judged at arrival: an alarm still counts, and right readings after it are not ignored', () => {
    const h = engineHarness({ rules: defaultRules(['gateway-clock-skew', 'fire-alarm', 'overvoltage']) });
    h.event('clinic-fire-panel', 'fire_alarm', { loop: 1, address: 2 }, h.clock.now() + 10 * MINUTE);
    expect(h.engine.alerts({ state: 'firing', ruleId: 'fire-alarm' })).toHaveLength(1);
    h.telemetry('clinic-power', { voltage_v: 240 }, h.clock.now() + 10 * MINUTE);
    h.clock.advance(5_000);
    // the clock is fixed: readings stamped now are judged, not dropped as older than the future ones
    for (let i = 0; i < 8; i++) {
      h.telemetry('clinic-power', { voltage_v: 230 });
      h.clock.advance(5_000);
    }
    expect(h.engine.alerts({ ruleId: 'overvoltage' }).map((a) => a.state)).toEqual(['resolved']);
  });

  it('a meter answering garbage is meter-garbage, never meter-silent, and a good reading clears it', () => {
    const h = engineHarness({
      rules: defaultRules(['meter-silent', 'meter-garbage', 'gateway-network-fault']),
    });
    h.status('online');
    h.run(10_000, 5_000, () => h.meters());
    h.event('canteen-pressure', 'device_error', { code: 'READING_UNUSABLE', message: 'NaN' });
    h.event('shop-pressure', 'device_error', { code: 'MODBUS_BAD_FRAME', message: 'CRC mismatch' });
    h.run(60_000, 5_000, () => h.meters({ 'canteen-pressure': null, 'shop-pressure': null }));
    const open = h.engine.alerts().filter((a) => a.state !== 'resolved');
    // Two meters of one zone with no readings, but both answer: no silence, no network fault.
    expect(open.map((a) => `${a.ruleId}/${a.device}`).sort()).toEqual([
      'meter-garbage/canteen-pressure',
      'meter-garbage/shop-pressure',
    ]);
    expect(open.find((a) => a.device === 'canteen-pressure')?.detail?.zh).toContain('READING_UNUSABLE');
    h.telemetry('canteen-pressure', { pressure_mpa: 0.25 });
    h.event('canteen-pressure', 'device_online');
    expect(h.engine.alerts({ state: 'firing' }).map((a) => a.device)).toEqual(['shop-pressure']);
    // answering properly again, a meter is judged for silence as before
    h.run(60_000, 5_000, () => h.meters({ 'canteen-pressure': null, 'shop-pressure': null }));
    expect(h.engine.alerts({ state: 'firing', ruleId: 'meter-silent' }).map((a) => a.device)).toEqual([
      'canteen-pressure',
    ]);
  });

  it('a DL/T 645 meter that stops answering is meter-silent like a Modbus one', () => {
    const h = engineHarness({ rules: defaultRules(['meter-silent']) });
    h.status('online');
    h.run(60_000, 5_000, () => h.meters({ 'shop-power': null }));
    expect(h.engine.alerts({ state: 'firing' }).map((a) => a.device)).toEqual(['shop-power']);
  });

  it('an alert still firing when the incident that explained it is over notifies after the hold', () => {
    const h = engineHarness({ rules: defaultRules(['zone-water-outage', 'low-pressure']) });
    const low = (devices: readonly string[]) => () =>
      h.meters(Object.fromEntries(devices.map((d) => [d, { pressure_mpa: 0.01 }])));
    h.run(120_000, 5_000, low(['canteen-pressure', 'shop-pressure']));
    expect(h.notifications('firing').map((n) => n.alert.ruleId)).toEqual(['zone-water-outage']);
    // water is back at the shop but the canteen stays low: the outage is over, the canteen's alert is real
    h.run(55_000, 5_000, low(['canteen-pressure']));
    expect(h.notifications('firing').map((n) => n.alert.ruleId)).toEqual(['zone-water-outage']);
    h.run(15_000, 5_000, low(['canteen-pressure']));
    expect(h.notifications('firing').map((n) => `${n.alert.ruleId}/${n.alert.device ?? ''}`)).toEqual([
      'zone-water-outage/',
      'low-pressure/canteen-pressure',
    ]);
  });

  it('open alerts of a rule that was removed resolve at the first tick instead of staying open forever', () => {
    const clock = new FakeClock(T0);
    const before = new AlertEngine({ rules: defaultRules(['door-forced']), sites: demoSites(), clock });
    before.event(SITE, GATEWAY, 'clinic-door', { ts: T0, seq: 1, type: 'door_forced', data: { door: 1 } });
    const carried = before.alerts();
    const after = new AlertEngine({
      rules: defaultRules(['door-held-open']),
      sites: demoSites(),
      clock,
      initial: { alerts: carried, silences: [] },
    });
    expect(after.alerts({ state: 'firing' })).toHaveLength(1);
    after.tick();
    const retired = after.alert(carried[0]?.id ?? '');
    expect(retired?.state).toBe('resolved');
    expect(retired?.timeline.at(-1)?.detail).toBe('rule removed or disabled');
  });
});
