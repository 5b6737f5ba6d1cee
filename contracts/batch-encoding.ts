import { brotliCompressSync, brotliDecompressSync, constants, gunzipSync, gzipSync } from 'node:zlib';

/**
 * How a batch payload may travel (docs/architecture.md, "Message contracts"): the batch's
 * JSON as UTF-8, that JSON compressed with gzip (RFC 1952), or compressed with brotli
 * (RFC 7932) behind the two ASCII bytes `br`. A batch repeats every field name and device
 * id in every reading, which compression folds away; on a 4G uplink sold by the megabyte
 * that is most of the bill, and brotli's built-in dictionary of common words takes about
 * a sixth more off a minute's batch than gzip. Readers tell the three apart by their first
 * bytes: gzip's magic `1f 8b`, the `br` a gateway puts before a brotli stream (which has no
 * magic of its own), and JSON, which starts with neither. So gateways of different ages
 * can share a broker and a consumer. Only batches may be compressed: single readings and
 * events are small, and an event must be readable by anything on the broker.
 */
export type BatchEncoding = 'brotli' | 'gzip' | 'json';

const GZIP_MAGIC_0 = 0x1f;
const GZIP_MAGIC_1 = 0x8b;
/** What a brotli batch starts with: no JSON text starts with a letter b, and gzip starts with 1f. */
export const BROTLI_BATCH_PREFIX = Buffer.from('br', 'ascii');

/**
 * Brotli at its best ratio (a minute's batch takes tens of milliseconds once a minute) with
 * a 64 KiB window: a batch is at most 64 KiB of JSON, and a small window keeps the
 * encoder's and decoder's memory small on a Pi-class gateway.
 */
const BROTLI_PARAMS = { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_LGWIN]: 16 };

export function isGzipPayload(payload: Uint8Array): boolean {
  return payload.length >= 2 && payload[0] === GZIP_MAGIC_0 && payload[1] === GZIP_MAGIC_1;
}

export function isBrotliPayload(payload: Uint8Array): boolean {
  return (
    payload.length >= 2 && payload[0] === BROTLI_BATCH_PREFIX[0] && payload[1] === BROTLI_BATCH_PREFIX[1]
  );
}

/** The payload a gateway publishes for a batch's JSON. */
export function encodeBatchPayload(json: string, encoding: BatchEncoding): Buffer {
  const bytes = Buffer.from(json, 'utf8');
  if (encoding === 'gzip') return gzipSync(bytes);
  if (encoding === 'brotli')
    return Buffer.concat([
      BROTLI_BATCH_PREFIX,
      brotliCompressSync(bytes, {
        params: { ...BROTLI_PARAMS, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length },
      }),
    ]);
  return bytes;
}

export type DecodedBatchPayload =
  | { ok: true; json: Buffer; encoding: BatchEncoding }
  | { ok: false; code: 'PAYLOAD_NOT_DECODABLE' | 'PAYLOAD_TOO_LARGE'; reason: string };

/**
 * The batch's JSON bytes, whichever way it travelled. Decompression stops at `maxBytes`
 * of output: a few kilobytes of gzip or brotli can expand to gigabytes.
 */
export function decodeBatchPayload(payload: Buffer, maxBytes: number): DecodedBatchPayload {
  const encoding: BatchEncoding = isGzipPayload(payload)
    ? 'gzip'
    : isBrotliPayload(payload)
      ? 'brotli'
      : 'json';
  if (encoding === 'json') return { ok: true, json: payload, encoding };
  try {
    const json =
      encoding === 'gzip'
        ? gunzipSync(payload, { maxOutputLength: maxBytes })
        : brotliDecompressSync(payload.subarray(BROTLI_BATCH_PREFIX.length), { maxOutputLength: maxBytes });
    return { ok: true, json, encoding };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE')
      return {
        ok: false,
        code: 'PAYLOAD_TOO_LARGE',
        reason: `${encoding} payload expands past ${maxBytes} bytes`,
      };
    return {
      ok: false,
      code: 'PAYLOAD_NOT_DECODABLE',
      reason: `${encoding} payload: ${(error as Error).message}`,
    };
  }
}
