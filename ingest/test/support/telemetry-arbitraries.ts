import fc from 'fast-check';
import { profileFields } from '../../../devices/index.js';
import { DEMO_SITE_FILE, SiteRegistry, type RegisteredDevice } from '../../../site/index.js';

/**
 * Generators for telemetry as gateways send it and as they get it wrong: the
 * well-formed shape the fast path is for, and every way a field, a key or a whole
 * message can be off by one from it.
 */
export const NOW = 1_750_000_000_000;
export const demoSite = SiteRegistry.fromFile(DEMO_SITE_FILE);
export const SITE = demoSite.siteId;
export const GATEWAY = 'gw-center';

/** Polled meters of the demo site, which report telemetry. */
export const meters = demoSite.all().filter((d) => profileFields(d.profile).length > 0);
export const meterIds = meters.map((d) => d.device.id);
const allFields = [...new Set(meters.flatMap((d) => profileFields(d.profile)))];

/** Timestamps around the clock policy's edges (30 days back, 300 s ahead) and off-type ones. */
export const timestampArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: NOW - 31 * 86_400_000, max: NOW + 400_000 }) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      NOW,
      NOW - 30 * 86_400_000,
      NOW - 30 * 86_400_000 - 1,
      NOW + 300_000,
      NOW + 300_001,
      0,
      -1,
      1,
      NOW + 0.5,
      2 ** 53,
      Number.MAX_SAFE_INTEGER,
      Number.NaN,
      Number.POSITIVE_INFINITY,
    ),
  },
  { weight: 1, arbitrary: fc.oneof(fc.string(), fc.constant(null), fc.boolean(), fc.double()) },
);

export const seqArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: fc.nat() },
  {
    weight: 2,
    arbitrary: fc.constantFrom(0, -0, -1, 1.5, Number.MAX_SAFE_INTEGER, 2 ** 53, Number.NaN),
  },
  { weight: 1, arbitrary: fc.oneof(fc.string(), fc.constant(null), fc.constant([1])) },
);

/** Field names: the demo profiles' own, other valid names, and names zod refuses. */
export const fieldNameArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...allFields) },
  { weight: 1, arbitrary: fc.stringMatching(/^[a-z][a-z0-9_]{0,6}$/) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      'Voltage_V',
      '_x',
      '',
      'a b',
      'time',
      'seq',
      '__proto__',
      'constructor',
      'a'.repeat(64),
    ),
  },
);

export const valueArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 8, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
  { weight: 2, arbitrary: fc.integer() },
  {
    weight: 1,
    arbitrary: fc.oneof(
      fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, -0, null, true, '1', [], {}),
      fc.string(),
    ),
  },
);

export const valuesArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 10, arbitrary: fc.dictionary(fieldNameArb, valueArb, { minKeys: 0, maxKeys: 8 }) },
  { weight: 1, arbitrary: fc.constantFrom(null, [], 'values', 1) },
  {
    weight: 1,
    // Around the 200-value limit: more names than any profile has, so only zod can judge these.
    arbitrary: fc.dictionary(fc.stringMatching(/^[a-z][a-z0-9_]{3,8}$/), fc.double(), {
      minKeys: 199,
      maxKeys: 202,
    }),
  },
);

/** Objects with every key of the model, and now and then some keys missing. */
function mostlyComplete(model: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<Record<string, unknown>> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.record(model) },
    { weight: 1, arbitrary: fc.record(model, { requiredKeys: [] }) },
  );
}

/** Optional extra keys, as a gateway with a newer or buggy firmware might send them. */
const extraArb = fc.dictionary(
  fc.constantFrom('extra', 'device', 'type', 'ts', 'Values', '__proto__'),
  fc.jsonValue(),
  {
    maxKeys: 1,
  },
);

export const telemetryArb: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 10,
    arbitrary: fc
      .tuple(mostlyComplete({ ts: timestampArb, seq: seqArb, values: valuesArb }), extraArb, fc.nat(4))
      .map(([message, extra, roll]) => (roll === 0 ? { ...message, ...extra } : message)),
  },
  { weight: 1, arbitrary: fc.anything() },
);

export const deviceIdArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 10, arbitrary: fc.constantFrom(...meterIds) },
  { weight: 1, arbitrary: fc.constantFrom('maker-hall-door', 'nobody', 'Bad Id', '', 1, null) },
);

export const batchItemArb: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 10,
    arbitrary: mostlyComplete({ device: deviceIdArb, ts: timestampArb, seq: seqArb, values: valuesArb }),
  },
  { weight: 1, arbitrary: fc.anything() },
);

function wellFormedMessage(device: RegisteredDevice) {
  return fc.record({
    ts: fc.integer({ min: NOW - 29 * 86_400_000, max: NOW + 299_000 }),
    seq: fc.nat(),
    values: fc.dictionary(
      fc.constantFrom(...profileFields(device.profile)),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      { minKeys: 1 },
    ),
  });
}

/** Well-formed telemetry of one meter: what the fast path must accept. */
export const wellFormedArb = fc
  .constantFrom(...meters)
  .chain((device) => fc.record({ device: fc.constant(device), message: wellFormedMessage(device) }));

/** One change to a well-formed message: a bad stamp or seq, one more value, an extra or a missing key. */
function mutated(message: Record<string, unknown>): fc.Arbitrary<Record<string, unknown>> {
  return fc
    .tuple(fc.nat(4), timestampArb, seqArb, fieldNameArb, valueArb)
    .map(([what, ts, seq, field, value]) => {
      const copy: Record<string, unknown> = { ...message, values: { ...(message.values as object) } };
      if (what === 0) copy.ts = ts;
      else if (what === 1) copy.seq = seq;
      else if (what === 2)
        Object.defineProperty(copy.values, field, { value, enumerable: true, writable: true });
      else if (what === 3) copy.extra = value;
      else delete copy[field.length % 2 === 0 ? 'ts' : 'values'];
      return copy;
    });
}

/** A meter and telemetry for it: well-formed, one mutation away, or anything. */
export const meterTelemetryArb = fc.constantFrom(...meters).chain((device) =>
  fc.record({
    device: fc.constant(device),
    message: fc.oneof(wellFormedMessage(device), wellFormedMessage(device).chain(mutated), telemetryArb),
  }),
);

/** A batch telemetry item: a meter's telemetry with its device id, or anything item-shaped. */
export const meterItemArb: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 4,
    arbitrary: meterTelemetryArb.map(({ device, message }) => ({
      device: device.device.id,
      ...(message as object),
    })),
  },
  { weight: 1, arbitrary: batchItemArb },
);
