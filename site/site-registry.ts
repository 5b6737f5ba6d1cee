import { readConfigFile, CodedError, projectFile } from '../runtime/index.js';
import { getProfile, type DeviceProfile } from '../devices/index.js';
import { siteSchema, type Site, type SiteDevice, type Zone } from './site-schema.js';

export const DEMO_SITE_FILE = projectFile('site/demo-village.yaml');

export function loadSite(file: string): Site {
  const result = siteSchema.safeParse(readConfigFile(file));
  if (!result.success) {
    const lines = result.error.issues.map(
      (issue) => `  - ${issue.path.join('.') || '(root)'}: ${issue.message}`,
    );
    throw new CodedError('CONFIG_INVALID', `site file ${file}:\n${lines.join('\n')}`);
  }
  return result.data;
}

export interface RegisteredDevice {
  device: SiteDevice;
  profile: DeviceProfile;
  zone: Zone;
}

/** Look-ups over a validated site, as ingest, alerting and the simulator need them. */
export class SiteRegistry {
  private readonly devices = new Map<string, RegisteredDevice>();

  constructor(readonly site: Site) {
    for (const device of site.devices) {
      const zone = site.zones.find((z) => z.id === device.zone) as Zone;
      this.devices.set(device.id, { device, profile: getProfile(device.profile), zone });
    }
  }

  static fromFile(file: string): SiteRegistry {
    return new SiteRegistry(loadSite(file));
  }

  get siteId(): string {
    return this.site.site.id;
  }

  device(id: string): RegisteredDevice | undefined {
    return this.devices.get(id);
  }

  all(): RegisteredDevice[] {
    return [...this.devices.values()];
  }

  devicesOfGateway(gateway: string): RegisteredDevice[] {
    return this.all().filter((d) => d.device.gateway === gateway);
  }
}
