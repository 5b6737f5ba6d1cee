import type { VendorTopicMapping } from '../../devices/index.js';

export type ParsedVendorPayload =
  { ok: true; value: never } | { ok: false; reason: 'not_json' | 'schema'; detail: string };

const MAX_VENDOR_PAYLOAD_BYTES = 64 * 1024;

/** Parses a vendor payload (JSON or plain text, per the mapping) and validates it with the profile's schema. */
export function parseVendorPayload(mapping: VendorTopicMapping<never>, payload: Buffer): ParsedVendorPayload {
  if (payload.length > MAX_VENDOR_PAYLOAD_BYTES) {
    return { ok: false, reason: 'schema', detail: `payload of ${payload.length} bytes is too large` };
  }
  const text = payload.toString('utf8');
  let raw: unknown = text.trim();
  if ((mapping.format ?? 'json') === 'json') {
    try {
      raw = JSON.parse(text);
    } catch (error) {
      return { ok: false, reason: 'not_json', detail: (error as Error).message };
    }
  }
  const result = mapping.payload.safeParse(raw);
  if (!result.success) {
    return {
      ok: false,
      reason: 'schema',
      detail: result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; '),
    };
  }
  return { ok: true, value: result.data };
}
