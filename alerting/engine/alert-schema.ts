import { z } from 'zod';
import { severitySchema } from '../../contracts/index.js';

export const alertStateSchema = z.enum(['pending', 'firing', 'resolved']);
export type AlertState = z.infer<typeof alertStateSchema>;

export const TIMELINE_TYPES = [
  'pending',
  'firing',
  'resolved',
  'acknowledged',
  'silenced',
  'notified',
  'reminder',
  'escalated',
  'flapping',
  /** A person's note on the alert (what they saw, what they did). */
  'note',
  'inhibited',
  'inhibition_ended',
] as const;

export const timelineEntrySchema = z.object({
  at: z.number(),
  type: z.enum(TIMELINE_TYPES),
  by: z.string().optional(),
  detail: z.string().optional(),
});
export type TimelineEntry = z.infer<typeof timelineEntrySchema>;

export const acknowledgementSchema = z.object({
  by: z.string().min(1).max(128),
  at: z.number(),
  comment: z.string().max(2000).default(''),
});
export type Acknowledgement = z.infer<typeof acknowledgementSchema>;

/** Bilingual free text (correlation incidents list the devices they read). */
export const textSchema = z.object({ zh: z.string(), en: z.string() });

/** One alert: a rule firing for one subject (a device field, a door, a zone, a gateway). */
export const alertSchema = z.object({
  id: z.string(),
  /** rule + site + subject: at most one open (pending or firing) alert per key. */
  key: z.string(),
  ruleId: z.string(),
  ruleKind: z.string(),
  severity: severitySchema,
  site: z.string(),
  zone: z.string(),
  subject: z.string(),
  building: z.string().optional(),
  device: z.string().optional(),
  gateway: z.string().optional(),
  field: z.string().optional(),
  value: z.number().optional(),
  /** The condition that fired, as shown to people ("< 0.05 MPa"). */
  threshold: z.string().optional(),
  detail: textSchema.optional(),
  state: alertStateSchema,
  startedAt: z.number(),
  firedAt: z.number().optional(),
  resolvedAt: z.number().optional(),
  updatedAt: z.number(),
  /** How many times the triggering event arrived while the alert was open (deduplicated bursts). */
  occurrences: z.number().int().nonnegative(),
  ack: acknowledgementSchema.optional(),
  /** The open alert that explains this one (a zone power cut for a meter's undervoltage): no notifications while set. */
  inhibitedBy: z.string().optional(),
  /** Whether the firing notification went out (false while silenced or inhibited). */
  notifiedFiring: z.boolean(),
  reminders: z.number().int().nonnegative(),
  lastReminderAt: z.number().optional(),
  escalated: z.boolean(),
  /** Since when the clear condition holds (resolution waits for clearForS or a flapping signal to calm). */
  clearSince: z.number().optional(),
  flapping: z.boolean(),
  timeline: z.array(timelineEntrySchema),
});
export type Alert = z.infer<typeof alertSchema>;

export const NOTIFICATION_REASONS = ['firing', 'resolved', 'reminder', 'escalation', 'acknowledged'] as const;
export const notificationReasonSchema = z.enum(NOTIFICATION_REASONS);
export type NotificationReason = z.infer<typeof notificationReasonSchema>;

/** The engine asks for a notification; routing turns it into deliveries to contacts. */
export const notificationIntentSchema = z.object({
  /** Unique per alert and reason (and reminder number): the root of every delivery's idempotency key. */
  id: z.string(),
  reason: notificationReasonSchema,
  at: z.number(),
  alert: alertSchema,
});
export type NotificationIntent = z.infer<typeof notificationIntentSchema>;

export const silenceSchema = z.object({
  id: z.string(),
  kind: z.enum(['silence', 'maintenance']).default('silence'),
  matchers: z
    .object({
      site: z.string().optional(),
      zone: z.string().optional(),
      device: z.string().optional(),
      gateway: z.string().optional(),
      ruleId: z.string().optional(),
    })
    .refine(
      (m) => Object.values(m).some((v) => v !== undefined),
      'name at least one of site, zone, device, gateway, ruleId',
    ),
  startsAt: z.number(),
  endsAt: z.number(),
  createdBy: z.string().min(1).max(128),
  comment: z.string().max(2000).default(''),
  createdAt: z.number(),
});
export type Silence = z.infer<typeof silenceSchema>;

export const TIMELINE_LIMIT = 100;

/** The zone of alerts about the alerting service itself (a failing notification channel). */
export const SERVICE_ZONE = 'system';
