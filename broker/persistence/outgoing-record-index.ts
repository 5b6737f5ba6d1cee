import type { AedesPacket } from 'aedes-packet';
import { replacesById } from './outgoing-queue.js';
import type { ResidentPayload } from './payload-budget.js';
import { SortedSlotIndex } from './sorted-slot-index.js';

/** One queued packet as the journal knows it: its record key and queue position never change. */
export interface QueuedRecord {
  readonly key: string;
  readonly seq: number;
  /** Of the packet first enqueued here: a replacement (a PUBREL) may carry another broker id, or none. */
  readonly brokerId: string | undefined;
  readonly brokerCounter: number | undefined;
  /** What the in-memory queue holds at this position; its brokerId, brokerCounter and messageId decide lookups. */
  packet: AedesPacket;
  /** Its payload's place in the RAM budget, until it is acknowledged or replaced. */
  payload?: ResidentPayload;
  /** A packet id of it has been handed to the journal (its `mid:` record may be on disk). */
  idJournalled?: boolean;
}

/**
 * One client's outgoing queue as journal records. It makes exactly the choices
 * OutgoingQueue makes (same lookups, same precedence, positions in queue order) but
 * says which record an update or a clear touched, which OutgoingQueue does not
 * reveal, so the journal changes the record memory changed.
 */
export class OutgoingRecordIndex {
  private readonly records = new Map<number, QueuedRecord>();
  private readonly byCounter = new Map<string | undefined, SortedSlotIndex<number | undefined>>();
  private readonly byMessageId = new SortedSlotIndex<number | undefined>();

  get size(): number {
    return this.records.size;
  }

  enqueue(record: QueuedRecord): void {
    this.records.set(record.seq, record);
    this.index(record);
  }

  /**
   * Mirrors OutgoingQueue.update: returns the record changed, and whether its packet was
   * replaced by another (a PUBREL), or undefined when none matches.
   */
  update(packet: AedesPacket): { record: QueuedRecord; replaced: boolean } | undefined {
    const sameMessage = this.byCounter.get(packet.brokerId)?.first(packet.brokerCounter);
    const sameId = replacesById(packet)
      ? this.byMessageId.firstWhere(
          packet.messageId,
          (seq) => this.records.get(seq)?.packet.brokerId !== packet.brokerId,
        )
      : undefined;
    if (sameMessage !== undefined && (sameId === undefined || sameMessage < sameId)) {
      const record = this.records.get(sameMessage) as QueuedRecord;
      this.byMessageId.remove(record.packet.messageId, record.seq);
      record.packet.messageId = packet.messageId;
      this.byMessageId.add(record.packet.messageId, record.seq);
      return { record, replaced: false };
    }
    if (sameId === undefined) return undefined;
    const record = this.records.get(sameId) as QueuedRecord;
    this.unindex(record);
    // A copy: memory holds this very object and updates its messageId itself.
    record.packet = { ...packet };
    this.index(record);
    return { record, replaced: true };
  }

  /** Mirrors OutgoingQueue.clear: removes and returns the earliest record with this messageId. */
  clear(messageId: number | undefined): QueuedRecord | undefined {
    const seq = this.byMessageId.first(messageId);
    if (seq === undefined) return undefined;
    const record = this.records.get(seq) as QueuedRecord;
    this.records.delete(seq);
    this.unindex(record);
    return record;
  }

  private index(record: QueuedRecord): void {
    let counters = this.byCounter.get(record.packet.brokerId);
    if (counters === undefined) {
      counters = new SortedSlotIndex<number | undefined>();
      this.byCounter.set(record.packet.brokerId, counters);
    }
    counters.add(record.packet.brokerCounter, record.seq);
    this.byMessageId.add(record.packet.messageId, record.seq);
  }

  private unindex(record: QueuedRecord): void {
    this.byCounter.get(record.packet.brokerId)?.remove(record.packet.brokerCounter, record.seq);
    this.byMessageId.remove(record.packet.messageId, record.seq);
  }
}
