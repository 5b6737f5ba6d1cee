import type { Aedes, AedesPublishPacket } from 'aedes';
import {
  getMqttProfile,
  matchVendorTopic,
  vendorTopicFilter,
  type MqttProfile,
  type VendorTopicMapping,
} from '../../devices/index.js';
import type { Logger } from '../../runtime/index.js';
import type { MqttDeviceConfig } from '../config/edge-config-schema.js';
import type { DeviceStatusBoard } from '../device-status.js';
import type { EdgeMetrics } from '../metrics.js';
import type { RateLimitedLog } from '../rate-limited-log.js';
import type { CanonicalSink } from '../upstream/canonical-publisher.js';
import type { LanDeviceWatch } from './lan-device-watch.js';
import { parseVendorPayload } from './vendor-payload.js';

export interface VendorBridgeOptions {
  aedes: Aedes;
  devices: readonly MqttDeviceConfig[];
  board: DeviceStatusBoard;
  sink: CanonicalSink;
  /** Told of every message a device sends, so silence past its heartbeat is noticed. */
  watch: LanDeviceWatch;
  metrics: EdgeMetrics;
  warnings: RateLimitedLog;
  logger: Logger;
}

interface Route {
  profile: MqttProfile;
  mapping: VendorTopicMapping<never>;
}

type Deliver = (packet: AedesPublishPacket, callback: () => void) => void;

/**
 * Turns what LAN devices publish on their vendor topics into canonical events and
 * telemetry. Subscribes in-process to the LAN broker, one subscription per distinct
 * vendor topic filter. A payload that is not JSON, fails its profile's schema, or
 * names an unknown device is counted by reason and dropped; nothing here may throw
 * into the broker.
 */
export class VendorBridge {
  private readonly subscriptions: Array<{ filter: string; deliver: Deliver }> = [];
  private readonly devicesByKey = new Map<string, MqttDeviceConfig>();

  constructor(private readonly options: VendorBridgeOptions) {}

  async start(): Promise<void> {
    const routesByFilter = new Map<string, Route[]>();
    for (const device of this.options.devices) {
      const profile = getMqttProfile(device.profile);
      this.devicesByKey.set(`${profile.id}/${device.vendorId}`, device);
      this.options.board.register(device.id, profile.id, 'mqtt');
      for (const mapping of profile.topics) {
        const filter = vendorTopicFilter(mapping.pattern);
        const routes = routesByFilter.get(filter) ?? [];
        if (!routes.some((r) => r.profile === profile && r.mapping === mapping))
          routes.push({ profile, mapping });
        routesByFilter.set(filter, routes);
      }
    }
    for (const [filter, routes] of routesByFilter) {
      const deliver: Deliver = (packet, callback) => {
        try {
          this.handle(routes, packet.topic, Buffer.from(packet.payload));
        } catch (error) {
          this.reject('mapping_error', packet.topic, (error as Error).message);
        }
        callback();
      };
      await new Promise<void>((resolve) => this.options.aedes.subscribe(filter, deliver, resolve));
      this.subscriptions.push({ filter, deliver });
    }
  }

  async stop(): Promise<void> {
    for (const { filter, deliver } of this.subscriptions.splice(0)) {
      await new Promise<void>((resolve) => this.options.aedes.unsubscribe(filter, deliver, resolve));
    }
    this.devicesByKey.clear();
  }

  private handle(routes: readonly Route[], topic: string, payload: Buffer): void {
    for (const { profile, mapping } of routes) {
      const params = matchVendorTopic(mapping.pattern, topic);
      if (!params) continue;
      const parsed = parseVendorPayload(mapping, payload);
      if (!parsed.ok) {
        this.reject(parsed.reason, topic, parsed.detail);
        continue;
      }
      const vendorId = params.vendorId ?? mapping.vendorIdOf?.(parsed.value);
      if (vendorId === undefined) {
        this.reject('no_vendor_id', topic, 'the payload does not name its device');
        continue;
      }
      const device = this.devicesByKey.get(`${profile.id}/${vendorId}`);
      if (!device) {
        this.reject('unknown_device', topic, `no ${profile.id} device with vendor id "${vendorId}"`);
        continue;
      }
      this.deliver(device, profile, mapping.toCanonical(parsed.value, { vendorId, params }));
    }
  }

  private deliver(
    device: MqttDeviceConfig,
    profile: MqttProfile,
    outputs: ReturnType<VendorTopicMapping<never>['toCanonical']>,
  ): void {
    const { sink, metrics, board, watch } = this.options;
    const status = board.get(device.id);
    const now = Date.now();
    metrics.vendorMessagesTotal.inc({ profile: profile.id });
    watch.seen(device.id, now);
    let available = true;
    for (const output of outputs) {
      if (output.kind === 'event') {
        sink.event(device.id, output.type, output.data ?? {}, now);
        // A camera's own availability says more than the fact that a message came.
        if (output.type === 'camera_offline') available = false;
      } else if (output.kind === 'telemetry') {
        sink.telemetry(device.id, output.values, now);
        if (status) {
          status.lastValues = { ...status.lastValues, ...output.values };
          status.lastValuesTs = now;
        }
      }
    }
    if (status) {
      status.successCount++;
      status.lastSeenTs = now;
      status.online = available;
    }
  }

  private reject(reason: string, topic: string, detail: string): void {
    this.options.metrics.vendorRejectedTotal.inc({ reason });
    this.options.warnings.warn(
      `vendor:${reason}:${topic}`,
      { topic, reason, detail },
      'vendor message dropped',
    );
  }
}
