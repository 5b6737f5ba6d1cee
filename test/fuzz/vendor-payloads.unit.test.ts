import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { eventDataSchema, telemetryValuesSchema } from '../../contracts/index.js';
import { CATALOGUE, type MqttProfile, type VendorTopicMapping } from '../../devices/index.js';
import { fuzzOptions } from './support/fuzz-options.js';
import {
  hostileString,
  mutateEntries,
  randomBytes,
  renderObject,
  toBytes,
  valueToken,
  type Entries,
} from './support/hostile.js';

/**
 * The MQTT device profiles' payload schemas (Frigate, Hikvision, GST, emergency light)
 * and their mapping to canonical messages. The edge (edge/lan/vendor-payload.ts)
 * JSON-parses a payload of at most 64 KiB, or trims it for text topics, then calls the
 * schema; that is repeated here so the profiles are fuzzed as the edge uses them.
 */
const MAX_VENDOR_PAYLOAD_BYTES = 64 * 1024;

const mqttProfiles = CATALOGUE.filter((p): p is MqttProfile => p.protocol === 'mqtt');

/** Values a vendor payload really carries, so mutations start near the valid ones. */
const plausibleToken = fc.constantFrom(
  '"new"',
  '"update"',
  '"end"',
  '"FIRE"',
  '"FAULT"',
  '"DELAY"',
  '"SELF_TEST"',
  '"BATTERY_FAULT"',
  '"monthly"',
  '"annual"',
  '"pass"',
  '"fail"',
  '"person"',
  '"cam-1"',
  '"front_door"',
  '0',
  '1',
  '27',
  '1030',
  '0.9',
  '100',
  '36000',
  '1700000000.5',
  'null',
  '["zone_a","zone_b"]',
);

const KEYS = [
  'type',
  'before',
  'after',
  'id',
  'camera',
  'label',
  'score',
  'top_score',
  'start_time',
  'end_time',
  'current_zones',
  'minor',
  'door',
  'cardNo',
  'time',
  'event',
  'loop',
  'address',
  'device_type',
  'kind',
  'result',
  'duration_s',
  'battery_pct',
];

const objectEntries: fc.Arbitrary<Entries> = fc.array(
  fc.tuple(fc.constantFrom(...KEYS), fc.oneof({ arbitrary: plausibleToken, weight: 3 }, valueToken)),
  { maxLength: 8 },
);

const frigateObject = objectEntries.map(renderObject);
const vendorJson = fc.oneof(
  objectEntries.map((entries) => renderObject(entries)),
  fc
    .tuple(objectEntries, frigateObject, frigateObject)
    .map(([entries, after, before]) => renderObject([...entries, ['after', after], ['before', before]])),
  objectEntries.chain(mutateEntries).map(renderObject),
);

/** One valid payload per JSON topic pattern, the start of the mutations. */
const VALID: Readonly<Record<string, Entries>> = {
  'frigate/events': [
    ['type', '"new"'],
    [
      'after',
      renderObject([
        ['id', '"e1"'],
        ['camera', '"cam-1"'],
        ['label', '"person"'],
        ['score', '0.9'],
        ['current_zones', '["gate"]'],
      ]),
    ],
  ],
  'hikvision/{vendorId}/event': [
    ['minor', '27'],
    ['door', '1'],
    ['cardNo', '"123"'],
  ],
  'firepanel/{vendorId}/event': [
    ['event', '"FIRE"'],
    ['loop', '1'],
    ['address', '27'],
    ['device_type', '"smoke"'],
  ],
  'emlight/{vendorId}/event': [
    ['event', '"SELF_TEST"'],
    ['kind', '"monthly"'],
    ['result', '"pass"'],
    ['duration_s', '30'],
  ],
  'emlight/{vendorId}/status': [['battery_pct', '80']],
};

const nearValid = (pattern: string): fc.Arbitrary<Buffer> => {
  const valid = VALID[pattern] ?? [];
  return fc
    .oneof(fc.constant(valid), mutateEntries(valid), mutateEntries(valid).chain(mutateEntries))
    .map((entries) => toBytes(renderObject(entries)));
};

const vendorPayload = (pattern: string) =>
  fc.oneof(
    { arbitrary: nearValid(pattern), weight: 4 },
    { arbitrary: vendorJson.map(toBytes), weight: 6 },
    {
      arbitrary: fc.constantFrom('online', 'offline', 'ON', 'OFF', ' online\n', 'On', '').map(toBytes),
      weight: 1,
    },
    { arbitrary: hostileString.map(toBytes), weight: 1 },
    { arbitrary: valueToken.map(toBytes), weight: 1 },
    { arbitrary: randomBytes, weight: 1 },
  );

function parseAsEdge(mapping: VendorTopicMapping<never>, payload: Buffer): { ok: boolean; value?: unknown } {
  if (payload.length > MAX_VENDOR_PAYLOAD_BYTES) return { ok: false };
  const text = payload.toString('utf8');
  if ((mapping.format ?? 'json') === 'text') return { ok: true, value: text.trim() };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

describe('MQTT device profile payloads under hostile input', () => {
  for (const profile of mqttProfiles) {
    for (const mapping of profile.topics) {
      it(`${profile.id} ${mapping.pattern}: refuses cleanly or yields canonical output`, () => {
        let passed = 0;
        fc.assert(
          fc.property(
            vendorPayload(mapping.pattern),
            fc.constantFrom('cam-1', 'door+1', 'a/b', 'x y'),
            (payload, vendorId) => {
              const raw = parseAsEdge(mapping, payload);
              if (!raw.ok) return;
              const result = mapping.payload.safeParse(raw.value);
              if (!result.success) {
                expect(result.error.issues.length).toBeGreaterThan(0);
                return;
              }
              passed++;
              const named = mapping.vendorIdOf?.(result.data);
              expect(named === undefined || typeof named === 'string').toBe(true);
              const outputs = mapping.toCanonical(result.data, { vendorId, params: { vendorId } });
              for (const output of outputs) {
                if (output.kind === 'event') {
                  expect(profile.events).toContain(output.type);
                  expect(eventDataSchema.safeParse(output.data ?? {}).success).toBe(true);
                } else if (output.kind === 'telemetry') {
                  expect(telemetryValuesSchema.safeParse(output.values).success).toBe(true);
                  for (const field of Object.keys(output.values)) expect(profile.fields).toContain(field);
                }
              }
            },
          ),
          fuzzOptions(400),
        );
        // Each mapping must be reached with payloads it accepts, or the property proves little.
        expect(passed).toBeGreaterThan(0);
      });
    }
  }
});
