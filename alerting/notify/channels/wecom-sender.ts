import type { z } from 'zod';
import type { wecomChannelSchema } from '../channel-config.js';
import type { Delivery } from '../delivery-schema.js';
import type { RenderedMessage } from '../message-text.js';
import { checkRobotAnswer, postJson, type ChannelSender } from './channel-sender.js';

type WecomChannel = z.infer<typeof wecomChannelSchema>;

/** WeCom (企业微信) markdown content is limited to 4096 bytes. */
const WECOM_MARKDOWN_LIMIT = 4096;

/** WeCom group robot: POST {msgtype: "markdown"} to the robot's webhook URL (the key is in the URL). */
export class WecomSender implements ChannelSender<WecomChannel> {
  constructor(private readonly timeoutMs: number) {}

  async send(channel: WecomChannel, _delivery: Delivery, message: RenderedMessage): Promise<void> {
    const content = truncateBytes(message.markdown, WECOM_MARKDOWN_LIMIT);
    const answer = await postJson(
      channel.url,
      JSON.stringify({ msgtype: 'markdown', markdown: { content } }),
      {},
      this.timeoutMs,
    );
    checkRobotAnswer('WeCom', answer, ['errcode']);
  }
}

export function truncateBytes(text: string, limit: number): string {
  if (Buffer.byteLength(text) <= limit) return text;
  let end = text.length;
  while (end > 0 && Buffer.byteLength(text.slice(0, end)) > limit - 3) end -= 1;
  return `${text.slice(0, end)}…`;
}
