import { describe, expect, it } from 'vitest';
import { defaultRules, engineHarness, METERS, normalValues } from './engine-harness.js';

const GATEWAY_RULES = [
  'meter-silent',
  'gateway-offline',
  'gateway-stopped',
  'gateway-power-outage',
  'gateway-network-fault',
];

function meteringHarness() {
  const h = engineHarness({ rules: defaultRules(GATEWAY_RULES) });
  h.status('online');
  h.run(20_000, 5_000, () => METERS.forEach((m) => h.telemetry(m.id, normalValues(m.id))));
  return h;
}

describe('a gateway stopped on purpose', () => {
  it('a restart (announced stop, back within the grace) raises nothing at all', () => {
    const h = meteringHarness();
    h.status('offline', h.clock.now(), 'shutdown');
    h.run(60_000, 5_000);
    h.status('online');
    h.run(20_000, 5_000, () => METERS.forEach((m) => h.telemetry(m.id, normalValues(m.id))));
    expect(h.engine.alerts({})).toEqual([]);
    expect(h.notifications()).toEqual([]);
  });

  it('a stop that lasts is reported once as a stopped gateway, not as its will or a power outage, and clears when it is back', () => {
    const h = meteringHarness();
    h.status('offline', h.clock.now(), 'shutdown');
    h.run(290_000, 5_000);
    expect(h.engine.alerts({ state: 'firing' })).toEqual([]);
    h.run(20_000, 5_000);
    const firing = h.engine.alerts({ state: 'firing' });
    expect(firing.map((a) => `${a.ruleId}/${a.subject}/${a.severity}`)).toEqual([
      'gateway-stopped/gateway:gw-center/critical',
    ]);
    expect(h.notifications('firing').map((n) => n.alert.ruleId)).toEqual(['gateway-stopped']);
    h.status('online');
    expect(h.engine.alerts({ state: 'firing' })).toEqual([]);
    expect(h.notifications('resolved').map((n) => n.alert.ruleId)).toEqual(['gateway-stopped']);
  });

  it('a stop announced while alerting was down is judged from when alerting could hear the gateway again', () => {
    const h = engineHarness({ rules: defaultRules(GATEWAY_RULES) });
    const stoppedAt = h.clock.now();
    h.engine.inputConnection(false);
    h.clock.advance(3_600_000);
    h.engine.inputConnection(true);
    h.status('offline', stoppedAt, 'shutdown');
    h.run(5_000, 1_000);
    expect(h.engine.alerts({ state: 'firing' })).toEqual([]);
    h.status('online');
    h.run(400_000, 5_000, () => METERS.forEach((m) => h.telemetry(m.id, normalValues(m.id))));
    expect(h.notifications()).toEqual([]);
  });

  it('a will is still the gateway lost at once (the power-outage inference keeps its evidence)', () => {
    const h = meteringHarness();
    h.status('offline');
    h.run(5_000, 5_000);
    expect(h.engine.alerts({ state: 'firing' }).map((a) => a.ruleId)).toContain('gateway-offline');
    expect(h.engine.alerts({}).some((a) => a.ruleId === 'gateway-stopped')).toBe(false);
  });
});
