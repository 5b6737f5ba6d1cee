import { createHmac } from 'node:crypto';
import type { z } from 'zod';
import type { feishuChannelSchema } from '../channel-config.js';
import type { Delivery } from '../delivery-schema.js';
import type { RenderedMessage } from '../message-text.js';
import { checkRobotAnswer, postJson, type ChannelSender } from './channel-sender.js';

type FeishuChannel = z.infer<typeof feishuChannelSchema>;

/** Feishu (飞书) signature: base64(HMAC-SHA256(key = "<timestamp s>\n<secret>", empty message)). */
export function feishuSign(secret: string, timestamp: string): string {
  return createHmac('sha256', `${timestamp}\n${secret}`).update('').digest('base64');
}

/** Feishu custom bot: a text message, with timestamp (seconds) and sign in the body when a secret is set. */
export class FeishuSender implements ChannelSender<FeishuChannel> {
  constructor(private readonly timeoutMs: number) {}

  async send(channel: FeishuChannel, _delivery: Delivery, message: RenderedMessage): Promise<void> {
    const signature: Record<string, string> = {};
    if (channel.secret) {
      const timestamp = String(Math.floor(Date.now() / 1000));
      signature.timestamp = timestamp;
      signature.sign = feishuSign(channel.secret, timestamp);
    }
    const body = JSON.stringify({ ...signature, msg_type: 'text', content: { text: message.text } });
    checkRobotAnswer('Feishu', await postJson(channel.url, body, {}, this.timeoutMs), ['code', 'StatusCode']);
  }
}
