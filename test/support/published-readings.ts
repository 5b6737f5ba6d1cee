import { batchMessageSchema, decodeBatchPayload, parseTopic } from '../../contracts/index.js';

export interface PublishedReading {
  device: string;
  seq: number;
  kind: 'telemetry' | 'event';
}

/**
 * The device readings and events one gateway message carries, whether it went out on a
 * device's own topic or in a batch (the gateway's default); nothing for anything else.
 */
export function publishedReadings(topic: string, payload: Buffer): PublishedReading[] {
  const parsed = parseTopic(topic);
  if (parsed === undefined) return [];
  if (parsed.kind === 'telemetry' || parsed.kind === 'event') {
    const { seq } = JSON.parse(payload.toString()) as { seq: unknown };
    return typeof seq === 'number' ? [{ device: parsed.device, seq, kind: parsed.kind }] : [];
  }
  if (parsed.kind !== 'batch') return [];
  const decoded = decodeBatchPayload(payload, 16 * 1024 * 1024);
  if (!decoded.ok) throw new Error(`the gateway published a batch that does not decode: ${decoded.reason}`);
  const batch = batchMessageSchema.parse(JSON.parse(decoded.json.toString()));
  return [
    ...batch.telemetry.map(({ device, seq }) => ({ device, seq, kind: 'telemetry' as const })),
    ...batch.events.map(({ device, seq }) => ({ device, seq, kind: 'event' as const })),
  ];
}
