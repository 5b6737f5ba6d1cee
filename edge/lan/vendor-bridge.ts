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
  /** Resolves once everything handed to `sink` so far is on disk (false: the write failed). */
  durable: () => Promise<boolean>;
  metrics: EdgeMetrics;
  warnings: RateLimitedLog;
  logger: Logger;
}

interface Route {
  profile: MqttProfile;
  mapping: VendorTopicMapping<never>;
}

type Deliver = (packet: AedesPublishPacket, callback: () => void) => void;

/** Closes the device's connection without a PUBACK, so it sends the message again. */
const NOT_DURABLE = new Error('the gateway could not write the message to its buffer; send it again');

/**
 * Turns what LAN devices publish on their vendor topics into canonical events and
 * telemetry. Subscribes in-process to the LAN broker, one subscription per distinct
 * vendor topic filter. A payload that is not JSON, fails its profile's schema, or
 * names an unknown device is counted by reason and dropped; nothing here may throw
 * into the broker.
 *
 * A QoS 1 message is acknowledged only once what it became is on disk: aedes (patched,
 * patches/README.md) sends the PUBACK when every in-process subscriber has called back,
 * so the callback waits for the buffer's group commit (at most `buffer.flushIntervalMs`;
 * an urgent event's is written at once). A device that has its PUBACK never resends, so
 * an earlier one was lost in a crash. Held callbacks do not stall other devices: the
 * broker's emitter runs up to `concurrency` messages at once (lan-broker.ts). Dropped
 * messages and QoS 0 are acknowledged at once: resending would not help. If the write
 * fails, the device's connection is closed without a PUBACK, and it resends.
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
        let handed = false;
        try {
          handed = this.handle(routes, packet.topic, Buffer.from(packet.payload));
        } catch (error) {
          this.reject('mapping_error', packet.topic, (error as Error).message);
        }
        if (!handed || packet.qos === 0) return callback();
        // aedes passes an error on to the client's connection, which it closes (its type says no error).
        const done = callback as (error?: Error) => void;
        this.options.durable().then(
          (written) => done(written ? undefined : NOT_DURABLE),
          () => done(NOT_DURABLE),
        );
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

  /** Returns whether the message reached the sink (came from a known device and passed its schema). */
  private handle(routes: readonly Route[], topic: string, payload: Buffer): boolean {
    let handed = false;
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
      handed = true;
    }
    return handed;
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
