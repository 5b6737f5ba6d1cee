import { describe, expect, it } from 'vitest';
import { batchMessageSchema, telemetryMessageSchema } from '../../contracts/index.js';
import { toLineProtocol, toPoints } from '../../ingest/index.js';
import { BENCH_GATEWAY, BENCH_SITE } from './bench-credentials.js';
import { CanonicalTelemetry } from './canonical-telemetry.js';

const BASE_TS = 1_700_000_000_000;

/** The line ingest writes for one reading of a device of the bench gateway, built the slow way. */
function ingestLine(telemetry: CanonicalTelemetry, deviceId: string, message: unknown): string {
  const device = telemetry.devices.find((d) => d.registered.device.id === deviceId);
  if (!device) throw new Error(`no device ${deviceId}`);
  const [point] = toPoints({
    kind: 'telemetry',
    site: BENCH_SITE,
    gateway: BENCH_GATEWAY,
    device: device.registered,
    message: telemetryMessageSchema.parse(message),
  });
  if (!point) throw new Error('no point');
  return toLineProtocol(point);
}

// The load generators cache their pieces per value cycle (97 readings); these cases run past
// several cycles, so a cache keyed wrongly (by device only, or by the wrong reading) shows up.
describe('CanonicalTelemetry', () => {
  it('builds ceiling lines from cached pieces exactly as ingest builds them', () => {
    const telemetry = new CanonicalTelemetry(BASE_TS);
    const total = telemetry.devices.length * 300;
    for (let n = 0; n < total; n++) expect(telemetry.fastLine(n)).toBe(telemetry.line(n));
  });

  it('publishes per-device messages that are valid JSON and become the ceiling line of the same number', () => {
    const telemetry = new CanonicalTelemetry(BASE_TS);
    const total = telemetry.devices.length * 200;
    for (let n = 0; n < total; n++) {
      const message = telemetry.telemetry();
      const parsed: unknown = JSON.parse(message.payload.toString());
      expect(JSON.stringify(parsed)).toBe(message.payload.toString());
      const device = message.topic.split('/')[3] as string;
      expect(ingestLine(telemetry, device, parsed)).toBe(telemetry.line(n));
    }
  });

  it('publishes batches of every device whose items become the ceiling lines of the same readings', () => {
    const telemetry = new CanonicalTelemetry(BASE_TS);
    const devices = telemetry.devices.length;
    for (let k = 0; k < 200; k++) {
      const message = telemetry.batch();
      expect(message.points).toBe(devices);
      const batch = batchMessageSchema.parse(JSON.parse(message.payload.toString()));
      expect(batch.ts).toBe(BASE_TS + k);
      expect(batch.telemetry).toHaveLength(devices);
      batch.telemetry.forEach(({ device, ...reading }, index) =>
        expect(ingestLine(telemetry, device, reading)).toBe(telemetry.line(k * devices + index)),
      );
    }
  });
});
