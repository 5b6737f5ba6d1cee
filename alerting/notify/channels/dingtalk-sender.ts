import { createHmac } from 'node:crypto';
import type { z } from 'zod';
import type { dingtalkChannelSchema } from '../channel-config.js';
import type { Delivery } from '../delivery-schema.js';
import type { RenderedMessage } from '../message-text.js';
import { checkRobotAnswer, postJson, type ChannelSender } from './channel-sender.js';

type DingtalkChannel = z.infer<typeof dingtalkChannelSchema>;

/** DingTalk "加签": base64(HMAC-SHA256(key = secret, "<timestamp ms>\n<secret>")). */
export function dingtalkSign(secret: string, timestamp: string): string {
  return createHmac('sha256', secret).update(`${timestamp}\n${secret}`).digest('base64');
}

/** DingTalk group robot: markdown message, signed with timestamp + sign query parameters. */
export class DingtalkSender implements ChannelSender<DingtalkChannel> {
  constructor(private readonly timeoutMs: number) {}

  async send(channel: DingtalkChannel, _delivery: Delivery, message: RenderedMessage): Promise<void> {
    const url = new URL(channel.url);
    if (channel.secret) {
      const timestamp = String(Date.now());
      url.searchParams.set('timestamp', timestamp);
      url.searchParams.set('sign', dingtalkSign(channel.secret, timestamp));
    }
    const body = JSON.stringify({
      msgtype: 'markdown',
      markdown: { title: message.title, text: message.markdown },
    });
    checkRobotAnswer('DingTalk', await postJson(url.toString(), body, {}, this.timeoutMs), ['errcode']);
  }
}
