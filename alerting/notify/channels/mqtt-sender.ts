import { topics } from '../../../contracts/index.js';
import type { Delivery } from '../delivery-schema.js';
import type { RenderedMessage } from '../message-text.js';
import { DeliveryError, type ChannelSender } from './channel-sender.js';

/** What the MQTT channel needs from the service's broker connection. */
export interface AlertPublisher {
  publish(topic: string, payload: string): Promise<void>;
}

/** Alert state changes on `v1/{site}/alerts/{ruleId}` (QoS 1, not retained). */
export class MqttSender implements ChannelSender<unknown> {
  constructor(private readonly publisher: () => AlertPublisher | undefined) {}

  async send(_channel: unknown, delivery: Delivery, message: RenderedMessage): Promise<void> {
    const publisher = this.publisher();
    if (!publisher) throw new DeliveryError('not connected to the broker');
    const { timeline: _timeline, ...alert } = delivery.alert;
    const payload = JSON.stringify({
      idempotency_key: delivery.key,
      reason: delivery.reason,
      title: message.title,
      alert,
    });
    await publisher.publish(topics.alert(alert.site, alert.ruleId), payload);
  }
}
