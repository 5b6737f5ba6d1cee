import { describe, expect, it } from 'vitest';
import { defaultRules, engineHarness, METERS, normalValues } from './engine-harness.js';

describe('zone correlation', () => {
  it('two low-pressure meters in one zone make one water-outage incident for the zone', () => {
    const h = engineHarness({ rules: defaultRules(['low-pressure', 'zone-water-outage']) });
    h.run(90_000, 5_000, () => {
      h.telemetry('clinic-pressure', { pressure_mpa: 0.01 });
      h.telemetry('water-station-pressure', { pressure_mpa: 0.0 });
      h.telemetry('canteen-pressure', { pressure_mpa: 0.01 });
    });
    const incidents = h.engine.alerts({ ruleId: 'zone-water-outage' });
    expect(incidents).toHaveLength(1);
    expect(incidents[0]?.zone).toBe('public-services');
    expect(incidents[0]?.state).toBe('firing');
    expect(incidents[0]?.detail?.zh).toContain('卫生室进水压力');
    // English names the devices by the site file's English names, as Chinese does by its names.
    expect(incidents[0]?.detail?.en).toContain('Clinic inlet water pressure');
    expect(incidents[0]?.detail?.en).not.toContain('clinic-pressure');
    expect(h.notifications().filter((n) => n.alert.ruleId === 'zone-water-outage')).toHaveLength(1);
    // one meter recovers: the incident resolves, the remaining low-pressure alert stays
    h.run(10_000, 5_000, () => h.telemetry('clinic-pressure', { pressure_mpa: 0.25 }));
    expect(h.engine.alert(incidents[0]?.id ?? '')?.state).toBe('resolved');
    expect(
      h.engine
        .alerts({ state: 'firing', ruleId: 'low-pressure' })
        .map((a) => a.device)
        .sort(),
    ).toEqual(['canteen-pressure', 'water-station-pressure']);
  });

  it('a gateway LWT after normal readings is a probable power outage per zone, not a wall of silent meters', () => {
    const h = engineHarness({
      rules: defaultRules([
        'meter-silent',
        'gateway-offline',
        'gateway-power-outage',
        'gateway-network-fault',
      ]),
    });
    h.status('online');
    h.run(20_000, 5_000, () => METERS.forEach((m) => h.telemetry(m.id, normalValues(m.id))));
    h.status('offline');
    h.run(120_000, 5_000);
    const firing = h.engine.alerts({ state: 'firing' });
    expect(firing.filter((a) => a.ruleId === 'meter-silent')).toHaveLength(0);
    const gatewayAlerts = firing.filter((a) => a.ruleId === 'gateway-offline');
    expect(gatewayAlerts).toHaveLength(1);
    // The outage incidents explain the gateway's loss: it is not notified on its own.
    expect(gatewayAlerts[0]?.inhibitedBy).toBeDefined();
    expect(h.notifications('firing').map((n) => n.alert.ruleId)).not.toContain('gateway-offline');
    const outages = firing
      .filter((a) => a.ruleId === 'gateway-power-outage')
      .map((a) => a.zone)
      .sort();
    expect(outages).toEqual([
      'culture-leisure',
      'dining',
      'incubation',
      'maker-workspace',
      'public-exchange',
      'public-services',
    ]);
    expect(firing.some((a) => a.ruleId === 'gateway-network-fault')).toBe(false);
    h.status('online');
    expect(h.engine.alerts({ state: 'firing' })).toHaveLength(0);
  });

  it('a gateway that stays up while its meters fall silent is a gateway or network fault, not a power cut', () => {
    const h = engineHarness({
      rules: defaultRules(['meter-silent', 'gateway-offline', 'zone-power-outage', 'gateway-network-fault']),
    });
    h.status('online');
    h.run(120_000, 5_000, () =>
      METERS.filter((m) => m.zone !== 'dining').forEach((m) => h.telemetry(m.id, normalValues(m.id))),
    );
    const firing = h.engine.alerts({ state: 'firing' });
    const faults = firing.filter((a) => a.ruleId === 'gateway-network-fault');
    expect(faults.map((a) => a.subject)).toEqual(['gw-center:dining']);
    expect(faults[0]?.value).toBe(METERS.filter((m) => m.zone === 'dining').length);
    // Silent meters alone (no meter at 0 V, no emergency light on battery) are no power cut.
    expect(firing.some((a) => a.ruleId === 'zone-power-outage')).toBe(false);
    // One incident, not a storm: the silent meters it lists are not notified one by one.
    const silent = firing.filter((a) => a.ruleId === 'meter-silent');
    expect(silent.map((a) => a.zone)).toEqual(silent.map(() => 'dining'));
    expect(silent.every((a) => a.inhibitedBy === faults[0]?.id)).toBe(true);
    expect(h.notifications('firing').map((n) => `${n.alert.ruleId}/${n.alert.subject}`)).toEqual([
      'gateway-network-fault/gw-center:dining',
    ]);
  });
});
