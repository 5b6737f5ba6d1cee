import { describe, expect, it } from 'vitest';
import { defaultRules, engineHarness, THREE_PHASE_OK } from './engine-harness.js';

const THREE_PHASE_DEAD = {
  voltage_l1_v: 0,
  voltage_l2_v: 0,
  voltage_l3_v: 0,
  current_l1_a: 0,
  current_l2_a: 0,
  current_l3_a: 0,
  frequency_hz: 50,
};
const SINGLE_DEAD = { voltage_v: 0, current_a: 0, frequency_hz: 50 };

/** The supply rules and the incidents that read them, as the defaults wire them. */
const POWER_RULES = [
  'zone-power-outage',
  'building-power-outage',
  'supply-lost',
  'phase-loss',
  'undervoltage',
  'undervoltage-three-phase',
  'phase-imbalance',
  'overload',
  'meter-silent',
  'emergency-mains-lost',
  'gateway-network-fault',
];

describe('power incidents with the gateway up', () => {
  it('a zone at 0 V is one zone power outage; the per-meter alerts it explains never notify, and it clears', () => {
    const h = engineHarness({ rules: defaultRules(POWER_RULES) });
    h.status('online');
    const dining = (dead: boolean) =>
      h.meters(dead ? { 'canteen-power': THREE_PHASE_DEAD, 'shop-power': SINGLE_DEAD } : {});
    h.run(20_000, 5_000, () => dining(false));
    h.run(5_000, 5_000, () => dining(true));
    h.event('canteen-emergency-light', 'emergency_mains_lost');
    h.event('shop-emergency-light', 'emergency_mains_lost');
    h.run(120_000, 5_000, () => dining(true));

    const open = h.engine.alerts().filter((a) => a.state !== 'resolved');
    const incident = open.find((a) => a.ruleId === 'zone-power-outage');
    expect(incident?.state).toBe('firing');
    expect(incident?.zone).toBe('dining');
    expect(incident?.detail?.zh).toContain('社区食堂');
    expect(incident?.detail?.zh).toContain('村级商店');
    // Meters at 0 V, phases below half, lights on battery: all there, all explained by the incident.
    const explained = open.filter((a) => a.id !== incident?.id);
    expect(new Set(explained.map((a) => a.ruleId))).toEqual(
      new Set([
        'supply-lost',
        'phase-loss',
        'undervoltage',
        'undervoltage-three-phase',
        'emergency-mains-lost',
      ]),
    );
    expect(explained.every((a) => a.inhibitedBy === incident?.id)).toBe(true);
    expect(h.notifications('firing').map((n) => n.alert.ruleId)).toEqual(['zone-power-outage']);
    expect(open.some((a) => a.ruleId === 'building-power-outage')).toBe(false);

    h.run(60_000, 5_000, () => dining(false));
    h.event('canteen-emergency-light', 'emergency_mains_restored');
    h.event('shop-emergency-light', 'emergency_mains_restored');
    expect(h.engine.alert(incident?.id ?? '')?.state).toBe('resolved');
    expect(h.engine.alerts().filter((a) => a.state !== 'resolved')).toEqual([]);
    expect(h.notifications('resolved').map((n) => n.alert.ruleId)).toEqual(['zone-power-outage']);
  });

  it('one building out while the rest of its zone has power is a building outage', () => {
    const h = engineHarness({ rules: defaultRules(POWER_RULES) });
    h.status('online');
    h.run(60_000, 5_000, () => h.meters({ 'shop-power': SINGLE_DEAD }));
    const open = h.engine.alerts({ state: 'firing' });
    expect(open.map((a) => `${a.ruleId}/${a.subject}`).sort()).toEqual([
      'building-power-outage/building:shop',
      'supply-lost/shop-power',
      'undervoltage/shop-power:voltage_v',
    ]);
    expect(h.notifications('firing').map((n) => n.alert.ruleId)).toEqual(['building-power-outage']);
  });

  it('meters merely silent are a network fault; with emergency lights on battery they are a power cut', () => {
    const quiet = engineHarness({ rules: defaultRules(POWER_RULES) });
    quiet.status('online');
    const silentDining = { 'canteen-power': null, 'shop-power': null };
    quiet.run(60_000, 5_000, () => quiet.meters(silentDining));
    const quietFiring = quiet.engine.alerts({ state: 'firing' });
    expect(quietFiring.some((a) => a.ruleId === 'zone-power-outage')).toBe(false);
    expect(quietFiring.filter((a) => a.ruleId === 'gateway-network-fault').map((a) => a.zone)).toEqual([
      'dining',
    ]);

    const h = engineHarness({ rules: defaultRules(POWER_RULES) });
    h.status('online');
    h.event('canteen-emergency-light', 'emergency_mains_lost');
    h.run(60_000, 5_000, () => h.meters(silentDining));
    const outages = h.engine.alerts({ state: 'firing', ruleId: 'zone-power-outage' }).map((a) => a.zone);
    expect(outages).toEqual(['dining']);
  });

  it('phase loss, overload against the rating and three-phase unbalance each fire on their own', () => {
    const h = engineHarness({ rules: defaultRules(POWER_RULES) });
    h.status('online');
    // L2 lost on the maker hall; the canteen's L1 carries 80 A on a 63 A circuit; the incubator's L3 sags
    h.run(120_000, 5_000, () =>
      h.meters({
        'maker-hall-power': { ...THREE_PHASE_OK, voltage_l2_v: 0, current_l2_a: 0 },
        'canteen-power': { ...THREE_PHASE_OK, current_l1_a: 80 },
        'incubator-power': { ...THREE_PHASE_OK, voltage_l3_v: 214 },
      }),
    );
    const firing = h.engine.alerts({ state: 'firing' });
    expect(firing.map((a) => `${a.ruleId}/${a.subject}`).sort()).toEqual([
      'overload/canteen-power:current_l1_a',
      'phase-imbalance/incubator-power',
      'phase-imbalance/maker-hall-power',
      'phase-loss/maker-hall-power:voltage_l2_v',
      'undervoltage-three-phase/maker-hall-power:voltage_l2_v',
    ]);
    const loss = firing.find((a) => a.ruleId === 'phase-loss');
    expect(
      firing
        .filter((a) => a.device === 'maker-hall-power' && a.id !== loss?.id)
        .every((a) => a.inhibitedBy === loss?.id),
    ).toBe(true);
    expect(firing.find((a) => a.ruleId === 'overload')?.threshold).toBe('> 63 A (> 1 × 63 A)');
    expect(firing.find((a) => a.device === 'incubator-power')?.value).toBeCloseTo(4.6, 1);
    expect(
      h
        .notifications('firing')
        .map((n) => n.alert.ruleId)
        .sort(),
    ).toEqual(['overload', 'phase-imbalance', 'phase-loss']);
  });
});
