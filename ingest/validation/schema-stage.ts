import { z } from 'zod';
import {
  batchEventItemSchema,
  batchMessageSchema,
  batchTelemetryItemSchema,
  eventMessageSchema,
  healthMessageSchema,
  MESSAGE_LIMITS,
  statusMessageSchema,
  telemetryMessageSchema,
} from '../../contracts/index.js';
import { accept, reject, zodIssues, type StageResult } from './rejection.js';

export type BatchTelemetryItem = z.infer<typeof batchTelemetryItemSchema>;
export type BatchEventItem = z.infer<typeof batchEventItemSchema>;

/**
 * A batch's envelope with its items left unchecked, so that one bad item is
 * dead-lettered alone instead of failing the whole poll cycle.
 */
export const batchEnvelopeSchema = batchMessageSchema.extend({
  telemetry: z.array(z.unknown()).max(MESSAGE_LIMITS.batchItems).default([]),
  events: z.array(z.unknown()).max(MESSAGE_LIMITS.batchItems).default([]),
});
export type BatchEnvelope = z.infer<typeof batchEnvelopeSchema>;

export function checkSchema<S extends z.ZodType>(
  schema: S,
  value: unknown,
  payload: Buffer,
): StageResult<z.infer<S>> {
  const result = schema.safeParse(value);
  return result.success
    ? accept(result.data)
    : reject('PAYLOAD_INVALID', 'payload does not match its schema', payload, zodIssues(result.error));
}

export const messageSchemas = {
  telemetry: telemetryMessageSchema,
  event: eventMessageSchema,
  status: statusMessageSchema,
  health: healthMessageSchema,
  batch: batchEnvelopeSchema,
  batchTelemetryItem: batchTelemetryItemSchema,
  batchEventItem: batchEventItemSchema,
} as const;
