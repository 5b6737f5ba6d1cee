import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { batchTelemetryItemSchema, telemetryMessageSchema, topics } from '../../contracts/index.js';
import {
  demoSite,
  GATEWAY,
  meterIds,
  NOW,
  SITE,
  meterItemArb,
  meterTelemetryArb,
  timestampArb,
  wellFormedArb,
} from '../test/support/telemetry-arbitraries.js';
import { acceptTelemetryFast } from './fast-path.js';
import { batchEnvelopeSchema } from './schema-stage.js';
import { SiteDirectory } from './site-directory.js';
import { knownFields, readBatchEnvelope, readTelemetry, readTelemetryItem } from './telemetry-shape.js';
import { validateMessage, validateMessageWithZod, type ValidationContext } from './validate-message.js';

/** A fixed seed, so a failure replays exactly (fast-check prints the counterexample). */
const SEED = 20_261_122;
const RUNS = { numRuns: 3000, seed: SEED };
const context: ValidationContext = {
  sites: new SiteDirectory([demoSite]),
  maxPayloadBytes: 64 * 1024,
  maxAgeDays: 30,
  maxFutureS: 300,
  now: () => NOW,
};
const fieldsOfDevice = (id: string) => {
  const device = demoSite.device(id);
  return device && knownFields(device.profile);
};
function jsonCopy(value: unknown): unknown {
  try {
    return JSON.parse(JSON.stringify(value) ?? 'null') as unknown;
  } catch {
    return null;
  }
}

/** Runs `arb` through JSON as well as raw: gateways send JSON, and raw values reach corners JSON cannot. */
const viaJson = (arb: fc.Arbitrary<unknown>) => fc.oneof(arb, arb.map(jsonCopy));

describe('telemetry fast path: a subset of zod, with zod’s result', () => {
  it('accepts a telemetry message only when zod does, and reads the same value', () => {
    let accepted = 0;
    fc.assert(
      fc.property(meterTelemetryArb, fc.boolean(), ({ device, message }, throughJson) => {
        const raw = throughJson ? jsonCopy(message) : message;
        const fields = knownFields(device.profile);
        const fast = readTelemetry(raw, fields);
        if (fast === undefined) return;
        accepted++;
        const zod = telemetryMessageSchema.safeParse(raw);
        expect(zod.success).toBe(true);
        expect(fast).toStrictEqual(zod.data);
        for (const key of Object.keys(fast.values)) expect(fields.has(key)).toBe(true);
      }),
      RUNS,
    );
    expect(accepted).toBeGreaterThan(500);
  });

  it('accepts a batch telemetry item only when zod does, and reads the same value', () => {
    let accepted = 0;
    fc.assert(
      fc.property(viaJson(meterItemArb), (raw) => {
        const fast = readTelemetryItem(raw, fieldsOfDevice);
        if (fast === undefined) return;
        accepted++;
        const zod = batchTelemetryItemSchema.safeParse(raw);
        expect(zod.success).toBe(true);
        expect(fast).toStrictEqual(zod.data);
      }),
      RUNS,
    );
    expect(accepted).toBeGreaterThan(50);
  });

  it('accepts a batch envelope only when zod does, and reads the same value', () => {
    const envelopeArb = fc.oneof(
      fc.record(
        {
          ts: timestampArb,
          telemetry: fc.oneof(fc.array(fc.jsonValue(), { maxLength: 3 }), fc.constant(null)),
          events: fc.oneof(fc.array(fc.jsonValue(), { maxLength: 3 }), fc.constant('x')),
        },
        { requiredKeys: ['ts'] },
      ),
      fc.record(
        { ts: timestampArb, telemetry: fc.array(fc.jsonValue(), { maxLength: 3 }), extra: fc.jsonValue() },
        { requiredKeys: ['ts'] },
      ),
      fc.anything(),
    );
    let accepted = 0;
    fc.assert(
      fc.property(viaJson(envelopeArb), (raw) => {
        const fast = readBatchEnvelope(raw);
        if (fast === undefined) return;
        accepted++;
        const zod = batchEnvelopeSchema.safeParse(raw);
        expect(zod.success).toBe(true);
        expect(fast).toStrictEqual(zod.data);
      }),
      RUNS,
    );
    expect(accepted).toBeGreaterThan(50);
  });

  it('takes every well-formed reading of a registered meter (else it would be no fast path)', () => {
    fc.assert(
      fc.property(wellFormedArb, ({ device, message }) => {
        const raw = JSON.parse(JSON.stringify(message)) as unknown;
        const reading = acceptTelemetryFast(raw, demoSite, GATEWAY, device.device.id, context, NOW);
        expect(reading).toMatchObject({ kind: 'telemetry', site: SITE, gateway: GATEWAY, device });
        expect(
          readTelemetryItem({ ...(raw as object), device: device.device.id }, fieldsOfDevice),
        ).toBeDefined();
      }),
      { numRuns: 500, seed: SEED },
    );
  });
});

describe('validateMessage with the fast path = validateMessage through zod only', () => {
  const json = (value: unknown) => Buffer.from(JSON.stringify(value) ?? 'null');
  const topicArb = fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(...meterIds).map((id) => topics.telemetry(SITE, GATEWAY, id)) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        topics.telemetry(SITE, 'gw-other', meterIds[0] as string),
        topics.telemetry(SITE, GATEWAY, 'nobody'),
        topics.telemetry(SITE, GATEWAY, 'maker-hall-door'),
        topics.telemetry('other-village', GATEWAY, meterIds[0] as string),
      ),
    },
  );
  const batchArb = fc.record(
    {
      ts: timestampArb,
      telemetry: fc.array(meterItemArb, { maxLength: 6 }),
      events: fc.array(fc.jsonValue(), { maxLength: 1 }),
    },
    { requiredKeys: ['ts', 'telemetry'] },
  );

  it('gives the same outcome for per-device telemetry, accepted or refused', () => {
    fc.assert(
      fc.property(topicArb, meterTelemetryArb, fc.nat(3), (otherTopic, { device, message }, roll) => {
        const topic = roll === 0 ? otherTopic : topics.telemetry(SITE, GATEWAY, device.device.id);
        const payload = json(message);
        expect(validateMessage(topic, payload, context)).toStrictEqual(
          validateMessageWithZod(topic, payload, context),
        );
      }),
      RUNS,
    );
  });

  it('gives the same outcome for batches, item by item', () => {
    const batchTopicArb = fc.constantFrom(
      topics.batch(SITE, GATEWAY),
      topics.batch(SITE, 'gw-other'),
      topics.batch('other-village', GATEWAY),
    );
    let accepted = 0;
    fc.assert(
      fc.property(batchTopicArb, fc.oneof(batchArb, fc.anything()), (topic, message) => {
        const payload = json(message);
        const outcome = validateMessage(topic, payload, context);
        accepted += outcome.accepted.length;
        expect(outcome).toStrictEqual(validateMessageWithZod(topic, payload, context));
      }),
      { numRuns: 1500, seed: SEED },
    );
    expect(accepted).toBeGreaterThan(100);
  });
});
