import { describe, expect, it } from 'vitest';
import { MESSAGE_LIMITS, telemetryMessageSchema, topics } from '../../contracts/index.js';
import { profileFields } from '../../devices/index.js';
import { GATEWAY, meters, NOW, SITE, demoSite } from '../test/support/telemetry-arbitraries.js';
import { batchEnvelopeSchema } from './schema-stage.js';
import { SiteDirectory } from './site-directory.js';
import { readBatchEnvelope, readTelemetry, readTelemetryItem } from './telemetry-shape.js';
import { validateMessage, validateMessageWithZod, type ValidationContext } from './validate-message.js';

/**
 * The limits of `contracts/` (MESSAGE_LIMITS) at their edges: one under, at, and one over.
 * The fast path and zod must agree at each, so neither can keep a limit of its own.
 */
const EDGES = (limit: number) => [limit - 1, limit, limit + 1];

describe('values in one reading', () => {
  const limit = MESSAGE_LIMITS.valuesPerReading;
  const names = Array.from({ length: limit + 1 }, (_, i) => `v${i}_w`);
  const fields = new Set(names);
  const message = (count: number) => ({
    ts: NOW,
    seq: 1,
    values: Object.fromEntries(names.slice(0, count).map((name, i) => [name, i])),
  });

  it.each(EDGES(limit))('%i values: the fast path and zod agree', (count) => {
    const fits = count <= limit;
    const zod = telemetryMessageSchema.safeParse(message(count));
    expect(zod.success).toBe(fits);
    const fast = readTelemetry(message(count), fields);
    if (fits) expect(fast).toStrictEqual(zod.data);
    else expect(fast).toBeUndefined();
    const item = readTelemetryItem({ ...message(count), device: 'm1' }, () => fields);
    expect(item === undefined).toBe(!fits);
  });
});

describe('items in one batch', () => {
  const limit = MESSAGE_LIMITS.batchItems;
  const meter = meters[0]!;
  const field = profileFields(meter.profile)[0]!;
  const batch = (telemetry: number, events = 0) => ({
    ts: NOW,
    telemetry: Array.from({ length: telemetry }, (_, seq) => ({
      device: meter.device.id,
      ts: NOW,
      seq,
      values: { [field]: seq },
    })),
    events: Array.from({ length: events }, () => ({})),
  });
  const context: ValidationContext = {
    sites: new SiteDirectory([demoSite]),
    maxPayloadBytes: 4 * 1024 * 1024,
    maxAgeDays: 30,
    maxFutureS: 300,
    now: () => NOW,
  };
  const topic = topics.batch(SITE, GATEWAY);

  it.each(EDGES(limit))('%i telemetry items: the fast path and zod read the same envelope', (count) => {
    const fits = count <= limit;
    expect(batchEnvelopeSchema.safeParse(batch(count)).success).toBe(fits);
    expect(readBatchEnvelope(batch(count)) === undefined).toBe(!fits);
  });

  it.each(EDGES(limit))('%i event items: the fast path and zod read the same envelope', (count) => {
    const fits = count <= limit;
    expect(batchEnvelopeSchema.safeParse(batch(0, count)).success).toBe(fits);
    expect(readBatchEnvelope(batch(0, count)) === undefined).toBe(!fits);
  });

  it.each(EDGES(limit))('%i telemetry items: every one stored, or the batch refused whole', (count) => {
    const payload = Buffer.from(JSON.stringify(batch(count)));
    const outcome = validateMessage(topic, payload, context);
    if (count <= limit) {
      expect(outcome.rejected).toEqual([]);
      expect(outcome.accepted).toHaveLength(count);
    } else {
      expect(outcome.accepted).toEqual([]);
      expect(outcome.rejected.map((r) => r.code)).toEqual(['PAYLOAD_INVALID']);
    }
    expect(outcome).toStrictEqual(validateMessageWithZod(topic, payload, context));
  });
});
