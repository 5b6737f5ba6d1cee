import { z } from 'zod';
import { eventTypeSchema, fieldNameSchema, idSchema, severitySchema } from '../../contracts/index.js';
import { categorySchema } from '../../devices/index.js';
import { drinkingWaterSupplySchema } from '../../site/index.js';
import { conditionSchema } from './condition.js';

/**
 * Events alerting derives about a gateway: from its status messages (retained status,
 * LWT; `gateway_stopped` is the offline status a gateway announces when it is stopped on
 * purpose), and from the timestamps it sends (its clock off by more than the clock policy).
 */
export const GATEWAY_EVENT_TYPES = [
  'gateway_offline',
  'gateway_stopped',
  'gateway_online',
  'gateway_clock_skewed',
  'gateway_clock_ok',
] as const;
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
    /** The site's drinking-water supply class (site file `drinkingWater.supply`). */
    drinkingWaterSupply: z.array(drinkingWaterSupplySchema).default([]),
  })
  .default({ profiles: [], categories: [], zones: [], devices: [], gateways: [], drinkingWaterSupply: [] });
export type Selectors = z.infer<typeof selectorsSchema>;

/** How the incident catalogue groups rules (docs/incidents.md). */
export const RULE_GROUPS = {
  fire: { zh: '消防', en: 'Fire' },
  access: { zh: '门禁', en: 'Access control' },
  video: { zh: '视频监控', en: 'Video' },
  'emergency-lighting': { zh: '应急照明和疏散指示', en: 'Emergency lighting and exit signs' },
  power: { zh: '供电', en: 'Power' },
  water: { zh: '供水', en: 'Water' },
  network: { zh: '网络和设备', en: 'Network and devices' },
  other: { zh: '其他', en: 'Other' },
} as const;
export const ruleGroupSchema = z.enum(Object.keys(RULE_GROUPS) as [keyof typeof RULE_GROUPS]);

/**
 * Alerts this rule's open alerts (pending or firing) keep from notifying: those of the
 * named rules in the same scope as this alert (its device, building, zone or gateway),
 * as Alertmanager's inhibition does. They still run their lifecycle and are shown as
 * inhibited. The inhibition outlives the incident by `holdS`, so alerts still waiting
 * out their own recovery time (clearForS) when power or water returns stay quiet; any
 * still firing after that notify then.
 */
export const inhibitionSchema = z.strictObject({
  rules: z.array(idSchema).min(1),
  scope: z.enum(['device', 'building', 'zone', 'gateway', 'site']),
  holdS: z.number().nonnegative().max(3600).default(60),
});
export type Inhibition = z.infer<typeof inhibitionSchema>;

const ruleBase = {
  id: idSchema,
  severity: severitySchema,
  /** The clause the rule enforces, e.g. "6.1.3 / GB 5749-2022". */
  clause: z.string().min(1),
  title_zh: z.string().min(1),
  title_en: z.string().min(1),
  group: ruleGroupSchema.default('other'),
  enabled: z.boolean().default(true),
  selectors: selectorsSchema,
  inhibits: z.array(inhibitionSchema).default([]),
};

const LONGEST_S = 400 * 24 * 3600;
const durationS = z.number().nonnegative().max(LONGEST_S);

/** Event data that must match, key by key (e.g. a self-test with result "fail"). */
const eventDataMatchSchema = z
  .record(fieldNameSchema, z.union([z.string(), z.number(), z.boolean()]))
  .default({});

/** Events of these types whose data matches. */
export const eventMatchSchema = z.strictObject({
  events: z.array(ruleEventTypeSchema).min(1),
  data: eventDataMatchSchema,
});
export type EventMatch = z.infer<typeof eventMatchSchema>;

/**
 * How a threshold rule reads its fields: `each` field on its own (one alert per device
 * and field); or one value per device from the fields a message carries: the `max` or
 * `min` of them, or `unbalance_pct`, the largest deviation from their mean in percent of
 * the mean (the usual estimate of three-phase unbalance from phase values; all fields
 * must be present).
 */
export const COMBINE_MODES = ['each', 'max', 'min', 'unbalance_pct'] as const;

/** A telemetry field crosses a threshold; separate fire and clear conditions give hysteresis. */
export const thresholdRuleSchema = z.strictObject({
  ...ruleBase,
  kind: z.literal('threshold'),
  fields: z.array(fieldNameSchema).min(1),
  combine: z.enum(COMBINE_MODES).default('each'),
  /**
   * Conditions are fractions of this rating of the device (site file `ratings`, e.g.
   * `current_a: 63`): `> 1.0` is above the rating. Devices without it are not judged.
   */
  relativeTo: fieldNameSchema.optional(),
  fire: conditionSchema,
  /** Defaults to "not fire" (no deadband). */
  clear: conditionSchema.optional(),
  /** The fire condition must hold this long (by message time) before the alert fires. */
  forS: durationS.default(0),
  /** The clear condition must hold this long before the alert resolves. */
  clearForS: durationS.default(0),
});

/**
 * A device stops reporting: a polled device for longer than `intervalMultiplier` × its
 * poll interval; or, with `of`, any device that sends no matching event for `silenceS`
 * (an emergency light whose monthly self-test is overdue). The time of the last matching
 * event is kept across restarts.
 */
export const absenceRuleSchema = z
  .strictObject({
    ...ruleBase,
    kind: z.literal('absence'),
    intervalMultiplier: z.number().min(1).max(100).default(3),
    /** Never fire sooner than this, whatever the poll interval. */
    minSilenceS: durationS.default(0),
    /** Only these events count as a sign of life. */
    of: eventMatchSchema.optional(),
    /** With `of`: the longest time allowed without a matching event. */
    silenceS: durationS.optional(),
    /**
     * The alert stays pending this long after the limit before it fires, so an incident
     * that explains several silent devices at once forms before any of them notifies.
     */
    forS: durationS.default(0),
  })
  .superRefine((rule, ctx) => {
    if (rule.of && rule.silenceS === undefined)
      ctx.addIssue({ code: 'custom', path: ['silenceS'], message: 'a rule with "of" needs "silenceS"' });
  });

/**
 * A discrete event fires at once; a clearing event resolves it (any of several, each
 * with its own data match), or it resolves by itself after a quiet period.
 */
export const eventRuleSchema = z.strictObject({
  ...ruleBase,
  kind: z.literal('event'),
  events: z.array(ruleEventTypeSchema).min(1),
  /** Every entry must equal the firing event's data (e.g. a self-test with result "fail"). */
  data: eventDataMatchSchema,
  /**
   * Event data keys that, with the device, name what the alert is about: one alert per
   * door of a controller (`door`), per detector of a fire panel (`loop`, `address`). A
   * clearing event must carry the same values.
   */
  subjectData: z.array(fieldNameSchema).max(4).default([]),
  clear: z
    .union([eventMatchSchema, z.array(eventMatchSchema).min(1)])
    .transform((c) => (Array.isArray(c) ? c : [c]))
    .optional(),
  /** Resolve by itself after this long without a new occurrence. */
  autoResolveS: durationS.optional(),
  /**
   * The state the event reports must last this long (no clearing event) before the
   * alert fires: a mains flicker pages nobody, and an incident the event is evidence
   * for (a power cut) forms before it.
   */
  forS: durationS.default(0),
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
 * Several alerts read together as one incident (docs/incidents.md): a zone losing water,
 * a zone or building losing power while the gateway is up, a gateway losing power, or a
 * gateway that is up while its meters fall silent. Source alerts count while open
 * (pending or firing), so the incident forms before the alerts it explains notify.
 */
export const correlationRuleSchema = z
  .strictObject({
    ...ruleBase,
    kind: z.literal('correlation'),
    mode: z.enum(['zone_outage', 'power_outage', 'gateway_power_outage', 'gateway_network_fault']),
    /** The rules whose alerts are read: low pressure, supply lost, gateway offline, meter absence. */
    sourceRules: z.array(idSchema).min(1),
    /**
     * power_outage: rules of which at least one must hold somewhere in the zone or
     * building (a meter reading no voltage, an emergency light on battery), so that meters
     * merely silent (a bus fault) are not taken for a power cut.
     */
    evidenceRules: z.array(idSchema).default([]),
    /** power_outage: a whole zone, or a building whose zone is not out as a whole. */
    scope: z.enum(['zone', 'building']).default('zone'),
    minDevices: z.number().int().positive().default(2),
    /** The incident must hold this long before it fires. */
    forS: durationS.default(0),
    /**
     * How long the alerts it explains (the rules it inhibits) wait, from their start, before
     * they notify alone while the incident may still form around them (one of its source
     * alerts is open in their scope, and its evidence if it needs any): devices that fail
     * together are judged seconds apart (their poll intervals, a gateway's retries on a
     * shared bus), and the operator's first message must be the incident, not its first
     * device. A failure that stays alone is told
     * this long after it began, or after its own `forS` if that is longer.
     */
    settleS: z.number().nonnegative().max(600).default(0),
  })
  .superRefine((rule, ctx) => {
    if (rule.mode === 'power_outage' && rule.evidenceRules.length === 0)
      ctx.addIssue({
        code: 'custom',
        path: ['evidenceRules'],
        message: 'a power_outage incident needs evidenceRules',
      });
  });

/**
 * One safety system checked against another (GB 50116-2013 4.9.2, GB 51309): when a
 * trigger event comes from a device (a fire alarm), every device of the same building
 * that the `expect` selectors name must report one of the expected events (emergency
 * mode) within `withinS` by the messages' own timestamps; those that did not are named
 * in a critical incident. It resolves when each has reported, or when the trigger clears.
 */
export const linkageRuleSchema = z.strictObject({
  ...ruleBase,
  kind: z.literal('linkage'),
  trigger: eventMatchSchema,
  /** Clears the trigger (a panel reset): the check ends and its incident resolves. */
  triggerClear: eventMatchSchema.optional(),
  expect: z.strictObject({ selectors: selectorsSchema, events: z.array(eventTypeSchema).min(1) }),
  /** The events that undo the expected state (emergency mode off). */
  expectOff: z.array(eventTypeSchema).default([]),
  withinS: z.number().positive().max(3600),
  /** Allowance for transport before judging messages that have not arrived. */
  graceS: z.number().nonnegative().max(600).default(10),
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
  linkageRuleSchema,
]);

export type ThresholdRule = z.infer<typeof thresholdRuleSchema>;
export type AbsenceRule = z.infer<typeof absenceRuleSchema>;
export type EventRule = z.infer<typeof eventRuleSchema>;
export type WindowRule = z.infer<typeof windowRuleSchema>;
export type CorrelationRule = z.infer<typeof correlationRuleSchema>;
export type ServiceRule = z.infer<typeof serviceRuleSchema>;
export type LinkageRule = z.infer<typeof linkageRuleSchema>;
export type Rule = z.infer<typeof ruleSchema>;
export type RuleKind = Rule['kind'];

export const ruleFileSchema = z.strictObject({
  version: z.literal(1),
  rules: z.array(z.unknown()).default([]),
});
