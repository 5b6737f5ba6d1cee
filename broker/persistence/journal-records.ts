import { Packr } from 'msgpackr';
import { z } from 'zod';
import { payloadRefSchema } from './payload-log.js';

/*
 * What the journal keeps in LevelDB, one record per piece of session state:
 *   sub:{clientId}:{topic}                       a persistent client's subscription
 *   ret:{topic}                                  a retained message
 *   will:{clientId}                              a will
 *   out:{clientId}:{brokerId}:{brokerCounter}    a queued outgoing packet, as enqueued (or as the PUBREL that replaced it);
 *                                                its payload in the payload log (`payloadRef`), or inline when under
 *                                                LOGGED_PAYLOAD_MIN_BYTES (and in journals written before the log)
 *   mid:{clientId}:{brokerId}:{brokerCounter}    the packet id it was last sent with
 *   blk:{n}                                      queued outgoing packets, one client's, written in one batch (an array
 *                                                of what `out:` records hold; see record-blocks.ts)
 *   bdel:{n}                                     the indices of block n's records that are gone (sorts before `blk:`)
 *   mblk:{n}, mbdel:{n}                          the same for packet ids: `{key, messageId}`, key that of the message's
 *                                                `out:` record (whether it is in a block or not)
 * Journals written before blocks hold `out:` records; they still read, and go as their
 * messages are acknowledged. The packet id has a record of its own so that sending a
 * message does not write its payload a second time. Client ids are URI-encoded so ':'
 * separates fields. Values are msgpack; each carries everything replay needs, so keys
 * are parsed only for a block's number and to pair a `mid:` record with its message.
 */

/*
 * Plain msgpack (no msgpackr records or extensions), so journals written with
 * msgpack-lite before still read, and any msgpack tool can read these.
 */
const packr = new Packr({ useRecords: false, encodeUndefinedAsNil: true });

export const JOURNAL_PREFIXES = {
  subscription: 'sub:',
  retained: 'ret:',
  will: 'will:',
  outgoing: 'out:',
  messageId: 'mid:',
  block: 'blk:',
  blockGone: 'bdel:',
  messageIdBlock: 'mblk:',
  messageIdBlockGone: 'mbdel:',
} as const;

/** The key prefixes of one kind of block and its gone-lists (which must sort before the blocks). */
export interface BlockPrefixes {
  block: string;
  gone: string;
}
export const OUTGOING_BLOCKS: BlockPrefixes = {
  block: JOURNAL_PREFIXES.block,
  gone: JOURNAL_PREFIXES.blockGone,
};
export const MESSAGE_ID_BLOCKS: BlockPrefixes = {
  block: JOURNAL_PREFIXES.messageIdBlock,
  gone: JOURNAL_PREFIXES.messageIdBlockGone,
};

export const subscriptionKey = (clientId: string, topic: string) =>
  `${JOURNAL_PREFIXES.subscription}${encodeURIComponent(clientId)}:${topic}`;
export const retainedKey = (topic: string) => `${JOURNAL_PREFIXES.retained}${topic}`;
export const willKey = (clientId: string) => `${JOURNAL_PREFIXES.will}${encodeURIComponent(clientId)}`;
export const outgoingKey = (
  clientId: string,
  brokerId: string | undefined,
  brokerCounter: number | undefined,
) => `${JOURNAL_PREFIXES.outgoing}${encodeURIComponent(clientId)}:${brokerId}:${brokerCounter}`;

/** The `mid:` key of the message whose `out:` key is `outgoing`. */
export const messageIdKey = (outgoing: string) =>
  `${JOURNAL_PREFIXES.messageId}${outgoing.slice(JOURNAL_PREFIXES.outgoing.length)}`;

/** A packet's own fields (functions such as aedes' writeCallback, and undefined values, left out). */
const packetFieldsSchema = z.record(z.string(), z.unknown());
export type PacketFields = z.infer<typeof packetFieldsSchema>;

export const subscriptionRecordSchema = z.looseObject({
  clientId: z.string(),
  topic: z.string(),
  qos: z.number().int().min(0).max(2),
});
export type SubscriptionRecord = z.infer<typeof subscriptionRecordSchema>;

export const retainedRecordSchema = z.looseObject({ topic: z.string(), payload: z.instanceof(Buffer) });

export const willRecordSchema = z.object({ clientId: z.string(), packet: packetFieldsSchema });
export type WillRecord = z.infer<typeof willRecordSchema>;

export const outgoingRecordSchema = z.object({
  clientId: z.string(),
  /** Queue position: replay restores queue order from it (keys sort by broker id first). */
  seq: z.number().int().nonnegative(),
  brokerId: z.string().optional(),
  brokerCounter: z.number().optional(),
  packet: packetFieldsSchema,
  payloadRef: payloadRefSchema.optional(),
});
export type OutgoingRecord = z.infer<typeof outgoingRecordSchema>;

export const messageIdRecordSchema = z.object({ messageId: z.number().int() });
/** A packet id in a block: `key` is the `out:` key of its message. */
export const blockedMessageIdSchema = z.object({ key: z.string(), messageId: z.number().int() });

export function plainFields(value: object): PacketFields {
  const fields: PacketFields = {};
  // Not Object.entries: this runs for every queued message, and a pair array per field adds up.
  for (const name of Object.keys(value)) {
    const field = (value as Record<string, unknown>)[name];
    if (field !== undefined && typeof field !== 'function') fields[name] = field;
  }
  return fields;
}

export function encodeRecord(record: object): Buffer {
  return packr.pack(record);
}

/** msgpack has no undefined: absent stays absent, but a stored nil comes back as null. */
export function decodeRecord<T>(schema: z.ZodType<T>, key: string, value: Buffer): T {
  return parseRecord(schema, key, packr.unpack(value));
}

/** `where` names the record in the error: its key, or a block's key and the record's index. */
export function parseRecord<T>(schema: z.ZodType<T>, where: string, decoded: unknown): T {
  const parsed = schema.safeParse(decoded);
  if (!parsed.success)
    throw new Error(`session journal record ${where} is unreadable: ${parsed.error.message}`);
  return parsed.data;
}

export const blockSchema = z.array(z.unknown());
export const blockGoneSchema = z.array(z.number().int().nonnegative());
