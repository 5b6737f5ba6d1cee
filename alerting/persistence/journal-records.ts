import { z } from 'zod';
import { alertSchema, silenceSchema } from '../engine/alert-schema.js';
import { deliverySchema } from '../notify/delivery-schema.js';

/** One line of the journal. Replay is last-write-wins per id. */
export const journalRecordSchema = z.discriminatedUnion('t', [
  z.object({ t: z.literal('alert'), v: alertSchema }),
  z.object({ t: z.literal('alert-removed'), id: z.string() }),
  z.object({ t: z.literal('silence'), v: silenceSchema }),
  z.object({ t: z.literal('silence-removed'), id: z.string() }),
  z.object({ t: z.literal('delivery'), v: deliverySchema }),
  /** A one-tap link was used: refused from now until it expires (then dropped at compaction). */
  z.object({ t: z.literal('link-used'), nonce: z.string(), expiresAt: z.number(), at: z.number() }),
  /** An absence rule's evidence: when a device last sent what the rule waits for (rule|site|device). */
  z.object({ t: z.literal('evidence'), key: z.string(), at: z.number() }),
]);
export type JournalRecord = z.infer<typeof journalRecordSchema>;
