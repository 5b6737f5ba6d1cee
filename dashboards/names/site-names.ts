import type { Site } from '../../site/index.js';
import type { Lang } from '../board-context.js';

/** The tags whose values are ids of things the site file names. */
export const NAMED_TAGS = ['site', 'zone', 'building', 'device', 'gateway'] as const;
export type NamedTag = (typeof NAMED_TAGS)[number];

export interface NamedEntity {
  id: string;
  name: string;
}

/**
 * id → the name staff know (创客楼总电表, not `maker-hall-power`), per tag, in one
 * language. Devices and gateways have a Chinese name only: the English boards show it too.
 */
export class SiteNames {
  private readonly byTag: Record<NamedTag, NamedEntity[]>;

  constructor(
    readonly site: Site,
    readonly lang: Lang,
  ) {
    const pick = (zh: string, en: string) => (lang === 'zh' ? zh : en);
    this.byTag = {
      site: [{ id: site.site.id, name: pick(site.site.name, site.site.name_en) }],
      zone: site.zones.map((z) => ({ id: z.id, name: pick(z.name, z.name_en) })),
      building: site.zones.flatMap((z) =>
        z.buildings.map((b) => ({ id: b.id, name: pick(b.name, b.name_en) })),
      ),
      device: site.devices.map((d) => ({ id: d.id, name: d.name })),
      gateway: site.gateways.map((g) => ({ id: g.id, name: g.name })),
    };
  }

  entities(tag: NamedTag): readonly NamedEntity[] {
    return this.byTag[tag];
  }

  nameOf(tag: NamedTag, id: string): string {
    return this.byTag[tag].find((e) => e.id === id)?.name ?? id;
  }
}
