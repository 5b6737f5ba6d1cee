import type { ClassicLevel } from 'classic-level';
import {
  decodeRecord,
  JOURNAL_PREFIXES,
  messageIdKey,
  messageIdRecordSchema,
  outgoingRecordSchema,
  retainedRecordSchema,
  subscriptionRecordSchema,
  willRecordSchema,
  type OutgoingRecord,
  type PacketFields,
  type SubscriptionRecord,
  type WillRecord,
} from './journal-records.js';
import { EVICTED_PAYLOAD } from './payload-budget.js';
import type { PayloadLog } from './payload-log.js';

/** Everything the journal holds, grouped for replay; outgoing records in queue order. */
export interface JournalContents {
  subscriptions: Map<string, SubscriptionRecord[]>;
  retained: PacketFields[];
  wills: WillRecord[];
  outgoing: OutgoingRecord[];
}

/**
 * Reads the whole journal once, at start-up, holding in `log` every payload a record
 * points to. Queued payloads past `payloadRamBytes` are left on disk (EVICTED_PAYLOAD in
 * their place), so a long queue does not fill RAM.
 */
export async function readJournal(
  db: ClassicLevel<string, Buffer>,
  log: PayloadLog,
  payloadRamBytes = Number.POSITIVE_INFINITY,
): Promise<JournalContents> {
  const contents: JournalContents = { subscriptions: new Map(), retained: [], wills: [], outgoing: [] };
  let payloadBytes = 0;
  // Packet ids by `mid:` key. Keys come in order, so every `mid:` record is read before any `out:` one.
  const sentWith = new Map<string, number>();
  for await (const [key, value] of db.iterator()) {
    if (key.startsWith(JOURNAL_PREFIXES.messageId)) {
      const { messageId } = decodeRecord(messageIdRecordSchema, key, value);
      sentWith.set(key, messageId);
    } else if (key.startsWith(JOURNAL_PREFIXES.outgoing)) {
      const record = decodeRecord(outgoingRecordSchema, key, value);
      const messageId = sentWith.get(messageIdKey(key));
      if (messageId !== undefined) record.packet['messageId'] = messageId;
      const { payloadRef } = record;
      if (payloadRef) {
        log.hold(payloadRef);
        payloadBytes += payloadRef.length;
        record.packet['payload'] =
          payloadBytes > payloadRamBytes ? EVICTED_PAYLOAD : await log.read(payloadRef);
      } else {
        const payload = record.packet['payload'];
        if (Buffer.isBuffer(payload)) {
          payloadBytes += payload.length;
          if (payloadBytes > payloadRamBytes) record.packet['payload'] = EVICTED_PAYLOAD;
        }
      }
      contents.outgoing.push(record);
    } else if (key.startsWith(JOURNAL_PREFIXES.subscription)) {
      const sub = decodeRecord(subscriptionRecordSchema, key, value);
      const subs = contents.subscriptions.get(sub.clientId);
      if (subs) subs.push(sub);
      else contents.subscriptions.set(sub.clientId, [sub]);
    } else if (key.startsWith(JOURNAL_PREFIXES.retained)) {
      contents.retained.push(decodeRecord(retainedRecordSchema, key, value));
    } else if (key.startsWith(JOURNAL_PREFIXES.will)) {
      contents.wills.push(decodeRecord(willRecordSchema, key, value));
    }
  }
  contents.outgoing.sort((a, b) => a.seq - b.seq);
  return contents;
}
