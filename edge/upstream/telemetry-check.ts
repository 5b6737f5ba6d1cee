import { ANY_FIELD_NAME, isReadingValues } from '../../contracts/index.js';

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
  return Number.isSafeInteger(ts) && ts > 0 && isReadingValues(values, ANY_FIELD_NAME);
}
