import { Redis } from 'ioredis';
import { unpack } from 'msgpackr';
import { publishedReadings } from '../../support/index.js';

/** What a broker on Redis still holds queued for one persistent client. */
export interface QueuedReadings {
  /** Entries in the client's queue: messages not yet acknowledged by it. */
  entries: number;
  /** Entries whose message is gone from the store. */
  orphans: number;
  /** device → seqs carried by the queued messages. */
  seqs: Map<string, Set<number>>;
}

/**
 * Reads a persistent client's queue as aedes-persistence-redis keeps it: a list
 * `outgoing:{clientId}` of packet keys, each packet msgpack-encoded under its key. For
 * a test's diagnostics only (the broker reads it through the library).
 */
export async function queuedReadings(redisUrl: string, clientId: string): Promise<QueuedReadings> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    const keys = await redis.lrange(`outgoing:${encodeURIComponent(clientId)}`, 0, -1);
    const queued: QueuedReadings = { entries: keys.length, orphans: 0, seqs: new Map() };
    for (const key of keys) {
      const stored = await redis.getBuffer(key);
      if (!stored) {
        queued.orphans++;
        continue;
      }
      const packet = unpack(stored) as { topic: string; payload: Buffer };
      for (const { device, seq } of publishedReadings(packet.topic, Buffer.from(packet.payload))) {
        let seqs = queued.seqs.get(device);
        if (!seqs) queued.seqs.set(device, (seqs = new Set()));
        seqs.add(seq);
      }
    }
    return queued;
  } finally {
    redis.disconnect();
  }
}
