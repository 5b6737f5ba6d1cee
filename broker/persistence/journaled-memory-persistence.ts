import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { Client, Subscription } from 'aedes';
import type { AedesPacket } from 'aedes-packet';
import type { ClassicLevel } from 'classic-level';
import { IndexedMemoryPersistence } from './indexed-memory-persistence.js';
import { readJournal, type StoredOutgoing } from './journal-reader.js';
import {
  blockSchema,
  decodeRecord,
  encodeRecord,
  MESSAGE_ID_BLOCKS,
  OUTGOING_BLOCKS,
  outgoingKey,
  outgoingRecordSchema,
  parseRecord,
  plainFields,
  retainedKey,
  subscriptionKey,
  willKey,
  type OutgoingRecord,
} from './journal-records.js';
import { JournalWriter, UNAWAITED_FLUSH_MS } from './journal-writer.js';
import type { QueuedPacket, QueueUpdate } from './outgoing-queue.js';
import { isEvicted, PayloadBudget, type QueueMemory } from './payload-budget.js';
import { PayloadLog } from './payload-log.js';
import type { RecordBlocks } from './record-blocks.js';
import type { QueuedRecord } from './queued-record.js';

const require = createRequire(import.meta.url);
const PacketCopy = require('aedes-packet') as new (packet: AedesPacket) => AedesPacket;
const { CallBackPersistence } = require('aedes-persistence/callBackPersistence.js') as {
  CallBackPersistence: new (factory: () => JournaledMemoryPersistence) => JournaledAedesPersistence;
};

const asClient = (id: string) => ({ id }) as Client;
/** Fields read back from the journal, in the shape they had when written. */
const asPacket = (fields: object) => fields as AedesPacket;

/**
 * The in-memory persistence (every read and match stays in memory) with each change
 * mirrored into a LevelDB journal, so sessions survive a restart or a kill -9. A queued
 * message is a record in a block of its client's messages (RecordBlocks), written in
 * group commits: its share of a block's put, and once acknowledged an index in the
 * block's gone-list, instead of ~7 LevelDB round trips. Queued payloads of LOGGED_PAYLOAD_MIN_BYTES
 * or more (a gateway's batch) go to an append-only PayloadLog in the journal's
 * `payloads/` folder, once per message however many sessions it is queued for, and the
 * records hold where they are; smaller ones (a single reading) stay in the record.
 *
 * What aedes acknowledges is on disk first: enqueues, subscriptions, retained messages
 * and wills resolve only once their batch is written (enqueues in call order, see
 * open-persistence.ts). Packet-id updates and clears are not awaited: losing them to a
 * crash only redelivers a message. The packet id a QoS 1 message was sent with is
 * journalled only if it is still unacknowledged after UNACKED_ID_DELAY_MS: most are
 * acknowledged sooner, and their id never reaches the disk. A QoS 2 id is journalled
 * at once (a resend under another id could deliver it twice). Incoming QoS 2 packets
 * are not journalled.
 *
 * RAM: queued payloads stay in memory up to `payloadRamBytes` (PayloadBudget); older
 * ones are read back from the journal when the queue is resent. A consumer that is away
 * then costs the queue's bookkeeping per message, not what the messages carry.
 */
export class JournaledMemoryPersistence extends IndexedMemoryPersistence<QueuedRecord> {
  private readonly writer: JournalWriter;
  private readonly log: PayloadLog;
  private readonly budget: PayloadBudget;
  private readonly subscribedTopics = new Map<string, Set<string>>();
  /** QoS 1 messages sent but not yet acknowledged, whose packet id is not journalled yet. */
  private readonly idsToJournal = new Map<QueuedRecord, string>();
  private readonly outgoingBlocks: RecordBlocks;
  private readonly idBlocks: RecordBlocks;
  private idTimer: NodeJS.Timeout | undefined;
  private nextSeq = 0;
  private enqueuesDone: Promise<void> = Promise.resolve();
  private setupBroker: unknown;

  constructor(
    private readonly db: ClassicLevel<string, Buffer>,
    private readonly options: JournaledPersistenceOptions = {},
  ) {
    super();
    this.log = new PayloadLog(join(db.location, PAYLOADS_FOLDER), options.segmentBytes);
    this.writer = new JournalWriter(db, UNAWAITED_FLUSH_MS, {
      cut: () => this.log.takePending(),
      written: () => this.log.batchWritten(),
    });
    this.outgoingBlocks = this.writer.blocks(OUTGOING_BLOCKS);
    this.idBlocks = this.writer.blocks(MESSAGE_ID_BLOCKS);
    this.budget = new PayloadBudget(this.payloadRamBytes);
  }

  /** Clients with stored subscriptions: the persistent sessions that collect messages. */
  get subscribedClientIds(): string[] {
    return [...this.subscribedTopics.keys()];
  }

  get queueMemory(): QueueMemory {
    return { payloadBytes: this.budget.bytes, payloadsOnDiskOnly: this.budget.evicted };
  }

  private get payloadRamBytes(): number {
    return this.options.payloadRamBytes ?? DEFAULT_PAYLOAD_RAM_BYTES;
  }

  /** Replays the journal through the parent's own methods, so its indexes are built, then sets up. */
  override async setup(broker: unknown): Promise<void> {
    this.setupBroker = broker;
    this.log.open();
    const journal = await readJournal(this.db, this.log, this.payloadRamBytes);
    this.log.pruneUnreferenced();
    this.outgoingBlocks.restore(journal.outgoingBlocks.stored, journal.outgoingBlocks.orphans);
    this.idBlocks.restore(journal.messageIdBlocks.stored, journal.messageIdBlocks.orphans);
    for (const [clientId, subs] of journal.subscriptions) {
      await super.addSubscriptions(asClient(clientId), subs as Subscription[]);
      this.subscribedTopics.set(clientId, new Set(subs.map((sub) => sub.topic)));
    }
    for (const packet of journal.retained) await super.storeRetained(asPacket(packet));
    for (const stored of journal.outgoing) this.replayOutgoing(stored);
    this.nextSeq = (journal.outgoing.at(-1)?.record.seq ?? -1) + 1;
    this.budget.written(this.nextSeq - 1);
    await super.setup(broker);
    for (const will of journal.wills) {
      const packet = asPacket(will.packet);
      const brokerId = packet.brokerId;
      await super.putWill(asClient(will.clientId), packet);
      // putWill stamps this broker's id on the object it keeps; a will left by the
      // broker that died must keep that broker's id, or aedes never publishes it.
      packet.brokerId = brokerId;
    }
  }

  /** Known from the start of setup() on, as upstream's is (the abstract suite reads it at once). */
  get broker(): unknown {
    return this.setupBroker;
  }

  override async addSubscriptions(client: Client, subs: Subscription[]): Promise<void> {
    const stored = super.addSubscriptions(client, subs);
    const topics = this.topicsOf(client.id);
    for (const sub of subs) {
      topics.add(sub.topic);
      const record = plainFields({ ...sub, clientId: client.id });
      this.writer.put(subscriptionKey(client.id, sub.topic), () => encodeRecord(record));
    }
    await Promise.all([stored, this.writer.committed()]);
  }

  override async removeSubscriptions(client: Client, topics: string[]): Promise<void> {
    const removed = super.removeSubscriptions(client, topics);
    this.forgetTopics(client.id, topics);
    await Promise.all([removed, this.writer.committed()]);
  }

  override async cleanSubscriptions(client: Client): Promise<void> {
    const cleaned = super.cleanSubscriptions(client);
    this.forgetTopics(client.id, [...(this.subscribedTopics.get(client.id) ?? [])]);
    await Promise.all([cleaned, this.writer.committed()]);
  }

  override async storeRetained(packet: AedesPacket): Promise<void> {
    const stored = super.storeRetained(packet);
    const { topic, payload } = packet as AedesPacket & { topic: string; payload: Buffer };
    if (payload.length === 0) this.writer.del(retainedKey(topic));
    else {
      const record = plainFields(packet);
      this.writer.put(retainedKey(topic), () => encodeRecord(record));
    }
    await Promise.all([stored, this.writer.committed()]);
  }

  override async putWill(client: Client, packet: AedesPacket): Promise<void> {
    // The parent stamps brokerId and clientId on the packet before its promise settles.
    const stored = super.putWill(client, packet);
    const record = { clientId: client.id, packet: plainFields(packet) };
    this.writer.put(willKey(client.id), () => encodeRecord(record));
    await Promise.all([stored, this.writer.committed()]);
  }

  override delWill(client: Client): ReturnType<IndexedMemoryPersistence['delWill']> {
    const deleted = super.delWill(client);
    this.writer.del(willKey(client.id));
    return deleted;
  }

  override outgoingEnqueue(sub: { clientId: string }, packet: AedesPacket): Promise<void> {
    return this.outgoingEnqueueCombi([sub], packet);
  }

  /** Resolves in call order, once its records are written (even with no subscriber: see open-persistence.ts). */
  override async outgoingEnqueueCombi(subs: { clientId: string }[], packet: AedesPacket): Promise<void> {
    const payload = payloadOf(packet);
    // Written once, held by every session's record.
    const payloadRef =
      subs.length > 0 && Buffer.isBuffer(payload) && payload.length >= LOGGED_PAYLOAD_MIN_BYTES
        ? this.log.append(payload)
        : undefined;
    for (const [i, sub] of subs.entries()) {
      const seq = this.nextSeq++;
      const inQueue = new PacketCopy(packet);
      const record = newRecord(sub.clientId, new PacketCopy(packet), seq);
      this.enqueueOwned(sub.clientId, inQueue, record);
      record.payload = this.budget.add(seq, [inQueue, record.packet]);
      if (payloadRef) {
        if (i > 0) this.log.hold(payloadRef);
        record.payloadRef = payloadRef;
      }
      this.writeOutgoing(sub.clientId, record, payloadOf(record.packet));
    }
    const lastSeq = this.nextSeq - 1;
    const done = Promise.all([this.enqueuesDone, this.writer.committed()]);
    this.enqueuesDone = done.then(
      () => this.budget.written(lastSeq),
      () => undefined,
    );
    await done;
  }

  protected override queuedPacketUpdated(
    clientId: string,
    packet: AedesPacket,
    { tag: record, replaced }: QueueUpdate<QueuedRecord>,
  ): void {
    if (record === undefined) return;
    mirrorUpdate(record, packet, replaced);
    if (!replaced) {
      // The record on disk keeps its payload (also when RAM has let go of it): only the id is new.
      if ((record.packet as { qos?: number }).qos === 2) this.journalId(record, clientId);
      else this.journalIdLater(record, clientId);
      return;
    }
    // A PUBREL took the PUBLISH's place: its payload left the queue, and it carries its own id.
    if (record.payload) {
      this.budget.release(record.payload);
      record.payload = undefined;
    }
    this.releasePayload(record);
    this.forgetId(record);
    this.writeOutgoing(clientId, record, payloadOf(record.packet));
  }

  protected override queuedPacketCleared(
    _clientId: string,
    { tag: record }: QueuedPacket<QueuedRecord>,
  ): void {
    if (record === undefined) return;
    this.writer.delGrouped(this.outgoingBlocks, record);
    this.forgetId(record);
    this.releasePayload(record);
    if (record.payload) this.budget.release(record.payload);
  }

  /** The queue in order, with payloads no longer in RAM read back from the journal. */
  override outgoingStream(client: Client): Readable {
    return Readable.from(this.withPayloads(this.queuedTaggedPackets(client.id)));
  }

  /** Writes what is pending, then closes the database. */
  override async destroy(): Promise<void> {
    try {
      this.journalPendingIds();
      await this.writer.drain();
    } finally {
      await super.destroy();
      await this.db.close();
      await this.log.close();
    }
  }

  private releasePayload(record: QueuedRecord): void {
    if (record.payloadRef === undefined) return;
    this.log.release(record.payloadRef);
    record.payloadRef = undefined;
  }

  /** Into the client's next block of ids, with the id the record has when the batch is cut. */
  private journalId(record: QueuedRecord, clientId: string): void {
    const place = (record.idPlace ??= {});
    this.writer.putGrouped(this.idBlocks, place, clientId, () => ({
      key: record.key,
      messageId: record.packet.messageId,
    }));
  }

  private journalIdLater(record: QueuedRecord, clientId: string): void {
    this.idsToJournal.set(record, clientId);
    this.idTimer ??= setTimeout(
      () => this.journalPendingIds(),
      this.options.unackedIdDelayMs ?? UNACKED_ID_DELAY_MS,
    ).unref();
  }

  private journalPendingIds(): void {
    if (this.idTimer) clearTimeout(this.idTimer);
    this.idTimer = undefined;
    for (const [record, clientId] of this.idsToJournal) this.journalId(record, clientId);
    this.idsToJournal.clear();
  }

  /** The message left the queue or became a PUBREL: its id is not needed on disk any more. */
  private forgetId(record: QueuedRecord): void {
    this.idsToJournal.delete(record);
    if (record.idPlace === undefined) return;
    this.writer.delGrouped(this.idBlocks, record.idPlace);
    record.idPlace = undefined;
  }

  private async *withPayloads(queued: QueuedPacket<QueuedRecord>[]): AsyncGenerator<AedesPacket> {
    // Evicted messages come in queue order, so most are in the block read just before.
    const lastBlock: BlockRead = {};
    for (const { packet, tag: record } of queued) {
      if (!isEvicted(packet) || record === undefined) {
        yield packet;
        continue;
      }
      const stored = await this.readOutgoing(record, lastBlock);
      // Gone: acknowledged while the stream was being read.
      if (stored === undefined) continue;
      const copy = new PacketCopy(packet);
      copy.messageId = packet.messageId;
      (copy as { payload?: unknown }).payload = stored.payloadRef
        ? await this.log.read(stored.payloadRef)
        : stored.packet['payload'];
      yield copy;
    }
  }

  /**
   * Undefined once it is acknowledged (its block may be gone). A block is written once and
   * never changed, so `lastBlock` keeps the one decoded last for the records after it.
   */
  private async readOutgoing(
    record: QueuedRecord,
    lastBlock: BlockRead,
  ): Promise<OutgoingRecord | undefined> {
    const where = this.outgoingBlocks.locate(record);
    if (where === undefined) return undefined;
    const { key, index } = where;
    if (index === undefined || lastBlock.key !== key) {
      const value = await this.db.get(key).catch((error: { code?: string }) => {
        if (error.code === 'LEVEL_NOT_FOUND') return undefined;
        throw error;
      });
      if (value === undefined) return undefined;
      if (index === undefined) return decodeRecord(outgoingRecordSchema, key, value);
      lastBlock.key = key;
      lastBlock.records = decodeRecord(blockSchema, key, value);
    }
    return parseRecord(outgoingRecordSchema, `${key}[${index}]`, lastBlock.records?.[index]);
  }

  /**
   * Encoded when its batch is written, in the record's state then: a record only moves
   * forward, and each later change writes it again after this, so disk never goes back.
   * A payload in the log is referred to; a small one is taken now, as RAM may let go of
   * it before the batch is cut.
   */
  private writeOutgoing(clientId: string, record: QueuedRecord, payload: unknown): void {
    const { payloadRef } = record;
    this.writer.putGrouped(this.outgoingBlocks, record, clientId, () => {
      const packet = plainFields(record.packet);
      if (payloadRef !== undefined || payload === undefined) delete packet['payload'];
      else packet['payload'] = payload;
      const value: OutgoingRecord = { clientId, seq: record.seq, packet };
      if (payloadRef !== undefined) value.payloadRef = payloadRef;
      if (record.brokerId !== undefined) value.brokerId = record.brokerId;
      if (record.brokerCounter !== undefined) value.brokerCounter = record.brokerCounter;
      return value;
    });
  }

  /**
   * Enqueued under the key's broker id and counter (unique per client), then given its
   * packet id by an update on them: memory and the record index end in the same state.
   */
  private replayOutgoing({ record: stored, place, idPlace }: StoredOutgoing): void {
    const packet = {
      ...stored.packet,
      brokerId: stored.brokerId,
      brokerCounter: stored.brokerCounter,
    } as AedesPacket;
    const inQueue = new PacketCopy(packet);
    const record: QueuedRecord = {
      ...newRecord(stored.clientId, new PacketCopy(packet), stored.seq),
      ...place,
    };
    if (stored.payloadRef) record.payloadRef = stored.payloadRef;
    this.enqueueOwned(stored.clientId, inQueue, record);
    record.payload = isEvicted(inQueue)
      ? this.budget.addEvicted(stored.seq)
      : this.budget.add(stored.seq, [inQueue, record.packet]);
    const messageId = stored.packet['messageId'];
    if (typeof messageId !== 'number') return;
    // Undefined for an id inside the record (journals before `mid:` records): nothing of its own to delete.
    if (idPlace) record.idPlace = idPlace;
    const update = {
      brokerId: record.brokerId,
      brokerCounter: record.brokerCounter,
      messageId,
    } as AedesPacket;
    // Straight to the queue: the id is on disk already, so the journal has nothing to write.
    const change = this.updateQueued(stored.clientId, update);
    if (change?.tag) mirrorUpdate(change.tag, update, change.replaced);
  }

  private topicsOf(clientId: string): Set<string> {
    let topics = this.subscribedTopics.get(clientId);
    if (topics === undefined) this.subscribedTopics.set(clientId, (topics = new Set()));
    return topics;
  }

  private forgetTopics(clientId: string, topics: string[]): void {
    const subscribed = this.subscribedTopics.get(clientId);
    for (const topic of topics) {
      subscribed?.delete(topic);
      this.writer.del(subscriptionKey(clientId, topic));
    }
    if (subscribed?.size === 0) this.subscribedTopics.delete(clientId);
  }
}

/** The block of queued records decoded last while a queue is resent. */
interface BlockRead {
  key?: string;
  records?: unknown[];
}

/** The record follows its queue entry: a new packet id, or the packet that replaced it. */
function mirrorUpdate(record: QueuedRecord, packet: AedesPacket, replaced: boolean): void {
  // A copy: memory holds this very object and aedes goes on changing it.
  if (replaced) record.packet = { ...packet };
  else record.packet.messageId = packet.messageId;
}

function newRecord(clientId: string, copy: AedesPacket, seq: number): QueuedRecord {
  const { brokerId, brokerCounter } = copy;
  return { key: outgoingKey(clientId, brokerId, brokerCounter), seq, brokerId, brokerCounter, packet: copy };
}

export interface JournaledPersistenceOptions {
  /** Queued payloads kept in RAM, in bytes (DEFAULT_PAYLOAD_RAM_BYTES); older ones are read from disk. */
  payloadRamBytes?: number;
  /** UNACKED_ID_DELAY_MS unless given (tests). */
  unackedIdDelayMs?: number;
  /** Size at which the payload log starts a new segment (DEFAULT_SEGMENT_BYTES unless given: tests). */
  segmentBytes?: number;
}

/**
 * Below this a payload is written inside its record: LevelDB's cost for a value is
 * mostly per record up to about this size, and a separate append would only add to it.
 */
export const LOGGED_PAYLOAD_MIN_BYTES = 1024;

/** Inside the LevelDB folder, which LevelDB leaves alone (it only touches names of its own). */
export const PAYLOADS_FOLDER = 'payloads';

export const DEFAULT_PAYLOAD_RAM_BYTES = 64 * 1024 * 1024;

/**
 * How long a sent QoS 1 message may stay unacknowledged before the id it was sent with
 * is journalled. Ingest acknowledges once InfluxDB has its batch (well under a second);
 * a crash before then resends such a message under a new id, which QoS 1 allows to
 * be delivered again.
 */
export const UNACKED_ID_DELAY_MS = 1000;

function payloadOf(packet: AedesPacket): unknown {
  return (packet as { payload?: unknown }).payload;
}

/** What `Aedes.createBroker({ persistence })` takes; `destroy()` writes what is pending and closes `db`. */
export interface JournaledAedesPersistence {
  destroy(): Promise<void>;
  readonly asyncPersistence: JournaledMemoryPersistence;
}

/** The journaled persistence on an opened (or opening) database, in the wrapper aedes takes. */
export function createJournaledPersistence(
  db: ClassicLevel<string, Buffer>,
  options: JournaledPersistenceOptions = {},
): JournaledAedesPersistence {
  return new CallBackPersistence(() => new JournaledMemoryPersistence(db, options));
}
