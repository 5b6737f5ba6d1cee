import {
  getMqttProfile,
  matchVendorTopic,
  type MqttProfile,
  type VendorTopicMapping,
} from '../../devices/index.js';
import type { MqttDeviceConfig } from '../config/edge-config-schema.js';
import { parseVendorPayload } from './vendor-payload.js';

/** What a LAN client may publish for: some of the gateway's MQTT devices. */
export interface LanGrant {
  readonly devices: readonly LanDevice[];
}

interface LanDevice {
  readonly id: string;
  readonly vendorId: string;
  readonly profile: MqttProfile;
}

export type LanDecision = { allowed: true } | { allowed: false; reason: string };
const ALLOW: LanDecision = { allowed: true };

/**
 * The LAN topic ACL, deny by default: a client publishes only on the vendor topics its
 * devices' profiles name, with its devices' own vendor ids. On a topic several devices
 * share (Frigate's `frigate/events`) the payload must name one of its devices, so a
 * door controller cannot raise a fire panel's alarm and one camera cannot speak for
 * another. Nobody subscribes: the gateway reads the LAN in-process.
 */
export class LanAcl {
  private readonly devices = new Map<string, LanDevice>();

  constructor(devices: readonly MqttDeviceConfig[]) {
    for (const device of devices) {
      this.devices.set(device.id, {
        id: device.id,
        vendorId: device.vendorId,
        profile: getMqttProfile(device.profile),
      });
    }
  }

  /** The grant of a credential naming these device ids; ids the gateway does not know grant nothing. */
  grantFor(deviceIds: readonly string[]): { grant: LanGrant; unknown: string[] } {
    const devices: LanDevice[] = [];
    const unknown: string[] = [];
    for (const id of deviceIds) {
      const device = this.devices.get(id);
      if (device) devices.push(device);
      else unknown.push(id);
    }
    return { grant: { devices }, unknown };
  }

  /** Anonymous clients, when the technician allows them: any configured device's topics, nothing else. */
  anonymousGrant(): LanGrant {
    return { devices: [...this.devices.values()] };
  }

  mayPublish(grant: LanGrant, topic: string, payload: Buffer): LanDecision {
    const parsed = new Map<VendorTopicMapping<never>, ReturnType<typeof parseVendorPayload>>();
    for (const device of grant.devices) {
      for (const mapping of device.profile.topics) {
        const params = matchVendorTopic(mapping.pattern, topic);
        if (!params) continue;
        if (params.vendorId !== undefined) {
          if (params.vendorId === device.vendorId) return ALLOW;
          continue;
        }
        let result = parsed.get(mapping);
        if (!result) parsed.set(mapping, (result = parseVendorPayload(mapping, payload)));
        if (result.ok && mapping.vendorIdOf?.(result.value) === device.vendorId) return ALLOW;
      }
    }
    return { allowed: false, reason: 'not a vendor topic of this credential’s devices' };
  }
}
