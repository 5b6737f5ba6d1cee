import type { ClassicLevel } from 'classic-level';
import {
  blockGoneSchema,
  blockSchema,
  decodeRecord,
  JOURNAL_PREFIXES,
  messageIdKey,
  messageIdRecordSchema,
  outgoingKey,
  outgoingRecordSchema,
  parseRecord,
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
import type { RecordPlace, StoredBlock } from './record-blocks.js';

/** A queued outgoing packet as read back, and where its record is. */
export interface StoredOutgoing {
  record: OutgoingRecord;
  place: RecordPlace;
}

/** Everything the journal holds, grouped for replay; outgoing records in queue order. */
export interface JournalContents {
  subscriptions: Map<string, SubscriptionRecord[]>;
  retained: PacketFields[];
  wills: WillRecord[];
  outgoing: StoredOutgoing[];
  blocks: StoredBlock[];
  /** Gone-lists whose block is not there (nothing writes one, but a new block must not inherit it). */
  orphanGoneLists: number[];
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
  const contents: JournalContents = {
    subscriptions: new Map(),
    retained: [],
    wills: [],
    outgoing: [],
    blocks: [],
    orphanGoneLists: [],
  };
  let payloadBytes = 0;
  const sentWith = new Map<string, number>();
  // By block; keys come in order, so a block's gone-list (`bdel:`) is read before the block.
  const goneLists = new Map<number, number[]>();
  const queue = async (record: OutgoingRecord, place: RecordPlace) => {
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
    contents.outgoing.push({ record, place });
  };
  for await (const [key, value] of db.iterator()) {
    if (key.startsWith(JOURNAL_PREFIXES.messageId)) {
      const { messageId } = decodeRecord(messageIdRecordSchema, key, value);
      sentWith.set(key, messageId);
    } else if (key.startsWith(JOURNAL_PREFIXES.blockGone)) {
      goneLists.set(blockNumber(key, JOURNAL_PREFIXES.blockGone), decodeRecord(blockGoneSchema, key, value));
    } else if (key.startsWith(JOURNAL_PREFIXES.block)) {
      const block = blockNumber(key, JOURNAL_PREFIXES.block);
      const records = decodeRecord(blockSchema, key, value);
      const gone = goneLists.get(block) ?? [];
      goneLists.delete(block);
      contents.blocks.push({ block, size: records.length, gone });
      const isGone = new Set(gone);
      for (const [index, fields] of records.entries()) {
        if (isGone.has(index)) continue;
        await queue(parseRecord(outgoingRecordSchema, `${key}[${index}]`, fields), { block, index });
      }
    } else if (key.startsWith(JOURNAL_PREFIXES.outgoing)) {
      await queue(decodeRecord(outgoingRecordSchema, key, value), { ownKey: key });
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
  contents.orphanGoneLists = [...goneLists.keys()];
  // Blocks sort before `mid:` records, so ids are paired once everything is read.
  for (const { record, place } of contents.outgoing) {
    const key = place.ownKey ?? outgoingKey(record.clientId, record.brokerId, record.brokerCounter);
    const messageId = sentWith.get(messageIdKey(key));
    if (messageId !== undefined) record.packet['messageId'] = messageId;
  }
  contents.outgoing.sort((a, b) => a.record.seq - b.record.seq);
  return contents;
}

function blockNumber(key: string, prefix: string): number {
  const block = Number(key.slice(prefix.length));
  if (!Number.isSafeInteger(block) || block < 0) throw new Error(`session journal key ${key} is unreadable`);
  return block;
}
