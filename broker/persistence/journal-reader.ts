import type { ClassicLevel } from 'classic-level';
import {
  blockedMessageIdSchema,
  blockGoneSchema,
  blockSchema,
  decodeRecord,
  MESSAGE_ID_BLOCKS,
  OUTGOING_BLOCKS,
  JOURNAL_PREFIXES,
  messageIdKey,
  messageIdRecordSchema,
  outgoingKey,
  outgoingRecordSchema,
  parseRecord,
  retainedRecordSchema,
  subscriptionRecordSchema,
  willRecordSchema,
  type BlockPrefixes,
  type OutgoingRecord,
  type PacketFields,
  type SubscriptionRecord,
  type WillRecord,
} from './journal-records.js';
import { EVICTED_PAYLOAD } from './payload-budget.js';
import type { PayloadLog } from './payload-log.js';
import type { RecordPlace, StoredBlock } from './record-blocks.js';

/** A queued outgoing packet as read back, where its record is, and where its packet id is (if on disk). */
export interface StoredOutgoing {
  record: OutgoingRecord;
  place: RecordPlace;
  idPlace?: RecordPlace;
}

/** One kind of block as read back, for RecordBlocks.restore. */
export interface BlocksRead {
  stored: StoredBlock[];
  /** Gone-lists whose block is not there (nothing writes one, but a new block must not inherit it). */
  orphans: number[];
}

/** Everything the journal holds, grouped for replay; outgoing records in queue order. */
export interface JournalContents {
  subscriptions: Map<string, SubscriptionRecord[]>;
  retained: PacketFields[];
  wills: WillRecord[];
  outgoing: StoredOutgoing[];
  outgoingBlocks: BlocksRead;
  messageIdBlocks: BlocksRead;
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
  const outgoingBlocks = new BlockReader(OUTGOING_BLOCKS);
  const messageIdBlocks = new BlockReader(MESSAGE_ID_BLOCKS);
  const contents: JournalContents = {
    subscriptions: new Map(),
    retained: [],
    wills: [],
    outgoing: [],
    outgoingBlocks: outgoingBlocks.read,
    messageIdBlocks: messageIdBlocks.read,
  };
  let payloadBytes = 0;
  // By the `mid:` key of their message.
  const sentWith = new Map<string, { messageId: number; place: RecordPlace }>();
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
      sentWith.set(key, { messageId, place: { ownKey: key } });
    } else if (messageIdBlocks.holds(key)) {
      for (const [fields, where, place] of messageIdBlocks.entries(key, value)) {
        const { key: outgoing, messageId } = parseRecord(blockedMessageIdSchema, where, fields);
        sentWith.set(messageIdKey(outgoing), { messageId, place });
      }
    } else if (outgoingBlocks.holds(key)) {
      for (const [fields, where, place] of outgoingBlocks.entries(key, value)) {
        await queue(parseRecord(outgoingRecordSchema, where, fields), place);
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
  outgoingBlocks.finish();
  messageIdBlocks.finish();
  // Blocks and ids sort in no useful order against `out:` records, so ids are paired once all is read.
  if (sentWith.size > 0) {
    for (const stored of contents.outgoing) {
      const { record, place } = stored;
      const key = place.ownKey ?? outgoingKey(record.clientId, record.brokerId, record.brokerCounter);
      const sent = sentWith.get(messageIdKey(key));
      if (sent === undefined) continue;
      record.packet['messageId'] = sent.messageId;
      stored.idPlace = sent.place;
    }
  }
  contents.outgoing.sort((a, b) => a.record.seq - b.record.seq);
  return contents;
}

/** One kind of block, read in key order: a block's gone-list sorts before the block. */
class BlockReader {
  readonly read: BlocksRead = { stored: [], orphans: [] };
  private readonly goneLists = new Map<number, number[]>();

  constructor(private readonly prefixes: BlockPrefixes) {}

  holds(key: string): boolean {
    return key.startsWith(this.prefixes.block) || key.startsWith(this.prefixes.gone);
  }

  /** A block's records still there, each with where it is (for errors) and its place; none for a gone-list. */
  entries(key: string, value: Buffer): [unknown, string, RecordPlace][] {
    if (key.startsWith(this.prefixes.gone)) {
      this.goneLists.set(this.numberOf(key, this.prefixes.gone), decodeRecord(blockGoneSchema, key, value));
      return [];
    }
    const block = this.numberOf(key, this.prefixes.block);
    const records = decodeRecord(blockSchema, key, value);
    const gone = this.goneLists.get(block) ?? [];
    this.goneLists.delete(block);
    this.read.stored.push({ block, size: records.length, gone });
    const isGone = new Set(gone);
    const entries: [unknown, string, RecordPlace][] = [];
    for (const [index, fields] of records.entries()) {
      if (!isGone.has(index)) entries.push([fields, `${key}[${index}]`, { block, index }]);
    }
    return entries;
  }

  finish(): void {
    this.read.orphans = [...this.goneLists.keys()];
  }

  private numberOf(key: string, prefix: string): number {
    const block = Number(key.slice(prefix.length));
    if (!Number.isSafeInteger(block) || block < 0)
      throw new Error(`session journal key ${key} is unreadable`);
    return block;
  }
}
