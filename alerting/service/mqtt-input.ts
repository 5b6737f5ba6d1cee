import mqtt, { type MqttClient } from 'mqtt';
import { isRetainableTopic, topicFilters } from '../../contracts/index.js';
import { mqttFailoverServers, type Logger } from '../../runtime/index.js';
import type { AlertPublisher } from '../notify/channels/mqtt-sender.js';
import { decodeCanonical, type DecodeResult } from './decode-message.js';

export interface MqttInputOptions {
  url: string;
  /** Other nodes of the broker cluster, tried in turn after `url`. */
  failoverUrls?: readonly string[];
  clientId: string;
  username?: string | undefined;
  password?: string | undefined;
  /** The sites this service watches; it subscribes per site, as the broker grants a site-scoped service. */
  sites: readonly string[];
  logger: Logger;
  onResult: (result: DecodeResult) => void;
  /** Told true once subscribed after each (re)connect, false when the connection drops. */
  onConnection?: (connected: boolean) => void;
}

/** Every stream of the given sites except gateway health, which no rule reads. */
export function alertingSubscriptions(sites: readonly string[]): string[] {
  return sites.flatMap((site) =>
    topicFilters.siteStreams(site).filter((filter) => !filter.endsWith('/health')),
  );
}

/**
 * The broker connection: a persistent session (clean = false, fixed client id) with
 * QoS 1 subscriptions, so messages published while alerting restarts wait for it.
 * mqtt.js acknowledges a message after the handler returns; the handler journals
 * synchronously, so an acknowledged message has been evaluated and persisted.
 */
export class MqttInput implements AlertPublisher {
  private client: MqttClient | undefined;
  private subscribed = false;

  constructor(private readonly options: MqttInputOptions) {}

  get ready(): boolean {
    return this.subscribed && this.client?.connected === true;
  }

  start(): void {
    const { url, failoverUrls = [], clientId, username, password, logger } = this.options;
    const client = mqtt.connect(url, {
      ...mqttFailoverServers(url, failoverUrls),
      clientId,
      clean: false,
      protocolVersion: 4,
      reconnectPeriod: 1_000,
      // a refused login (credentials briefly missing on the broker) must not end retrying for good
      reconnectOnConnackError: true,
      connectTimeout: 10_000,
      ...(username !== undefined ? { username } : {}),
      ...(password !== undefined ? { password } : {}),
    });
    this.client = client;
    client.on('connect', (connack) => {
      logger.info({ url, sessionPresent: connack.sessionPresent }, 'connected to the broker');
      const filters = Object.fromEntries(
        alertingSubscriptions(this.options.sites).map((f) => [f, { qos: 1 as const }]),
      );
      client.subscribe(filters, (error, granted) => {
        if (error) {
          logger.error({ err: error }, 'subscribe failed');
          return;
        }
        const refused = (granted ?? []).filter((g) => g.qos === 128).map((g) => g.topic);
        if (refused.length > 0) logger.error({ refused }, 'broker refused subscriptions (check the ACL)');
        this.subscribed = refused.length === 0;
        if (this.subscribed) this.options.onConnection?.(true);
      });
    });
    client.on('close', () => {
      this.subscribed = false;
      this.options.onConnection?.(false);
    });
    client.on('error', (error) => logger.warn({ err: error.message }, 'MQTT error'));
    client.on('message', (topic, payload, packet) => {
      // A retained event is an old one replayed: only a gateway's status is meant to be retained.
      if (packet.retain && !isRetainableTopic(topic)) return;
      this.options.onResult(decodeCanonical(topic, payload));
    });
  }

  async publish(topic: string, payload: string): Promise<void> {
    const client = this.client;
    if (!client?.connected) throw new Error('not connected to the broker');
    await client.publishAsync(topic, payload, { qos: 1 });
  }

  /** `force` drops the connection at once (a crash stand-in); otherwise in-flight packets finish first. */
  async stop({ force = false }: { force?: boolean } = {}): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.subscribed = false;
    if (!client) return;
    await client.endAsync(force);
  }
}
