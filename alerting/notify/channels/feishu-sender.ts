import { createHmac } from 'node:crypto';
import type { z } from 'zod';
import type { feishuChannelSchema } from '../channel-config.js';
import type { Delivery } from '../delivery-schema.js';
import type { RenderedMessage } from '../message-text.js';
import { checkRobotAnswer, postJson, type ChannelSender } from './channel-sender.js';
import { CALLS_TO_ACT } from '../routing.js';

type FeishuChannel = z.infer<typeof feishuChannelSchema>;

/** Feishu (飞书) signature: base64(HMAC-SHA256(key = "<timestamp s>\n<secret>", empty message)). */
export function feishuSign(secret: string, timestamp: string): string {
  return createHmac('sha256', `${timestamp}\n${secret}`).update('').digest('base64');
}

const HEADER_COLOUR = { critical: 'red', warning: 'orange', info: 'blue' } as const;

/**
 * Feishu custom bot: an interactive card (header coloured by severity, the facts as
 * plain text, one button per link), with timestamp (seconds) and sign in the body when
 * a secret is set. Custom bots cannot mention by mobile number, so a critical call to
 * act mentions everyone inside the card (`<at id=all></at>`) unless mentions are off.
 */
export class FeishuSender implements ChannelSender<FeishuChannel> {
  constructor(private readonly timeoutMs: number) {}

  async send(channel: FeishuChannel, delivery: Delivery, message: RenderedMessage): Promise<void> {
    const signature: Record<string, string> = {};
    if (channel.secret) {
      const timestamp = String(Math.floor(Date.now() / 1000));
      signature.timestamp = timestamp;
      signature.sign = feishuSign(channel.secret, timestamp);
    }
    const body = JSON.stringify({ ...signature, ...feishuBody(channel, delivery, message) });
    checkRobotAnswer('Feishu', await postJson(channel.url, body, {}, this.timeoutMs), ['code', 'StatusCode']);
  }
}

export function feishuBody(channel: FeishuChannel, delivery: Delivery, message: RenderedMessage) {
  const mentionAll =
    channel.mention !== 'none' && message.severity === 'critical' && CALLS_TO_ACT.has(delivery.reason);
  const colour = delivery.reason === 'resolved' ? 'green' : HEADER_COLOUR[message.severity];
  return {
    msg_type: 'interactive',
    card: {
      config: { wide_screen_mode: true },
      header: { template: colour, title: { tag: 'plain_text', content: message.title } },
      elements: [
        ...(mentionAll ? [{ tag: 'div', text: { tag: 'lark_md', content: '<at id=all></at>' } }] : []),
        {
          tag: 'div',
          fields: message.facts.map(([key, value]) => ({
            is_short: false,
            text: { tag: 'plain_text', content: `${key}：${value}` },
          })),
        },
        ...(message.links.length > 0
          ? [
              {
                tag: 'action',
                actions: message.links.map((link) => ({
                  tag: 'button',
                  text: { tag: 'plain_text', content: link.label },
                  type: link.primary ? 'danger' : 'default',
                  url: link.url,
                })),
              },
            ]
          : []),
      ],
    },
  };
}
