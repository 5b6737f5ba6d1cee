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

/**
 * Journal keys (gather-journal.ts) live above every queue key: one 0xff byte, then an
 * 8-byte big-endian chunk number. Queue reads stop below {@link QUEUE_KEY_END}; a queue
 * key would need a sequence of 0xff << 56 to reach it.
 */
export const QUEUE_KEY_END = Buffer.from([0xff]);

export function encodeJournalKey(chunk: bigint): Buffer {
  const key = Buffer.alloc(1 + KEY_BYTES);
  key[0] = 0xff;
  key.writeBigUInt64BE(chunk, 1);
  return key;
}

export function decodeJournalKey(key: Uint8Array): bigint {
  return Buffer.from(key.buffer, key.byteOffset, key.byteLength).readBigUInt64BE(1);
}
