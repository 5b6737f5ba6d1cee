import {
  batchMessageSchema,
  decodeBatchPayload,
  eventMessageSchema,
  parseTopic,
  statusMessageSchema,
  telemetryMessageSchema,
  type BatchMessage,
  type EventMessage,
  type StatusMessage,
  type TelemetryMessage,
} from '../../contracts/index.js';

export type CanonicalInput =
  | { kind: 'telemetry'; site: string; gateway: string; device: string; message: TelemetryMessage }
  | { kind: 'event'; site: string; gateway: string; device: string; message: EventMessage }
  | { kind: 'status'; site: string; gateway: string; message: StatusMessage }
  | { kind: 'batch'; site: string; gateway: string; message: BatchMessage };

export type DecodeResult =
  | { ok: true; input: CanonicalInput }
  | {
      ok: false;
      kind: string;
      reason: 'topic_invalid' | 'not_json' | 'not_decodable' | 'payload_invalid' | 'ignored';
    };

/** Largest payload read; ingest dead-letters larger ones, alerting just counts them. */
const MAX_PAYLOAD_BYTES = 1024 * 1024;

/** Validates a message against the contracts; invalid ones are counted and dropped (ingest dead-letters them). */
export function decodeCanonical(topic: string, payload: Buffer): DecodeResult {
  const parsed = parseTopic(topic);
  if (!parsed) return { ok: false, kind: 'unknown', reason: 'topic_invalid' };
  if (parsed.kind === 'health' || parsed.kind === 'alert')
    return { ok: false, kind: parsed.kind, reason: 'ignored' };
  if (payload.length > MAX_PAYLOAD_BYTES) return { ok: false, kind: parsed.kind, reason: 'payload_invalid' };
  // A batch may arrive gzip-compressed (contracts/batch-encoding.ts).
  const decoded =
    parsed.kind === 'batch' ? decodeBatchPayload(payload, MAX_PAYLOAD_BYTES) : { ok: true, json: payload };
  if (!decoded.ok) return { ok: false, kind: parsed.kind, reason: 'not_decodable' };
  let json: unknown;
  try {
    json = JSON.parse(decoded.json.toString('utf8'));
  } catch {
    return { ok: false, kind: parsed.kind, reason: 'not_json' };
  }
  const invalid = { ok: false, kind: parsed.kind, reason: 'payload_invalid' } as const;
  switch (parsed.kind) {
    case 'telemetry': {
      const result = telemetryMessageSchema.safeParse(json);
      return result.success ? { ok: true, input: { ...parsed, message: result.data } } : invalid;
    }
    case 'event': {
      const result = eventMessageSchema.safeParse(json);
      return result.success ? { ok: true, input: { ...parsed, message: result.data } } : invalid;
    }
    case 'status': {
      const result = statusMessageSchema.safeParse(json);
      return result.success ? { ok: true, input: { ...parsed, message: result.data } } : invalid;
    }
    case 'batch': {
      const result = batchMessageSchema.safeParse(json);
      return result.success ? { ok: true, input: { ...parsed, message: result.data } } : invalid;
    }
  }
}
