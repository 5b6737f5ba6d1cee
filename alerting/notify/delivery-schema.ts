import { z } from 'zod';
import { alertSchema, notificationReasonSchema } from '../engine/alert-schema.js';

export const CHANNEL_TYPES = ['webhook', 'wecom', 'dingtalk', 'feishu', 'email', 'mqtt'] as const;
export const channelTypeSchema = z.enum(CHANNEL_TYPES);
export type ChannelType = z.infer<typeof channelTypeSchema>;

export const languageSchema = z.enum(['zh', 'en']);
export type Language = z.infer<typeof languageSchema>;

export const deliveryStatusSchema = z.enum(['pending', 'sending', 'delivered', 'failed']);
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
  alert: alertSchema,
});
export type Delivery = z.infer<typeof deliverySchema>;
