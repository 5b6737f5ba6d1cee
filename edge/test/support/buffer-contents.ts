import { join } from 'node:path';
import { ClassicLevel } from 'classic-level';
import { telemetryMessageSchema } from '../../../contracts/index.js';
import { decodeEntry } from '../../buffer/queue-key.js';

/** Telemetry seqs per device still held in a (closed) gateway's disk buffer. */
export async function bufferedSeqs(dataDir: string): Promise<Map<string, Set<number>>> {
  const db = new ClassicLevel<Buffer, string>(join(dataDir, 'buffer'), {
    keyEncoding: 'buffer',
    valueEncoding: 'utf8',
  });
  const result = new Map<string, Set<number>>();
  try {
    for await (const value of db.values()) {
      const { topic, body } = decodeEntry(value);
      if (!topic.endsWith('/telemetry')) continue;
      const device = topic.split('/')[3] as string;
      if (!result.has(device)) result.set(device, new Set());
      result.get(device)!.add(telemetryMessageSchema.parse(JSON.parse(body)).seq);
    }
  } finally {
    await db.close();
  }
  return result;
}
