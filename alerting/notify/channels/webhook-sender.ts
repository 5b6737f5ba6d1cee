import { createHmac } from 'node:crypto';
import type { z } from 'zod';
import type { webhookChannelSchema } from '../channel-config.js';
import type { Delivery } from '../delivery-schema.js';
import type { RenderedMessage } from '../message-text.js';
import { postJson, type ChannelSender } from './channel-sender.js';

type WebhookChannel = z.infer<typeof webhookChannelSchema>;

export const SIGNATURE_HEADER = 'x-alert-signature';
export const TIMESTAMP_HEADER = 'x-alert-timestamp';
export const IDEMPOTENCY_HEADER = 'idempotency-key';

/** `sha256=<hex>` of HMAC-SHA256 over "<timestamp>.<body>"; receivers recompute it and compare. */
export function webhookSignature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** A generic JSON webhook: the alert, the reason and the rendered text, signed when a secret is set. */
export class WebhookSender implements ChannelSender<WebhookChannel> {
  constructor(private readonly timeoutMs: number) {}

  async send(channel: WebhookChannel, delivery: Delivery, message: RenderedMessage): Promise<void> {
    const { timeline: _timeline, ...alert } = delivery.alert;
    const body = JSON.stringify({
      version: 1,
      idempotency_key: delivery.key,
      reason: delivery.reason,
      language: delivery.language,
      title: message.title,
      text: message.text,
      /** View and acknowledge links for `people` (person ids); the acknowledge ones act once. */
      links: message.links.map(({ label, url }) => ({ label, url })),
      people: delivery.people,
      alert,
    });
    const timestamp = String(Date.now());
    const headers: Record<string, string> = {
      [TIMESTAMP_HEADER]: timestamp,
      [IDEMPOTENCY_HEADER]: delivery.key,
    };
    if (channel.secret) headers[SIGNATURE_HEADER] = webhookSignature(channel.secret, timestamp, body);
    await postJson(channel.url, body, headers, this.timeoutMs);
  }
}
