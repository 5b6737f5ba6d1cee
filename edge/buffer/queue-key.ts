/**
 * Buffer keys are 8-byte big-endian sequence numbers, so LevelDB's byte order is the
 * order messages were produced in, and a range read is a replay in order.
 */
export const KEY_BYTES = 8;

export function encodeKey(seq: bigint): Buffer {
  const key = Buffer.alloc(KEY_BYTES);
  key.writeBigUInt64BE(seq);
  return key;
}

export function decodeKey(key: Uint8Array): bigint {
  return Buffer.from(key.buffer, key.byteOffset, key.byteLength).readBigUInt64BE(0);
}

/** Topic and payload in one value: a topic never holds a newline. */
export function encodeEntry(topic: string, body: string): string {
  return `${topic}\n${body}`;
}

export function decodeEntry(value: string): { topic: string; body: string } {
  const cut = value.indexOf('\n');
  return { topic: value.slice(0, cut), body: value.slice(cut + 1) };
}
