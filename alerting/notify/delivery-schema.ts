import { z } from 'zod';
import { alertSchema, notificationReasonSchema } from '../engine/alert-schema.js';

export const CHANNEL_TYPES = ['webhook', 'wecom', 'dingtalk', 'feishu', 'email', 'mqtt'] as const;
export const channelTypeSchema = z.enum(CHANNEL_TYPES);
export type ChannelType = z.infer<typeof channelTypeSchema>;

export const languageSchema = z.enum(['zh', 'en']);
export type Language = z.infer<typeof languageSchema>;

/** `superseded`: not sent, because something since made it untrue (`supersededBecause`). */
export const deliveryStatusSchema = z.enum(['pending', 'sending', 'delivered', 'failed', 'superseded']);
export type DeliveryStatus = z.infer<typeof deliveryStatusSchema>;

/**
 * One notification to one channel of one contact: an outbox entry. Its key is the
 * idempotency key sent with it; it is journalled before sending ("sending") and after
 * ("delivered" or a retry time), so a restart resumes without losing or repeating it.
 */
export const deliverySchema = z.object({
  key: z.string(),
  intentId: z.string(),
  reason: notificationReasonSchema,
  contactId: z.string(),
  channelId: z.string(),
  channelType: channelTypeSchema,
  language: languageSchema,
  status: deliveryStatusSchema,
  attempts: z.number().int().nonnegative(),
  nextAttemptAt: z.number(),
  createdAt: z.number(),
  updatedAt: z.number(),
  deliveredAt: z.number().optional(),
  lastError: z.string().optional(),
  /**
   * The people this message is for (person ids): its acknowledge links and @-mentions.
   * The contact's own person, or for a group chat the people on duty when it was routed.
   */
  people: z.array(z.string()).default([]),
  /** `mention`: the short text message after a critical card that @-mentions `people` (WeCom, DingTalk). */
  part: z.enum(['message', 'mention']).default('message'),
  alert: alertSchema,
  /** The entry whose message told this one: a recovery its held alarm told (held-alarm.ts), not sent itself. */
  toldBy: z.string().optional(),
  /**
   * Why a `superseded` entry was not sent (held-alarm.ts): a reminder or an escalation whose
   * alert had been acknowledged (`alert-acknowledged`) or had resolved (`alert-resolved`)
   * before it could go out.
   */
  supersededBecause: z.enum(['alert-resolved', 'alert-acknowledged']).optional(),
});
export type Delivery = z.infer<typeof deliverySchema>;
