import { gunzipSync, gzipSync } from 'node:zlib';

/**
 * How a batch payload may travel (docs/architecture.md, "Message contracts"): either the
 * batch's JSON as UTF-8, or that JSON compressed with gzip (RFC 1952). A batch repeats every
 * field name and device id in every reading, which gzip folds away; on a 4G uplink sold by the
 * megabyte that is most of the bill. Readers tell the two apart by gzip's two magic bytes,
 * which no JSON text starts with, so a gateway that compresses and one that does not can
 * share a broker and a consumer. Only batches may be compressed: single readings and events
 * are small, and an event must be readable by anything on the broker.
 */
export type BatchEncoding = 'gzip' | 'json';

const GZIP_MAGIC_0 = 0x1f;
const GZIP_MAGIC_1 = 0x8b;

export function isGzipPayload(payload: Uint8Array): boolean {
  return payload.length >= 2 && payload[0] === GZIP_MAGIC_0 && payload[1] === GZIP_MAGIC_1;
}

/** The payload a gateway publishes for a batch's JSON. */
export function encodeBatchPayload(json: string, encoding: BatchEncoding): Buffer {
  const bytes = Buffer.from(json, 'utf8');
  return encoding === 'gzip' ? gzipSync(bytes) : bytes;
}

export type DecodedBatchPayload =
  | { ok: true; json: Buffer; encoding: BatchEncoding }
  | { ok: false; code: 'PAYLOAD_NOT_DECODABLE' | 'PAYLOAD_TOO_LARGE'; reason: string };

/**
 * The batch's JSON bytes, whichever way it travelled. Decompression stops at `maxBytes`
 * of output: a few kilobytes of gzip can expand to gigabytes.
 */
export function decodeBatchPayload(payload: Buffer, maxBytes: number): DecodedBatchPayload {
  if (!isGzipPayload(payload)) return { ok: true, json: payload, encoding: 'json' };
  try {
    return { ok: true, json: gunzipSync(payload, { maxOutputLength: maxBytes }), encoding: 'gzip' };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE')
      return {
        ok: false,
        code: 'PAYLOAD_TOO_LARGE',
        reason: `gzip payload expands past ${maxBytes} bytes`,
      };
    return { ok: false, code: 'PAYLOAD_NOT_DECODABLE', reason: `gzip payload: ${(error as Error).message}` };
  }
}
