import { createHmac } from 'node:crypto';
import type { z } from 'zod';
import type { dingtalkChannelSchema } from '../channel-config.js';
import type { Delivery } from '../delivery-schema.js';
import type { RenderedMessage } from '../message-text.js';
import { checkRobotAnswer, postJson, type ChannelSender } from './channel-sender.js';
import { mentionTargets, truncateText } from './robot-text.js';

type DingtalkChannel = z.infer<typeof dingtalkChannelSchema>;

/** DingTalk "加签": base64(HMAC-SHA256(key = secret, "<timestamp ms>\n<secret>")). */
export function dingtalkSign(secret: string, timestamp: string): string {
  return createHmac('sha256', secret).update(`${timestamp}\n${secret}`).digest('base64');
}

/**
 * DingTalk group robot: an `actionCard` with the facts as markdown and one button per
 * link (view, acknowledge), signed with timestamp + sign query parameters. `at` works
 * only on text and markdown messages, so a critical call to act is followed by a
 * `text` message that @-mentions the people on duty by mobile number.
 */
export class DingtalkSender implements ChannelSender<DingtalkChannel> {
  constructor(private readonly timeoutMs: number) {}

  async send(channel: DingtalkChannel, delivery: Delivery, message: RenderedMessage): Promise<void> {
    const url = new URL(channel.url);
    if (channel.secret) {
      const timestamp = String(Date.now());
      url.searchParams.set('timestamp', timestamp);
      url.searchParams.set('sign', dingtalkSign(channel.secret, timestamp));
    }
    const body = JSON.stringify(dingtalkBody(channel, delivery, message));
    checkRobotAnswer('DingTalk', await postJson(url.toString(), body, {}, this.timeoutMs), ['errcode']);
  }
}

export function dingtalkBody(
  channel: DingtalkChannel,
  delivery: Delivery,
  message: RenderedMessage,
): unknown {
  if (delivery.part === 'mention') {
    const targets = mentionTargets(channel.mention, message.mobiles);
    // DingTalk highlights a mention only when "@<mobile>" also appears in the text.
    const names = targets.all ? '@所有人' : targets.mobiles.map((m) => `@${m}`).join(' ');
    return {
      msgtype: 'text',
      text: { content: `${names} ${message.mentionText}` },
      at: { atMobiles: targets.mobiles, isAtAll: targets.all },
    };
  }
  return {
    msgtype: 'actionCard',
    actionCard: {
      title: message.title,
      text: message.markdown,
      btnOrientation: '0',
      btns: message.links.map((link) => ({ title: truncateText(link.label, 20), actionURL: link.url })),
    },
  };
}
