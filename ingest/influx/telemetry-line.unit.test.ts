import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RegisteredDevice } from '../../site/index.js';
import { demoSite, meters, NOW } from '../test/support/telemetry-arbitraries.js';
import type { ValidReading } from '../validation/validate-message.js';
import { toLineProtocol } from './line-protocol.js';
import { toPoint } from './map-points.js';
import { telemetryLine } from './telemetry-line.js';

type TelemetryReading = Extract<ValidReading, { kind: 'telemetry' }>;

/** The line, or the error message: the fast builder must throw exactly where the general one throws. */
function outcome(build: () => string): string {
  try {
    return build();
  } catch (error) {
    return `throws: ${(error as Error).message}`;
  }
}

/** Names the validation would never let through, to prove escaping and refusals are the same too. */
const nameArb = fc.oneof(
  { weight: 4, arbitrary: fc.stringMatching(/^[a-z][a-z0-9_-]{0,8}$/) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('a b', 'a,b', 'a=b', 'a\\b', 'a\nb', '', '#x', '\tx', 'time', '\uD800', '"q"'),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 6 }) },
);

const deviceArb: fc.Arbitrary<RegisteredDevice> = fc.oneof(
  fc.constantFrom(...meters),
  fc
    .record({
      base: fc.constantFrom(...meters),
      id: nameArb,
      zone: nameArb,
      building: nameArb,
      model: nameArb,
    })
    .map(({ base, id, zone, building, model }) => ({
      ...base,
      device: { ...base.device, id, zone, building },
      profile: { ...base.profile, id: model },
    })),
);

const readingArb: fc.Arbitrary<TelemetryReading> = fc.record({
  kind: fc.constant('telemetry' as const),
  site: fc.oneof(fc.constant(demoSite.siteId), nameArb),
  gateway: fc.oneof(fc.constant('gw-center'), nameArb),
  device: deviceArb,
  message: fc.record({
    ts: fc.oneof(fc.integer({ min: 1, max: NOW * 2 }), fc.double({ min: 1, max: 1e16 })),
    seq: fc.oneof(fc.nat(), fc.constantFrom(Number.MAX_SAFE_INTEGER, 2 ** 53, 1.5, -0)),
    values: fc.dictionary(
      fc.oneof(
        { weight: 5, arbitrary: fc.stringMatching(/^[a-z][a-z0-9_]{0,8}$/) },
        { weight: 1, arbitrary: nameArb },
      ),
      fc.oneof(
        { weight: 5, arbitrary: fc.double() },
        { weight: 1, arbitrary: fc.constantFrom(1e21, 1e-7, -0, 5e-324, Number.MAX_VALUE) },
      ),
      { maxKeys: 6 },
    ),
  }),
});

describe('telemetryLine', () => {
  it('writes what toLineProtocol(toPoint(reading)) writes, and refuses what it refuses', () => {
    let lines = 0;
    fc.assert(
      fc.property(readingArb, (reading) => {
        const expected = outcome(() => toLineProtocol(toPoint(reading)));
        if (!expected.startsWith('throws')) lines++;
        expect(outcome(() => telemetryLine(reading))).toBe(expected);
        // Again, now from the caches.
        expect(outcome(() => telemetryLine(reading))).toBe(expected);
      }),
      { numRuns: 3000, seed: 20_261_122 },
    );
    expect(lines).toBeGreaterThan(1000);
  });

  it('does not reuse a device’s cached series for another site or gateway', () => {
    const device = meters[0] as RegisteredDevice;
    const message = { ts: NOW, seq: 7, values: { voltage_v: 1 } };
    const first = telemetryLine({ kind: 'telemetry', site: 'a', gateway: 'g', device, message });
    const second = telemetryLine({ kind: 'telemetry', site: 'b', gateway: 'g', device, message });
    expect(first).toContain(',site=a,');
    expect(second).toContain(',site=b,');
  });
});
