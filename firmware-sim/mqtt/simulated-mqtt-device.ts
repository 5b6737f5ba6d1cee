import { connect, type MqttClient } from 'mqtt';
import {
  EMERGENCY_LIGHT_TOPICS,
  FRIGATE_TOPICS,
  vendorTopicFor,
  type MqttProfile,
  type VendorTopic,
} from '../../devices/index.js';
import type { Component, Logger } from '../../runtime/index.js';
import type { RegisteredDevice } from '../../site/index.js';
import type { FaultKind } from '../faults/fault-kinds.js';
import type { Clock } from '../models/conditions.js';
import type { Random } from '../random.js';
import { DEVICE_BEHAVIOURS, type BehaviourContext, type MqttIntervals } from './device-behaviours.js';
import type { PublishOptions } from './vendor-publisher.js';

export interface MqttDeviceOptions {
  brokerUrl: string;
  username?: string | undefined;
  password?: string | undefined;
  clock: Clock;
  random: Random;
  utcOffsetMinutes: number;
  intervals: MqttIntervals;
  faultsOn: (deviceId: string) => ReadonlySet<FaultKind>;
  logger: Logger;
  onPublish?: (deviceId: string, topic: string) => void;
}

/**
 * One security device on the village LAN: its own MQTT connection (client id = device
 * id) publishing its vendor's payloads on its vendor's topics.
 */
export class SimulatedMqttDevice implements Component {
  private client: MqttClient | undefined;
  private readonly timers = new Set<NodeJS.Timeout>();
  private emergency = false;
  readonly context: BehaviourContext;

  constructor(
    readonly registered: RegisteredDevice & { profile: MqttProfile },
    private readonly options: MqttDeviceOptions,
  ) {
    const { device } = registered;
    this.context = {
      device,
      vendorId: device.vendorId ?? device.id,
      random: options.random,
      utcOffsetMinutes: options.utcOffsetMinutes,
      intervals: options.intervals,
      now: () => options.clock(),
      hasFault: (kind) => options.faultsOn(device.id).has(kind),
      publish: (vendorTopic, payload, publishOptions) => this.publish(vendorTopic, payload, publishOptions),
      publishSeries: (vendorTopic, payloads) => this.publishSeries(vendorTopic, payloads),
      every: (intervalMs, task) => {
        // Node's timers cap at about 24.8 days; a monthly self-test waits in hourly steps.
        const stepMs = Math.min(intervalMs, 3_600_000);
        let due = options.clock() + intervalMs;
        const timer = setInterval(() => {
          if (options.clock() < due) return;
          due += intervalMs;
          task();
        }, stepMs);
        this.timers.add(timer);
      },
    };
  }

  get connected(): boolean {
    return this.client?.connected ?? false;
  }

  async start(): Promise<void> {
    if (this.client) return;
    const { device, profile } = this.registered;
    const cameraWill =
      profile.category === 'camera'
        ? {
            will: {
              topic: vendorTopicFor(FRIGATE_TOPICS.available.pattern, this.context.vendorId),
              payload: Buffer.from('offline'),
              qos: 1 as const,
              retain: true,
            },
          }
        : {};
    const client = connect(this.options.brokerUrl, {
      clientId: device.id,
      username: this.options.username,
      password: this.options.password,
      reconnectPeriod: 1000,
      connectTimeout: 5000,
      ...cameraWill,
    });
    client.on('error', (error) =>
      this.options.logger.warn({ err: error, device: device.id }, 'LAN broker error'),
    );
    this.client = client;
    DEVICE_BEHAVIOURS[profile.category]?.(this.context);
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    const client = this.client;
    this.client = undefined;
    if (client) await client.endAsync(true);
  }

  /**
   * An emergency light enters or leaves its battery-fed emergency state (a fire alarm
   * in its building, its mains lost): it reports the change.
   */
  setEmergency(on: boolean): void {
    if (this.emergency === on) return;
    this.emergency = on;
    this.publish(EMERGENCY_LIGHT_TOPICS.event, { event: on ? 'EMERGENCY_ON' : 'EMERGENCY_OFF' });
  }

  get inEmergency(): boolean {
    return this.emergency;
  }

  private publish<Sent>(
    vendorTopic: VendorTopic<Sent>,
    payload: Sent,
    publishOptions: PublishOptions = {},
  ): void {
    const client = this.client;
    if (!client) return;
    // A device gone quiet sends nothing at all, keep-alives included.
    if (this.options.faultsOn(this.registered.device.id).has('device-silent')) return;
    const { pattern, format } = vendorTopic;
    if (!this.registered.profile.topics.some((t) => t.pattern === pattern))
      throw new Error(`profile ${this.registered.profile.id} has no topic pattern "${pattern}"`);
    const topic = vendorTopicFor(pattern, this.context.vendorId);
    const body = format === 'text' ? String(payload) : JSON.stringify(payload);
    // mqtt.js queues QoS 1 messages while (re)connecting, so events at start are not lost.
    client.publish(topic, body, { qos: 1, retain: publishOptions.retain ?? false });
    this.options.onPublish?.(this.registered.device.id, topic);
  }

  private publishSeries<Sent>(vendorTopic: VendorTopic<Sent>, payloads: readonly Sent[]): void {
    payloads.forEach((payload, i) => {
      if (i === 0) return this.publish(vendorTopic, payload);
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        this.publish(vendorTopic, payload);
      }, i * this.options.intervals.burstSpacingMs);
      this.timers.add(timer);
    });
  }
}
