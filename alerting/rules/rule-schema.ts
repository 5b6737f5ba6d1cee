import { z } from 'zod';
import { eventTypeSchema, fieldNameSchema, idSchema, severitySchema } from '../../contracts/index.js';
import { categorySchema } from '../../devices/index.js';
import { conditionSchema } from './condition.js';

/** Events alerting derives from gateway status messages (retained status, LWT). */
export const GATEWAY_EVENT_TYPES = ['gateway_offline', 'gateway_online'] as const;
export const ruleEventTypeSchema = z.union([eventTypeSchema, z.enum(GATEWAY_EVENT_TYPES)]);
export type RuleEventType = z.infer<typeof ruleEventTypeSchema>;

/** Which devices a rule watches: every non-empty list must contain the device (lists are ANDed, entries ORed). */
export const selectorsSchema = z
  .strictObject({
    profiles: z.array(idSchema).default([]),
    categories: z.array(categorySchema).default([]),
    zones: z.array(idSchema).default([]),
    devices: z.array(idSchema).default([]),
    gateways: z.array(idSchema).default([]),
  })
  .default({ profiles: [], categories: [], zones: [], devices: [], gateways: [] });
export type Selectors = z.infer<typeof selectorsSchema>;

const ruleBase = {
  id: idSchema,
  severity: severitySchema,
  /** The clause the rule enforces, e.g. "6.1.3 / GB 5749-2022". */
  clause: z.string().min(1),
  title_zh: z.string().min(1),
  title_en: z.string().min(1),
  enabled: z.boolean().default(true),
  selectors: selectorsSchema,
};

const durationS = z
  .number()
  .nonnegative()
  .max(7 * 24 * 3600);

/** A telemetry field crosses a threshold; separate fire and clear conditions give hysteresis. */
export const thresholdRuleSchema = z.strictObject({
  ...ruleBase,
  kind: z.literal('threshold'),
  fields: z.array(fieldNameSchema).min(1),
  fire: conditionSchema,
  /** Defaults to "not fire" (no deadband). */
  clear: conditionSchema.optional(),
  /** The fire condition must hold this long (by message time) before the alert fires. */
  forS: durationS.default(0),
  /** The clear condition must hold this long before the alert resolves. */
  clearForS: durationS.default(0),
});

/** A polled device stops reporting for longer than `intervalMultiplier` × its poll interval. */
export const absenceRuleSchema = z.strictObject({
  ...ruleBase,
  kind: z.literal('absence'),
  intervalMultiplier: z.number().min(1).max(100).default(3),
  /** Never fire sooner than this, whatever the poll interval. */
  minSilenceS: durationS.default(0),
});

/** A discrete event fires at once; an optional clearing event (or data match) resolves it. */
export const eventRuleSchema = z.strictObject({
  ...ruleBase,
  kind: z.literal('event'),
  events: z.array(ruleEventTypeSchema).min(1),
  clear: z
    .strictObject({
      events: z.array(ruleEventTypeSchema).min(1),
      /** Every entry must equal the clearing event's data (e.g. a self-test with result "pass"). */
      data: z.record(fieldNameSchema, z.union([z.string(), z.number(), z.boolean()])).default({}),
    })
    .optional(),
  /** Resolve by itself after this long without a new occurrence. */
  autoResolveS: durationS.optional(),
});

const timeOfDaySchema = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM (24 h)');

/** Count of events, or minimum/maximum of a field, over a sliding window, optionally within a time of day. */
export const windowRuleSchema = z
  .strictObject({
    ...ruleBase,
    kind: z.literal('window'),
    aggregate: z.enum(['count', 'min', 'max']),
    events: z.array(eventTypeSchema).default([]),
    field: fieldNameSchema.optional(),
    windowS: z
      .number()
      .positive()
      .max(7 * 24 * 3600),
    fire: conditionSchema,
    /** Count events per device and this data key (e.g. "door" on a controller with several doors). */
    groupByData: fieldNameSchema.optional(),
    /** Local time window (site time zone); the aggregate is judged when it closes. */
    timeOfDay: z.strictObject({ from: timeOfDaySchema, to: timeOfDaySchema }).optional(),
    /** Samples needed before a min/max is trusted. */
    minSamples: z.number().int().positive().default(1),
  })
  .superRefine((rule, ctx) => {
    if (rule.aggregate === 'count' && rule.events.length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['events'],
        message: 'a count window needs at least one event type',
      });
    }
    if (rule.aggregate !== 'count' && !rule.field) {
      ctx.addIssue({ code: 'custom', path: ['field'], message: `a ${rule.aggregate} window needs "field"` });
    }
  });

/**
 * Several alerts read together as one incident: a zone losing water, a gateway losing
 * power, or a gateway that is up while its meters fall silent (DOMAIN.md).
 */
export const correlationRuleSchema = z.strictObject({
  ...ruleBase,
  kind: z.literal('correlation'),
  mode: z.enum(['zone_outage', 'gateway_power_outage', 'gateway_network_fault']),
  /** The rules whose alerts are read: low pressure for an outage, gateway offline, meter absence. */
  sourceRules: z.array(idSchema).min(1),
  minDevices: z.number().int().positive().default(2),
});

/** Conditions the alerting service sees in itself, e.g. a notification channel that keeps failing. */
export const SERVICE_CONDITIONS = ['notification_channel_failing'] as const;
export type ServiceCondition = (typeof SERVICE_CONDITIONS)[number];

/** Raised and cleared by the service (`AlertEngine.serviceCondition`), not by device data. */
export const serviceRuleSchema = z.strictObject({
  ...ruleBase,
  kind: z.literal('service'),
  condition: z.enum(SERVICE_CONDITIONS),
});

export const ruleSchema = z.discriminatedUnion('kind', [
  thresholdRuleSchema,
  absenceRuleSchema,
  eventRuleSchema,
  windowRuleSchema,
  correlationRuleSchema,
  serviceRuleSchema,
]);

export type ThresholdRule = z.infer<typeof thresholdRuleSchema>;
export type AbsenceRule = z.infer<typeof absenceRuleSchema>;
export type EventRule = z.infer<typeof eventRuleSchema>;
export type WindowRule = z.infer<typeof windowRuleSchema>;
export type CorrelationRule = z.infer<typeof correlationRuleSchema>;
export type ServiceRule = z.infer<typeof serviceRuleSchema>;
export type Rule = z.infer<typeof ruleSchema>;
export type RuleKind = Rule['kind'];

export const ruleFileSchema = z.strictObject({
  version: z.literal(1),
  rules: z.array(z.unknown()).default([]),
});
