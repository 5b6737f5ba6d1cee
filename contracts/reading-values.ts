import { FIELD_NAME_PATTERN, MESSAGE_LIMITS } from './messages.js';

/** Which keys a reading's values may have: every snake_case field name, or a profile's known fields. */
export interface FieldNames {
  has(key: string): boolean;
}

/** Every name `telemetryValuesSchema` accepts as a field. */
export const ANY_FIELD_NAME: FieldNames = { has: (key) => FIELD_NAME_PATTERN.test(key) };

/**
 * Whether `values` certainly passes as a reading's values (`contracts/messages.ts`): a plain
 * `{...}` object of 1 to `MESSAGE_LIMITS.valuesPerReading` finite numbers under keys `fields`
 * has. A strict subset of what the schema accepts, for the hot paths that skip zod's copy
 * of a well-formed reading (the gateway's batches, ingest's fast path); whatever it does not
 * accept goes through zod, which also says why.
 */
export function isReadingValues(values: unknown, fields: FieldNames): values is Record<string, number> {
  if (typeof values !== 'object' || values === null || Object.getPrototypeOf(values) !== Object.prototype)
    return false;
  const record = values as Record<string, unknown>;
  let count = 0;
  for (const key in record) {
    if (!Object.hasOwn(record, key) || !fields.has(key)) return false;
    const value = record[key];
    if (typeof value !== 'number' || !Number.isFinite(value)) return false;
    count++;
  }
  return count > 0 && count <= MESSAGE_LIMITS.valuesPerReading;
}
