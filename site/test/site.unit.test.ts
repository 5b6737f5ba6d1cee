import { describe, expect, it } from 'vitest';
import { DEMO_SITE_FILE, loadSite, SiteRegistry, siteSchema, ZONE_KINDS } from '../index.js';

describe('demo village site', () => {
  const site = loadSite(DEMO_SITE_FILE);
  const registry = new SiteRegistry(site);

  it('has 30–61 devices in the guideline zones', () => {
    expect(site.devices.length).toBeGreaterThanOrEqual(30);
    expect(site.devices.length).toBeLessThanOrEqual(61);
    const kinds = new Set(site.zones.map((z) => z.kind));
    for (const kind of [
      'maker_workspace',
      'public_exchange',
      'industry_incubation',
      'culture_leisure',
      'dining',
      'public_services',
    ]) {
      expect(kinds.has(kind as keyof typeof ZONE_KINDS)).toBe(true);
    }
  });

  it('uses every profile category the village needs', () => {
    const categories = new Set(registry.all().map((d) => d.profile.category));
    for (const c of [
      'electricity-meter',
      'water-flow-meter',
      'pressure-transmitter',
      'water-quality-probe',
      'camera',
      'access-control',
      'fire-panel',
      'emergency-light',
    ]) {
      expect(categories.has(c as never), c).toBe(true);
    }
  });

  it('rejects a device in an unknown zone, a duplicate unit id and a Modbus device without a bus', () => {
    const device = site.devices.find((d) => d.bus)!;
    const broken = {
      ...site,
      devices: [
        ...site.devices,
        { ...device, id: 'dup-unit' },
        { ...device, id: 'no-zone', zone: 'nowhere', unitId: 200 },
        { ...device, id: 'no-bus', bus: undefined, unitId: 201 },
      ],
    };
    const result = siteSchema.safeParse(broken);
    expect(result.success).toBe(false);
    const messages = result.error!.issues.map((i) => i.message).join('\n');
    expect(messages).toMatch(/dup-unit.*unit id \d+ is used twice/);
    expect(messages).toMatch(/no-zone.*unknown zone "nowhere"/);
    expect(messages).toMatch(/no-bus.*needs "bus" and "unitId"/);
  });
});

describe('DL/T 645 meters in a site', () => {
  const site = loadSite(DEMO_SITE_FILE);
  const base = site.devices.find((d) => d.profile === 'chint-ddsu666')!;
  const meter = (id: string, meterAddress: unknown, bus = 'bus-meters') => ({
    ...base,
    id,
    profile: 'dlt645-single-phase',
    bus,
    unitId: undefined,
    meterAddress,
  });
  const withMeters = (...devices: unknown[]) => ({
    ...site,
    buses: [...site.buses, { id: 'bus-meters', gateway: base.gateway, protocol: 'dlt645' }],
    devices: [...site.devices, ...devices],
  });

  it('accepts meters by bus and 12-digit address, zero-padding a number YAML read', () => {
    const parsed = siteSchema.parse(
      withMeters(meter('shop-meter', '000012345678'), meter('hall-meter', 87654321)),
    );
    expect(parsed.buses.find((b) => b.id === 'bus-meters')?.protocol).toBe('dlt645');
    expect(parsed.buses.find((b) => b.id === base.bus)?.protocol).toBe('modbus');
    expect(parsed.devices.find((d) => d.id === 'hall-meter')?.meterAddress).toBe('000087654321');
  });

  it('rejects a duplicate address, a bad address, a missing address and a meter on a Modbus bus', () => {
    const result = siteSchema.safeParse(
      withMeters(
        meter('meter-a', '000012345678'),
        meter('meter-dup', '000012345678'),
        meter('meter-short', '12345678901'),
        meter('meter-none', undefined),
        meter('meter-modbus-bus', '000011112222', base.bus),
      ),
    );
    expect(result.success).toBe(false);
    const issues = result.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n');
    const at = (id: string) =>
      site.devices.length +
      ['meter-a', 'meter-dup', 'meter-short', 'meter-none', 'meter-modbus-bus'].indexOf(id);
    expect(issues).toMatch(/meter-dup.*meter address 000012345678 is used twice on bus "bus-meters"/);
    expect(issues).toContain(`devices.${at('meter-short')}.meterAddress: must be 12 digits`);
    expect(issues).toMatch(/meter-none.*needs "bus" and "meterAddress"/);
    expect(issues).toMatch(
      /meter-modbus-bus.*is a modbus bus; a dlt645 device needs a bus with protocol: dlt645/,
    );
    expect(issues).not.toMatch(/"meter-a"/);
  });

  it('rejects a Modbus device on a DL/T 645 bus', () => {
    const result = siteSchema.safeParse({
      ...withMeters(),
      devices: [...site.devices, { ...base, id: 'lost-modbus', bus: 'bus-meters', unitId: 9 }],
    });
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((i) => i.message).join('\n')).toMatch(
      /lost-modbus.*is a dlt645 bus; a modbus device needs a bus with protocol: modbus/,
    );
  });
});

describe('CJ/T 188 water meters in a site', () => {
  const site = loadSite(DEMO_SITE_FILE);
  const base = site.devices.find((d) => d.profile === 'chint-ddsu666')!;
  const water = (id: string, meterAddress: unknown) => ({
    ...base,
    id,
    profile: 'cjt188-cold-water',
    bus: 'bus-water',
    unitId: undefined,
    meterAddress,
  });
  const withWater = (...devices: unknown[]) => ({
    ...site,
    buses: [...site.buses, { id: 'bus-water', gateway: base.gateway, protocol: 'cjt188' }],
    devices: [...site.devices, ...devices],
  });

  it('accepts a water meter by bus and 14-digit address', () => {
    const parsed = siteSchema.parse(withWater(water('kitchen-water', '00000020250001')));
    expect(parsed.devices.find((d) => d.id === 'kitchen-water')?.meterAddress).toBe('00000020250001');
  });

  it('refuses a 12-digit address (or an unquoted number) for a CJ/T 188 meter', () => {
    const result = siteSchema.safeParse(
      withWater(water('short-water', '000020250001'), water('number-water', 20250002)),
    );
    expect(result.success).toBe(false);
    const messages = result.error!.issues.map((i) => i.message).join('\n');
    expect(messages).toMatch(/short-water.*must have 14 digits for a cjt188 meter \(quote it in YAML\)/);
    expect(messages).toMatch(/number-water.*must have 14 digits/);
  });
});

describe('tenants and sub-metering', () => {
  const demo = loadSite(DEMO_SITE_FILE);
  const issues = (patch: Record<string, unknown>) => {
    const result = siteSchema.safeParse({ ...demo, ...patch });
    return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };

  it('names the demo village tenants and its water main', () => {
    expect(demo.tenants.map((t) => t.name)).toEqual([
      '创客团队',
      '孵化企业·智慧农业',
      '孵化企业·农村电商',
      '食堂经营者',
    ]);
    expect(demo.tenants[0]?.meters[0]).toEqual({ device: 'fab-lab-power', share: 1 });
    expect(demo.metering.waterMains).toEqual(['water-station-flow']);
  });

  it('refuses shares of a meter above the whole, a tenant on a non-meter and a main that is no flow meter', () => {
    expect(
      issues({
        tenants: [
          { id: 'a', name: '甲', name_en: 'A', meters: [{ device: 'canteen-power', share: 0.7 }] },
          { id: 'b', name: '乙', name_en: 'B', meters: [{ device: 'canteen-power', share: 0.5 }] },
          { id: 'c', name: '丙', name_en: 'C', meters: [{ device: 'canteen-camera' }] },
        ],
        metering: { waterMains: ['canteen-power'], meterChanges: [] },
      }),
    ).toEqual([
      'tenants.2.meters.0.device: "canteen-camera" is not an electricity or water meter of this site',
      'tenants: tenants\' shares of "canteen-power" add up to 1.2; at most 1 (the whole meter)',
      'metering.waterMains.0: "canteen-power" is not a water flow meter of this site',
    ]);
  });

  it('wants a replacement time with its UTC offset', () => {
    const change = { device: 'canteen-power', finalReading: 12.5, initialReading: 0 };
    expect(issues({ metering: { meterChanges: [{ ...change, at: '2026-11-12 10:00' }] } })).toEqual([
      expect.stringMatching(/^metering\.meterChanges\.0\.at: /),
    ]);
    expect(issues({ metering: { meterChanges: [{ ...change, at: '2026-11-12T10:00:00+08:00' }] } })).toEqual(
      [],
    );
  });
});
