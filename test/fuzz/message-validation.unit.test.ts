import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import {
  batchMessageSchema,
  deadLetterSchema,
  eventMessageSchema,
  FIELD_NAME_PATTERN,
  healthMessageSchema,
  ID_PATTERN,
  statusMessageSchema,
  telemetryMessageSchema,
} from '../../contracts/index.js';
import { SiteDirectory, toLineProtocol, toPoints, validateMessage } from '../../ingest/index.js';
import { ERROR_CATALOGUE } from '../../runtime/index.js';
import { fuzzOptions } from './support/fuzz-options.js';
import { readLine } from './support/line-protocol-reader.js';
import { fuzzMessage, fuzzPayload, type Leaf } from './support/village-messages.js';
import { SITE, schemaViolations, village } from './support/village-schema.js';

const NOW = 1_750_000_000_000;
const MAX_PAYLOAD_BYTES = 256 * 1024;
const context = {
  sites: new SiteDirectory([village]),
  maxPayloadBytes: MAX_PAYLOAD_BYTES,
  maxAgeDays: 30,
  maxFutureS: 300,
  now: () => NOW,
};

const CONTRACT_SCHEMAS: ReadonlyArray<readonly [Leaf, z.ZodType]> = [
  ['telemetry', telemetryMessageSchema],
  ['event', eventMessageSchema],
  ['batch', batchMessageSchema],
  ['status', statusMessageSchema],
  ['health', healthMessageSchema],
];

/** Parsed JSON the way a consumer meets it; payloads that are no JSON become their text. */
function parsed(payload: Buffer): unknown {
  const text = payload.toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

const oddValues = fc.anything({
  withBigInt: true,
  withBoxedValues: true,
  withDate: true,
  withMap: true,
  withNullPrototype: true,
  withObjectString: true,
  withSet: true,
  withSparseArray: true,
  withTypedArray: true,
});

/** Whatever a schema let through must be safe to store: finite numbers, snake_case names, bounded strings. */
function insanities(value: unknown, path = '', depth = 0): string[] {
  if (depth > 6) return [`${path}: nested ${depth} deep`];
  if (typeof value === 'number') return Number.isFinite(value) ? [] : [`${path}: ${value}`];
  if (typeof value === 'string') return value.length <= 256 ? [] : [`${path}: string of ${value.length}`];
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, inner]) => {
    const here = `${path}.${key}`;
    const keyProblems =
      /\.(values|data)$/.test(path) && !FIELD_NAME_PATTERN.test(key) ? [`${here}: key not snake_case`] : [];
    const idProblems =
      key === 'device' && !(typeof inner === 'string' && ID_PATTERN.test(inner))
        ? [`${here}: not an id`]
        : [];
    return [...keyProblems, ...idProblems, ...insanities(inner, here, depth + 1)];
  });
}

describe('contract payload schemas under hostile input', () => {
  for (const [kind, schema] of CONTRACT_SCHEMAS) {
    it(`${kind}: safeParse never throws, explains every refusal, lets through only sane values`, () => {
      const input = fc.oneof(
        { arbitrary: fuzzPayload(kind, NOW).map(parsed), weight: 4 },
        { arbitrary: oddValues, weight: 1 },
      );
      fc.assert(
        fc.property(input, (value) => {
          const result = schema.safeParse(value);
          if (result.success) {
            expect(insanities(result.data)).toEqual([]);
          } else {
            expect(result.error.issues.length).toBeGreaterThan(0);
            for (const issue of result.error.issues) expect(issue.message).toMatch(/\S/);
          }
        }),
        fuzzOptions(250),
      );
    });
  }
});

describe('ingest validation under hostile messages', () => {
  it('never throws; refuses with a catalogue code and a bounded dead letter; accepts only schema-true points', () => {
    let accepted = 0;
    let rejected = 0;
    fc.assert(
      fc.property(fuzzMessage(NOW), ({ topic, payload }) => {
        const outcome = validateMessage(topic, payload, context);
        // Only an empty batch may come out with nothing stored and nothing refused.
        if (outcome.accepted.length + outcome.rejected.length === 0) expect(outcome.kind).toBe('batch');
        for (const rejection of outcome.rejected) {
          rejected++;
          expect(Object.keys(ERROR_CATALOGUE)).toContain(rejection.code);
          expect(rejection.code).not.toBe('INGEST_FAILED');
          expect(rejection.reason).toMatch(/\S/);
          const letter = deadLetterSchema.parse({
            ts: NOW,
            service: 'ingest',
            reason: rejection.reason,
            code: rejection.code,
            topic: topic.slice(0, 1024),
            payload_base64: rejection.payload.subarray(0, 1024).toString('base64'),
            payload_bytes: rejection.payload.length,
            issues: rejection.issues,
          });
          expect(JSON.stringify(letter).length).toBeLessThan(64 * 1024);
        }
        for (const reading of outcome.accepted) {
          accepted++;
          expect(reading.site).toBe(SITE);
          for (const point of toPoints(reading)) {
            const line = toLineProtocol(point);
            expect(schemaViolations(readLine(line))).toEqual([]);
            expect(point.timestampMs).toBeGreaterThan(NOW - 31 * 86_400_000);
            expect(point.timestampMs).toBeLessThanOrEqual(NOW + 300_000);
          }
        }
      }),
      fuzzOptions(1500),
    );
    // The generator must reach both sides, or the property proves little.
    expect(accepted).toBeGreaterThan(50);
    expect(rejected).toBeGreaterThan(500);
  });

  it('refuses oversized payloads by size before reading them', () => {
    for (const bytes of [MAX_PAYLOAD_BYTES + 1, 4 * 1024 * 1024]) {
      const payload = Buffer.alloc(bytes, '[');
      const outcome = validateMessage(`v1/${SITE}/gw-center/batch`, payload, context);
      expect(outcome.rejected.map((r) => r.code)).toEqual(['PAYLOAD_TOO_LARGE']);
    }
  });

  it('dead-letters a batch item nested 10 000 levels deep on its own, keeping the valid items', () => {
    const deep = '['.repeat(10_000) + ']'.repeat(10_000);
    const good = JSON.stringify({ device: 'clinic-power', ts: NOW, seq: 1, values: { voltage_v: 230 } });
    const payload = Buffer.from(`{"ts":${NOW},"telemetry":[${good},${deep}]}`);
    const outcome = validateMessage(`v1/${SITE}/gw-center/batch`, payload, context);
    expect(outcome.accepted).toHaveLength(1);
    expect(outcome.rejected.map((r) => r.code)).toEqual(['PAYLOAD_INVALID']);
  });

  it('keeps a dead letter small when a hostile key is 120 KiB long', () => {
    const key = 'K'.repeat(120 * 1024);
    const payload = Buffer.from(`{"ts":${NOW},"seq":1,"values":{"${key}":1},"${key}x":2}`);
    const [rejection] = validateMessage(
      `v1/${SITE}/gw-center/clinic-power/telemetry`,
      payload,
      context,
    ).rejected;
    expect(rejection?.code).toBe('PAYLOAD_INVALID');
    expect(JSON.stringify(rejection?.issues).length).toBeLessThan(4096);
  });
});
