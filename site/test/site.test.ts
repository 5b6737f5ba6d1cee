import { describe, expect, it } from 'vitest';
import { DEMO_SITE_FILE, loadSite, SiteRegistry, siteSchema, ZONE_KINDS } from '../index.js';

describe('demo village site', () => {
  const site = loadSite(DEMO_SITE_FILE);
  const registry = new SiteRegistry(site);

  it('has 30–60 devices in the guideline zones', () => {
    expect(site.devices.length).toBeGreaterThanOrEqual(30);
    expect(site.devices.length).toBeLessThanOrEqual(60);
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
