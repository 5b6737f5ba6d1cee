import type { EventType } from '../../contracts/index.js';
import { profileFields } from '../../devices/index.js';
import type { RegisteredDevice, SiteRegistry } from '../../site/index.js';
import { accept, reject, type StageResult } from './rejection.js';
import type { SiteDirectory } from './site-directory.js';

/** Any device may go offline and come back: the gateway raises these for polled devices too. */
const AVAILABILITY_EVENTS: readonly EventType[] = ['device_offline', 'device_online'];

export function checkSite(sites: SiteDirectory, siteId: string, payload: Buffer): StageResult<SiteRegistry> {
  const registry = sites.site(siteId);
  return registry
    ? accept(registry)
    : reject('SITE_UNKNOWN', `site "${siteId}" is not configured for this ingest worker`, payload);
}

export function checkGateway(registry: SiteRegistry, gateway: string, payload: Buffer): StageResult<string> {
  return registry.site.gateways.some((g) => g.id === gateway)
    ? accept(gateway)
    : reject(
        'GATEWAY_UNKNOWN',
        `gateway "${gateway}" is not registered in site "${registry.siteId}"`,
        payload,
      );
}

/** The device must exist in the topic's site and hang on the gateway that published it. */
export function checkDevice(
  registry: SiteRegistry,
  deviceId: string,
  gateway: string,
  payload: Buffer,
): StageResult<RegisteredDevice> {
  const registered = registry.device(deviceId);
  if (!registered) {
    return reject(
      'DEVICE_UNKNOWN',
      `device "${deviceId}" is not registered in site "${registry.siteId}"`,
      payload,
    );
  }
  if (registered.device.gateway !== gateway) {
    return reject(
      'GATEWAY_MISMATCH',
      `device "${deviceId}" belongs to gateway "${registered.device.gateway}", not "${gateway}"`,
      payload,
    );
  }
  return accept(registered);
}

export function checkTelemetryFields(
  registered: RegisteredDevice,
  values: Readonly<Record<string, number>>,
  payload: Buffer,
): StageResult<RegisteredDevice> {
  const known = new Set(profileFields(registered.profile));
  const unknown = Object.keys(values).filter((field) => !known.has(field));
  return unknown.length === 0
    ? accept(registered)
    : reject(
        'FIELD_UNKNOWN',
        `profile "${registered.profile.id}" has no field ${unknown.map((f) => `"${f}"`).join(', ')}`,
        payload,
        unknown.map((field) => `values.${field}: not a field of ${registered.profile.id}`),
      );
}

export function checkEventType(
  registered: RegisteredDevice,
  type: EventType,
  payload: Buffer,
): StageResult<RegisteredDevice> {
  const { profile } = registered;
  const allowed =
    AVAILABILITY_EVENTS.includes(type) || (profile.protocol === 'mqtt' && profile.events.includes(type));
  return allowed
    ? accept(registered)
    : reject('EVENT_UNKNOWN', `profile "${profile.id}" does not produce "${type}" events`, payload);
}
