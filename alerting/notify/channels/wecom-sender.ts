import type { z } from 'zod';
import type { wecomChannelSchema } from '../channel-config.js';
import type { Delivery } from '../delivery-schema.js';
import type { RenderedMessage } from '../message-text.js';
import { checkRobotAnswer, postJson, type ChannelSender } from './channel-sender.js';
import { mentionTargets, truncateText } from './robot-text.js';

type WecomChannel = z.infer<typeof wecomChannelSchema>;

/** WeCom (企业微信) markdown content is limited to 4096 bytes. */
const WECOM_MARKDOWN_LIMIT = 4096;
/** A text_notice card takes at most 6 key/value rows and 3 jump links. */
const CARD_ROWS = 6;
const CARD_JUMPS = 3;
/** source.desc_color: 0 grey, 1 black, 2 red, 3 green. */
const SOURCE_COLOUR = { critical: 2, warning: 1, info: 0 } as const;

/**
 * WeCom group robot: a `template_card` (text_notice) whose rows are the facts and
 * whose links are buttons, or `markdown` with links for groups that show no cards.
 * A critical call to act is followed by a `text` message whose
 * `mentioned_mobile_list` @-mentions the people on duty (cards cannot mention).
 */
export class WecomSender implements ChannelSender<WecomChannel> {
  constructor(private readonly timeoutMs: number) {}

  async send(channel: WecomChannel, delivery: Delivery, message: RenderedMessage): Promise<void> {
    const answer = await postJson(
      channel.url,
      JSON.stringify(wecomBody(channel, delivery, message)),
      {},
      this.timeoutMs,
    );
    checkRobotAnswer('WeCom', answer, ['errcode']);
  }
}

export function wecomBody(channel: WecomChannel, delivery: Delivery, message: RenderedMessage): unknown {
  if (delivery.part === 'mention') {
    const targets = mentionTargets(channel.mention, message.mobiles);
    return {
      msgtype: 'text',
      text: { content: message.mentionText, mentioned_mobile_list: targets.all ? ['@all'] : targets.mobiles },
    };
  }
  if (channel.format === 'markdown') {
    const content = [message.markdown, message.markdownLinks].filter(Boolean).join('\n\n');
    return { msgtype: 'markdown', markdown: { content: truncateBytes(content, WECOM_MARKDOWN_LIMIT) } };
  }
  const [view, ...rest] = message.links;
  const place = message.facts.find(([, v]) => message.title.endsWith(v))?.[1];
  return {
    msgtype: 'template_card',
    template_card: {
      card_type: 'text_notice',
      source: { desc: '乡村告警 Village alerts', desc_color: SOURCE_COLOUR[message.severity] },
      main_title: { title: truncateText(message.title, 36), ...(place ? { desc: place } : {}) },
      horizontal_content_list: message.facts
        .slice(1, 1 + CARD_ROWS)
        .map(([keyname, value]) => ({ keyname: truncateText(keyname, 8), value: truncateText(value, 40) })),
      ...(message.links.length > 0
        ? {
            jump_list: [...rest.slice(0, CARD_JUMPS - 1), ...(view ? [view] : [])].map((link) => ({
              type: 1,
              url: link.url,
              title: truncateText(link.label, 16),
            })),
          }
        : {}),
      // The whole card opens the alert: the one field a text_notice card must have.
      card_action: { type: 1, url: view?.url ?? 'https://work.weixin.qq.com' },
    },
  };
}

export function truncateBytes(text: string, limit: number): string {
  if (Buffer.byteLength(text) <= limit) return text;
  let end = text.length;
  while (end > 0 && Buffer.byteLength(text.slice(0, end)) > limit - 3) end -= 1;
  return `${text.slice(0, end)}…`;
}
