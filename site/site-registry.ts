import { readConfigFile, CodedError, projectFile } from '../runtime/index.js';
import { getProfile, type DeviceProfile } from '../devices/index.js';
import { siteSchema, type Site, type SiteDevice, type Zone } from './site-schema.js';
import {
  enrolledFileOf,
  enrolledOverlaySchema,
  hasEnrolledFile,
  withEnrolled,
} from './enrolment/enrolled-overlay.js';

export const DEMO_SITE_FILE = projectFile('site/demo-village.yaml');

/**
 * Reads and validates a site file, with the devices enrolled through the platform's
 * enrolment API (`<name>.enrolled.yaml` beside it) when there are any.
 */
export function loadSite(file: string): Site {
  const enrolled = enrolledFileOf(file);
  let raw: unknown = readConfigFile(file);
  if (hasEnrolledFile(file)) {
    const overlay = enrolledOverlaySchema.safeParse(readConfigFile(enrolled));
    if (!overlay.success) throw invalid(enrolled, overlay.error.issues);
    raw = withEnrolled(raw, overlay.data);
  }
  const result = siteSchema.safeParse(raw);
  if (!result.success)
    throw invalid(hasEnrolledFile(file) ? `${file} + ${enrolled}` : file, result.error.issues);
  return result.data;
}

function invalid(file: string, issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>): CodedError {
  const lines = issues.map(
    (issue) => `  - ${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`,
  );
  return new CodedError('CONFIG_INVALID', `site file ${file}:\n${lines.join('\n')}`);
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
