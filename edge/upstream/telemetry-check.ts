import { FIELD_NAME_PATTERN, MESSAGE_LIMITS } from '../../contracts/index.js';

/**
 * Whether a reading certainly passes `telemetryMessageSchema` (contracts/messages.ts): a
 * positive safe-integer timestamp and 1 to `MESSAGE_LIMITS.valuesPerReading` finite
 * numbers under snake_case field names. A strict subset of what the schema accepts
 * (`telemetry-check.unit.test.ts` holds it against zod): what it does not accept goes
 * through zod, which also says why. A reading polled from a meter always passes here;
 * zod copies every reading it checks, and at 100 meters a second that copy and its checks
 * were a twentieth of the gateway's CPU.
 */
export function isContractTelemetry(ts: number, values: Readonly<Record<string, unknown>>): boolean {
  if (!Number.isSafeInteger(ts) || ts <= 0) return false;
  if (Object.getPrototypeOf(values) !== Object.prototype) return false;
  let count = 0;
  for (const key in values) {
    if (!Object.hasOwn(values, key) || !FIELD_NAME_PATTERN.test(key)) return false;
    const value = values[key];
    if (typeof value !== 'number' || !Number.isFinite(value)) return false;
    count++;
  }
  return count > 0 && count <= MESSAGE_LIMITS.valuesPerReading;
}
