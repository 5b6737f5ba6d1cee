import { z } from 'zod';
import { idSchema, severitySchema } from '../../contracts/index.js';
import { languageSchema } from './delivery-schema.js';

const url = z.url();

/**
 * A robot's webhook URL carries its key (WeCom `key=`, DingTalk `access_token=`,
 * Feishu's hook id): anyone who sees it can post to the group. It goes over https;
 * plain http only to a relay on this machine.
 */
const robotUrl = z.url().refine((value) => {
  const { protocol, hostname } = new URL(value);
  return (
    protocol === 'https:' ||
    (protocol === 'http:' && /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/.test(hostname))
  );
}, 'a robot URL carries its key: use https:// (plain http only to a relay on 127.0.0.1)');
const optionalId = { id: idSchema.optional() };

/**
 * Whom a group robot @-mentions on a critical alert: the people on duty by mobile
 * number (everyone when none of them has a number), everyone, or nobody. Feishu bots
 * cannot mention by number: there `on-duty` mentions everyone.
 */
export const MENTION_MODES = ['on-duty', 'all', 'none'] as const;
const mention = z.enum(MENTION_MODES).default('on-duty');

export const webhookChannelSchema = z.strictObject({
  ...optionalId,
  type: z.literal('webhook'),
  url,
  /** HMAC-SHA256 key for the X-Alert-Signature header; unsigned when omitted. */
  secret: z.string().min(16).optional(),
});
export const wecomChannelSchema = z.strictObject({
  ...optionalId,
  type: z.literal('wecom'),
  url: robotUrl,
  /** `template_card` with buttons, or `markdown` with links for groups whose clients show no cards. */
  format: z.enum(['card', 'markdown']).default('card'),
  mention,
});
export const dingtalkChannelSchema = z.strictObject({
  ...optionalId,
  type: z.literal('dingtalk'),
  url: robotUrl,
  /** The robot's "加签" secret (SEC…). */
  secret: z.string().min(1).optional(),
  mention,
});
export const feishuChannelSchema = z.strictObject({
  ...optionalId,
  type: z.literal('feishu'),
  url: robotUrl,
  secret: z.string().min(1).optional(),
  mention,
});
export const emailChannelSchema = z.strictObject({
  ...optionalId,
  type: z.literal('email'),
  to: z.array(z.email()).min(1),
});
export const mqttChannelSchema = z.strictObject({ ...optionalId, type: z.literal('mqtt') });

export const channelConfigSchema = z.discriminatedUnion('type', [
  webhookChannelSchema,
  wecomChannelSchema,
  dingtalkChannelSchema,
  feishuChannelSchema,
  emailChannelSchema,
  mqttChannelSchema,
]);
export type ChannelConfig = z.infer<typeof channelConfigSchema>;

export const contactSchema = z.strictObject({
  id: idSchema,
  name: z.string().min(1),
  /** The person (an account of the page) this contact reaches: its links act for them. Group chats have none. */
  person: idSchema.optional(),
  /** Messages are in Chinese unless a contact asks for English. */
  language: languageSchema.default('zh'),
  channels: z.array(channelConfigSchema).min(1),
});
export type Contact = z.infer<typeof contactSchema>;

export const contactGroupSchema = z.strictObject({ id: idSchema, contacts: z.array(idSchema).min(1) });
export type ContactGroup = z.infer<typeof contactGroupSchema>;

/** Every matching route applies; an empty list matches everything. */
export const routeSchema = z.strictObject({
  severities: z.array(severitySchema).default([]),
  zones: z.array(idSchema).default([]),
  rules: z.array(idSchema).default([]),
  groups: z.array(idSchema).min(1),
  /** Told when an alert stays unacknowledged past the escalation time. */
  escalateTo: z.array(idSchema).default([]),
});
export type Route = z.infer<typeof routeSchema>;

export const smtpSchema = z.strictObject({
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535).default(25),
  secure: z.boolean().default(false),
  /** Plain SMTP on a LAN relay: do not try STARTTLS. */
  ignoreTLS: z.boolean().default(false),
  username: z.string().optional(),
  password: z.string().optional(),
  from: z.string().min(3),
});
export type SmtpConfig = z.infer<typeof smtpSchema>;

export const notificationsSchema = z
  .strictObject({
    contacts: z.array(contactSchema).default([]),
    groups: z.array(contactGroupSchema).default([]),
    routes: z.array(routeSchema).default([]),
    smtp: smtpSchema.optional(),
    /** Publish firing/resolved/acknowledged on v1/{site}/alerts/{ruleId}. */
    publishMqtt: z.boolean().default(true),
    maxAttempts: z.number().int().min(1).max(100).default(8),
    retryBaseMs: z.number().int().positive().default(2_000),
    retryMaxMs: z.number().int().positive().default(300_000),
    timeoutMs: z.number().int().positive().default(10_000),
    /** Failed attempts in a row after which a channel counts as failing and raises its own alert. */
    channelFailingAfter: z.number().int().min(1).max(100).default(3),
    /**
     * At a start, how long notifications journalled before it wait for the broker to hand
     * over what it queued while alerting was down (it may show their alert cleared). Capped:
     * a broker that never answers must not hold a fire alarm back for long. 0: no wait.
     */
    catchUpMaxMs: z.number().int().min(0).max(120_000).default(30_000),
  })
  .superRefine((n, ctx) => {
    const contacts = new Set(n.contacts.map((c) => c.id));
    // `on-duty` and `escalation` name the roster's people (routing.ts), not a configured group.
    const groups = new Set([...n.groups.map((g) => g.id), 'on-duty', 'escalation']);
    n.groups.forEach((g, i) => {
      if (g.id === 'on-duty' || g.id === 'escalation')
        ctx.addIssue({
          code: 'custom',
          path: ['groups', i, 'id'],
          message: `"${g.id}" is reserved for the duty roster`,
        });
    });
    n.groups.forEach((g, i) =>
      g.contacts.forEach((c) => {
        if (!contacts.has(c))
          ctx.addIssue({ code: 'custom', path: ['groups', i], message: `unknown contact "${c}"` });
      }),
    );
    n.routes.forEach((r, i) =>
      [...r.groups, ...r.escalateTo].forEach((g) => {
        if (!groups.has(g))
          ctx.addIssue({ code: 'custom', path: ['routes', i], message: `unknown contact group "${g}"` });
      }),
    );
    if (!n.smtp && n.contacts.some((c) => c.channels.some((ch) => ch.type === 'email'))) {
      ctx.addIssue({ code: 'custom', path: ['smtp'], message: 'an e-mail channel needs "smtp"' });
    }
  });
export type NotificationsConfig = z.infer<typeof notificationsSchema>;
