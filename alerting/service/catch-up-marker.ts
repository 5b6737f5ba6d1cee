import { randomUUID } from 'node:crypto';
import mqtt, { type IClientOptions, type IPublishPacket, type MqttClient } from 'mqtt';
import { alertingCatchUpSite, topics } from '../../contracts/index.js';
import type { Logger } from '../../runtime/index.js';

/**
 * How alerting knows, at a start, that it has read what the broker queued for its
 * persistent session while it was down (a fire panel's reset, say): MQTT 3.1.1 marks no end
 * of that queue, and the broker hands it over beside whatever the client sends after
 * CONNACK, so a SUBACK says nothing about it. Just before the session reconnects, a marker
 * with this start's nonce is published on a connection of its own; the broker queues it for
 * the offline session behind everything queued before it, and hands the queue over in
 * order. When the session reads the marker back, every message before it has been
 * evaluated (they are taken in the order they arrive).
 */
export class CatchUpMarker {
  readonly topic: string;
  private readonly nonce = randomUUID();
  private client: MqttClient | undefined;
  private cancelled = false;

  constructor(site: string) {
    this.topic = topics.alertingCatchUp(site);
  }

  /** Whether a message is a catch-up marker (any start's): not input to evaluate. */
  static isMarker(packet: IPublishPacket): boolean {
    return alertingCatchUpSite(packet.topic) !== undefined;
  }

  /** Whether a marker is this start's. */
  isOurs(packet: IPublishPacket): boolean {
    return packet.topic === this.topic && packet.payload.toString() === JSON.stringify({ nonce: this.nonce });
  }

  /**
   * Publishes the marker at QoS 1 on a one-off connection and resolves when the broker took
   * it or could not (broker down, refused: held notifications then wait for their bound).
   * Never rejects.
   */
  async queue(url: string, options: IClientOptions, logger: Logger): Promise<void> {
    const client = mqtt.connect(url, { ...options, clean: true, reconnectPeriod: 0 });
    this.client = client;
    const closed = new Promise<never>((_, reject) => {
      const gone = () => reject(new Error('connection closed before the broker took the marker'));
      client.once('close', gone);
      client.once('end', gone);
      // `on`, not `once`: mqtt.js may emit a second error before the connection ends, and an
      // 'error' with no listener left is thrown (it would end alerting).
      client.on('error', reject);
    });
    closed.catch(() => undefined);
    try {
      await Promise.race([new Promise<void>((resolve) => client.once('connect', () => resolve())), closed]);
      await Promise.race([
        client.publishAsync(this.topic, JSON.stringify({ nonce: this.nonce }), { qos: 1 }),
        closed,
      ]);
    } catch (error) {
      if (this.cancelled) return;
      logger.warn(
        { err: error instanceof Error ? error.message : String(error), topic: this.topic },
        'catch-up marker not queued: held notifications wait for their bound / 未能发出追赶标记',
      );
    } finally {
      this.client = undefined;
      await client.endAsync(true).catch(() => undefined);
    }
  }

  /** Drops a marker connection still under way (alerting stops): `queue` then resolves, logging nothing. */
  cancel(): void {
    this.cancelled = true;
    this.client?.end(true);
  }
}
