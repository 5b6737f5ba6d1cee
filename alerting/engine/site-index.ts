import type { DeviceCategory } from '../../devices/index.js';
import { maxIntervalOf, quietLimitS, type DrinkingWaterSupply, type SiteRegistry } from '../../site/index.js';
import { unitOfField, UNITS } from '../../devices/index.js';

/** What an alert needs to know about a device: where it is, in the words staff use. */
export interface DeviceContext {
  site: string;
  id: string;
  name: string;
  /** The site file's English name, or its (Chinese) name when it has none: never the id. */
  nameEn: string;
  zone: string;
  zoneName: string;
  zoneNameEn: string;
  building: string;
  buildingName: string;
  buildingNameEn: string;
  gateway: string;
  profile: string;
  category: DeviceCategory;
  /** Polled devices only (Modbus, DL/T 645): how often the gateway reads them. */
  pollIntervalS: number | undefined;
  /** Polled devices under report by exception: the longest time between two readings sent, s. */
  maxIntervalS: number | undefined;
  /** Polled devices: the longest a healthy device stays quiet (one poll, or its maximum interval and a poll). */
  quietLimitS: number | undefined;
  /** How long its gateway gathers readings into one batch (site `reporting.batchIntervalS`), s. */
  batchIntervalS: number;
  /** The installation's ratings (site file), e.g. `current_a` of the circuit's breaker. */
  ratings: Readonly<Record<string, number>>;
  drinkingWaterSupply: DrinkingWaterSupply;
}

export interface ZoneContext {
  site: string;
  id: string;
  name: string;
  nameEn: string;
}

/** A gateway in the site file's words. */
export interface GatewayContext {
  site: string;
  id: string;
  name: string;
  /** As `DeviceContext.nameEn`. */
  nameEn: string;
}

export const MULTIPLE_ZONES = 'multiple';

/** Devices and zones of every configured site, keyed by site and id. */
export class SiteIndex {
  private readonly devices = new Map<string, DeviceContext>();
  private readonly zones = new Map<string, ZoneContext>();
  private readonly gateways = new Map<string, GatewayContext>();

  constructor(registries: readonly SiteRegistry[]) {
    for (const registry of registries) {
      const site = registry.siteId;
      for (const gateway of registry.site.gateways) {
        const { id, name } = gateway;
        this.gateways.set(`${site}/${id}`, { site, id, name, nameEn: gateway.name_en ?? name });
      }
      for (const zone of registry.site.zones) {
        this.zones.set(`${site}/${zone.id}`, { site, id: zone.id, name: zone.name, nameEn: zone.name_en });
      }
      for (const { device, profile, zone } of registry.all()) {
        const building = zone.buildings.find((b) => b.id === device.building);
        this.devices.set(`${site}/${device.id}`, {
          site,
          id: device.id,
          name: device.name,
          nameEn: device.name_en ?? device.name,
          zone: zone.id,
          zoneName: zone.name,
          zoneNameEn: zone.name_en,
          building: device.building,
          buildingName: building?.name ?? device.building,
          buildingNameEn: building?.name_en ?? device.building,
          gateway: device.gateway,
          profile: profile.id,
          category: profile.category,
          pollIntervalS: profile.protocol === 'mqtt' ? undefined : device.pollIntervalS,
          maxIntervalS: profile.protocol === 'mqtt' ? undefined : maxIntervalOf(registry.site, device),
          quietLimitS: profile.protocol === 'mqtt' ? undefined : quietLimitS(registry.site, device),
          batchIntervalS: registry.site.reporting.batchIntervalS ?? 1,
          ratings: device.ratings,
          drinkingWaterSupply: registry.site.site.drinkingWater.supply,
        });
      }
    }
  }

  device(site: string, id: string): DeviceContext | undefined {
    return this.devices.get(`${site}/${id}`);
  }

  zone(site: string, id: string): ZoneContext | undefined {
    return this.zones.get(`${site}/${id}`);
  }

  gateway(site: string, id: string): GatewayContext | undefined {
    return this.gateways.get(`${site}/${id}`);
  }

  allDevices(): DeviceContext[] {
    return [...this.devices.values()];
  }

  devicesOfZone(site: string, zone: string): DeviceContext[] {
    return this.allDevices().filter((d) => d.site === site && d.zone === zone);
  }

  devicesOfBuilding(site: string, building: string): DeviceContext[] {
    return this.allDevices().filter((d) => d.site === site && d.building === building);
  }

  devicesOfGateway(site: string, gateway: string): DeviceContext[] {
    return this.allDevices().filter((d) => d.site === site && d.gateway === gateway);
  }

  /** The zone a gateway-level alert is filed under: its devices' zone, or "multiple" when they span several. */
  gatewayZone(site: string, gateway: string): string {
    const zones = new Set(this.devicesOfGateway(site, gateway).map((d) => d.zone));
    return zones.size === 1 ? ([...zones][0] as string) : MULTIPLE_ZONES;
  }

  gatewaysOf(site: string): string[] {
    return [
      ...new Set(
        this.allDevices()
          .filter((d) => d.site === site)
          .map((d) => d.gateway),
      ),
    ];
  }
}

/** The unit symbol of a canonical field name ("pressure_mpa" → "MPa"). */
export function unitSymbol(field: string | undefined): string {
  const unit = field ? unitOfField(field) : undefined;
  return unit ? UNITS[unit].symbol : '';
}
