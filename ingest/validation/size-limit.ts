import { accept, reject, type StageResult } from './rejection.js';

/** First stage: refuse oversized payloads before spending CPU on parsing them. */
export function checkSize(payload: Buffer, maxBytes: number): StageResult<Buffer> {
  return payload.length <= maxBytes
    ? accept(payload)
    : reject('PAYLOAD_TOO_LARGE', `payload is ${payload.length} bytes, the limit is ${maxBytes}`, payload);
}
