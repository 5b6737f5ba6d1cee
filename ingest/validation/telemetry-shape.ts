import {
  FIELD_NAME_PATTERN,
  ID_PATTERN,
  MESSAGE_LIMITS,
  isReadingValues,
  type TelemetryMessage,
} from '../../contracts/index.js';
import { profileFields, type DeviceProfile } from '../../devices/index.js';
import type { BatchEnvelope, BatchTelemetryItem } from './schema-stage.js';

/**
 * Hand-written readers for the common, well-formed telemetry shapes. Each one answers
 * either the value its zod schema (`contracts/messages.ts`) would produce, or
 * `undefined` when it is unsure; it never refuses anything itself. Whatever they do
 * not accept goes through zod, which also explains the failure. They accept a strict
 * subset of what zod accepts (`fast-path.unit.test.ts` checks this against zod on generated
 * valid and invalid messages), so the two paths cannot disagree on a stored value.
 */

/** The profile's fields that are also valid field names: the only keys a fast-path reading may hold. */
const knownFieldsByProfile = new WeakMap<DeviceProfile, ReadonlySet<string>>();

export function knownFields(profile: DeviceProfile): ReadonlySet<string> {
  let fields = knownFieldsByProfile.get(profile);
  if (!fields) {
    fields = new Set(profileFields(profile).filter((field) => FIELD_NAME_PATTERN.test(field)));
    knownFieldsByProfile.set(profile, fields);
  }
  return fields;
}

/** A `{...}` from `JSON.parse`; other objects (arrays, class instances, null prototype) are left to zod. */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}

function isTimestamp(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}

function isSeq(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/**
 * `telemetryMessageSchema`, for a message whose every value is a field of `fields`.
 * The `values` object is reused, not copied (zod copies it): the caller owns the parsed JSON.
 */
export function readTelemetry(raw: unknown, fields: ReadonlySet<string>): TelemetryMessage | undefined {
  if (!isPlainObject(raw)) return undefined;
  let keys = 0;
  for (const key in raw) {
    if (key !== 'ts' && key !== 'seq' && key !== 'values') return undefined;
    keys++;
  }
  if (keys !== 3 || !Object.hasOwn(raw, 'ts') || !Object.hasOwn(raw, 'seq') || !Object.hasOwn(raw, 'values'))
    return undefined;
  const { ts, seq, values } = raw;
  if (!isTimestamp(ts) || !isSeq(seq) || !isReadingValues(values, fields)) return undefined;
  return { ts, seq, values };
}

/**
 * `batchTelemetryItemSchema`, for an item whose device `fieldsOf` knows (undefined: not
 * a device of this site, left to zod and the registry stage).
 */
export function readTelemetryItem(
  raw: unknown,
  fieldsOf: (deviceId: string) => ReadonlySet<string> | undefined,
): BatchTelemetryItem | undefined {
  if (!isPlainObject(raw)) return undefined;
  let keys = 0;
  for (const key in raw) {
    if (key !== 'ts' && key !== 'seq' && key !== 'values' && key !== 'device') return undefined;
    keys++;
  }
  if (
    keys !== 4 ||
    !Object.hasOwn(raw, 'ts') ||
    !Object.hasOwn(raw, 'seq') ||
    !Object.hasOwn(raw, 'values') ||
    !Object.hasOwn(raw, 'device')
  )
    return undefined;
  const { ts, seq, values, device } = raw;
  if (typeof device !== 'string' || !ID_PATTERN.test(device)) return undefined;
  const fields = fieldsOf(device);
  if (!fields || !isTimestamp(ts) || !isSeq(seq) || !isReadingValues(values, fields)) return undefined;
  return { ts, seq, values, device };
}

/** `batchEnvelopeSchema`: the envelope only, items unchecked. */
export function readBatchEnvelope(raw: unknown): BatchEnvelope | undefined {
  if (!isPlainObject(raw)) return undefined;
  for (const key in raw) {
    if ((key !== 'ts' && key !== 'telemetry' && key !== 'events') || !Object.hasOwn(raw, key))
      return undefined;
  }
  if (!Object.hasOwn(raw, 'ts')) return undefined;
  const { ts, telemetry = [], events = [] } = raw;
  if (!isTimestamp(ts) || !isItemList(telemetry) || !isItemList(events)) return undefined;
  return { ts, telemetry, events };
}

function isItemList(value: unknown): value is unknown[] {
  return Array.isArray(value) && value.length <= MESSAGE_LIMITS.batchItems;
}
