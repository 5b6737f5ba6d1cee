import { z } from 'zod';
import { idSchema } from './ids.js';
import { eventTypeSchema } from './events.js';

/**
 * Canonical message payloads (docs/architecture.md, "Message contracts"). The gateway produces them,
 * the broker carries them, ingest and alerting consume them. Types come from these
 * schemas only.
 */

/** Field names become InfluxDB field keys: snake_case, ending in a unit suffix (checked against profiles). */
export const FIELD_NAME_PATTERN = /^[a-z][a-z0-9_]{0,62}$/;
export const fieldNameSchema = z.string().regex(FIELD_NAME_PATTERN, 'must be snake_case (a-z, 0-9, _)');

/**
 * How much one message may carry. The schemas below enforce them; ingest's fast path and the
 * gateway's batcher read them from here, so the three can never disagree.
 */
export const MESSAGE_LIMITS = {
  /** Values in one telemetry message or batch item. */
  valuesPerReading: 200,
  /** Entries in one event's `data`. */
  eventDataEntries: 32,
  /** Characters in one string of an event's `data`. */
  eventTextLength: 256,
  /** Telemetry items in one batch, and event items in one batch (each list on its own). */
  batchItems: 1000,
} as const;

/** Milliseconds since the epoch. */
export const timestampSchema = z.number().int().positive();
export const seqSchema = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

/**
 * JSON.parse makes `"__proto__"` an own key, and zod's record drops it without a word: a
 * reading or an event holding one would be stored without it instead of refused.
 */
const withoutProtoKey = z.custom<unknown>(
  (value) => typeof value !== 'object' || value === null || !Object.hasOwn(value, '__proto__'),
  'must not hold a "__proto__" key',
);

export const telemetryValuesSchema = withoutProtoKey
  .pipe(z.record(fieldNameSchema, z.number().finite()))
  .refine((values) => Object.keys(values).length > 0, 'must hold at least one value')
  .refine(
    (values) => Object.keys(values).length <= MESSAGE_LIMITS.valuesPerReading,
    `must hold at most ${MESSAGE_LIMITS.valuesPerReading} values`,
  );

export const telemetryMessageSchema = z.strictObject({
  ts: timestampSchema,
  seq: seqSchema,
  values: telemetryValuesSchema,
});
export type TelemetryMessage = z.infer<typeof telemetryMessageSchema>;

const eventDataValueSchema = z.union([
  z.string().max(MESSAGE_LIMITS.eventTextLength),
  z.number().finite(),
  z.boolean(),
]);
export const eventDataSchema = withoutProtoKey
  .pipe(z.record(fieldNameSchema, eventDataValueSchema))
  .refine(
    (data) => Object.keys(data).length <= MESSAGE_LIMITS.eventDataEntries,
    `must hold at most ${MESSAGE_LIMITS.eventDataEntries} entries`,
  );

export const eventMessageSchema = z.strictObject({
  ts: timestampSchema,
  seq: seqSchema,
  type: eventTypeSchema,
  data: eventDataSchema.default({}),
});
export type EventMessage = z.infer<typeof eventMessageSchema>;

export const batchTelemetryItemSchema = telemetryMessageSchema.extend({ device: idSchema });
export const batchEventItemSchema = eventMessageSchema.extend({ device: idSchema });

/** One poll cycle of many devices in one message (batches spend the broker's per-message cost once). */
export const batchMessageSchema = z.strictObject({
  ts: timestampSchema,
  telemetry: z.array(batchTelemetryItemSchema).max(MESSAGE_LIMITS.batchItems).default([]),
  events: z.array(batchEventItemSchema).max(MESSAGE_LIMITS.batchItems).default([]),
});
export type BatchMessage = z.infer<typeof batchMessageSchema>;

export const gatewayStateSchema = z.enum(['online', 'offline']);

/** Retained on `v1/{site}/{gateway}/status`; the offline form is also the LWT. */
export const statusMessageSchema = z.strictObject({
  state: gatewayStateSchema,
  ts: timestampSchema,
  version: z.string().max(64),
  uptime_s: z.number().nonnegative().optional(),
  buffer_depth: z.number().int().nonnegative().optional(),
  reason: z.enum(['startup', 'reconnect', 'shutdown', 'lwt']).optional(),
});
export type StatusMessage = z.infer<typeof statusMessageSchema>;

export const healthMessageSchema = z.strictObject({
  ts: timestampSchema,
  cpu_pct: z.number().nonnegative(),
  memory_rss_bytes: z.number().int().nonnegative(),
  disk_free_bytes: z.number().int().nonnegative().optional(),
  buffer_depth: z.number().int().nonnegative(),
  /** Messages the disk buffer dropped (oldest first) since start because it was full. */
  buffer_dropped_count: z.number().int().nonnegative().optional(),
  uptime_s: z.number().nonnegative(),
  /** Mean latency of the last successful poll of each online Modbus device, ms. */
  poll_latency_ms: z.number().nonnegative().optional(),
  poll_ok_count: z.number().int().nonnegative(),
  poll_error_count: z.number().int().nonnegative(),
  devices_online: z.number().int().nonnegative(),
  devices_offline: z.number().int().nonnegative(),
});
export type HealthMessage = z.infer<typeof healthMessageSchema>;

/** What a service publishes on its dead-letter topic and logs for every rejected message. */
export const deadLetterSchema = z.strictObject({
  ts: timestampSchema,
  service: z.string(),
  reason: z.string(),
  code: z.string(),
  topic: z.string(),
  /** The first bytes of the payload, base64, so a technician can see what arrived. */
  payload_base64: z.string(),
  payload_bytes: z.number().int().nonnegative(),
  issues: z.array(z.string()).default([]),
});
export type DeadLetter = z.infer<typeof deadLetterSchema>;
