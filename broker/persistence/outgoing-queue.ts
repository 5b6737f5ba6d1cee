import type { AedesPacket } from 'aedes-packet';
import { SortedSlotIndex } from './sorted-slot-index.js';

/** A queued packet and what its owner attached to it when it was enqueued. */
export interface QueuedPacket<Tag> {
  /** Replaced when a PUBREL takes the place of a PUBLISH; the tag stays. */
  packet: AedesPacket;
  readonly tag: Tag | undefined;
}

/** What an update did to the queue: which entry it changed, and whether it replaced its packet. */
export interface QueueUpdate<Tag> {
  readonly tag: Tag | undefined;
  readonly replaced: boolean;
}

/**
 * One client's queue of outgoing QoS 1/2 packets not yet acknowledged, with the exact
 * lookup semantics of aedes-persistence's memory queue (an array searched from the
 * front, see indexed-memory-persistence.ts) but indexed: every packet sits in a slot
 * numbered in queue order, found by brokerId + brokerCounter or by messageId in O(1)
 * (amortised) instead of a scan over everything still unacknowledged. Each packet may
 * carry a tag, which updates and clears hand back, so an owner that mirrors the queue
 * elsewhere (the session journal) learns which entry changed without a second index.
 */
export class OutgoingQueue<Tag = never> {
  /** slot -> entry; a Map iterates in insertion order, which is the queue order. */
  private readonly entries = new Map<number, QueuedPacket<Tag>>();
  private readonly byCounter = new Map<string | undefined, SortedSlotIndex<number | undefined>>();
  private readonly byMessageId = new SortedSlotIndex<number | undefined>();
  private nextSlot = 0;

  get size(): number {
    return this.entries.size;
  }

  enqueue(packet: AedesPacket, tag?: Tag): void {
    const slot = this.nextSlot++;
    this.entries.set(slot, { packet, tag });
    this.index(slot, packet);
  }

  /**
   * The earliest packet that is either the same message (brokerId and brokerCounter)
   * — it gets the new messageId — or, for a PUBREL after a PUBREC, one from another
   * broker id holding the same messageId — it is replaced by `packet` in place.
   * Returns undefined when there is none.
   *
   * Unlike upstream, a PUBLISH never replaces another packet, and never shares a packet
   * id with another queued packet: `packet.messageId` is moved on to a free id first (aedes
   * writes this very object). After a reconnect aedes draws new ids from a random start
   * while messages queued before keep theirs ([MQTT-4.4.0-1]); a live message that drew
   * one of those took the older message's place (upstream) or had its PUBACK clear the
   * older message, which then was never resent.
   */
  update(packet: AedesPacket): QueueUpdate<Tag> | undefined {
    const sameMessage = this.byCounter.get(packet.brokerId)?.first(packet.brokerCounter);
    const sameId = replacesById(packet)
      ? this.byMessageId.firstWhere(
          packet.messageId,
          (slot) => this.entries.get(slot)?.packet.brokerId !== packet.brokerId,
        )
      : undefined;
    if (sameMessage !== undefined && (sameId === undefined || sameMessage < sameId)) {
      const entry = this.entries.get(sameMessage) as QueuedPacket<Tag>;
      if (!replacesById(packet)) packet.messageId = this.freeId(packet.messageId, sameMessage);
      this.byMessageId.remove(entry.packet.messageId, sameMessage);
      entry.packet.messageId = packet.messageId;
      this.byMessageId.add(entry.packet.messageId, sameMessage);
      return { tag: entry.tag, replaced: false };
    }
    if (sameId !== undefined) {
      const entry = this.entries.get(sameId) as QueuedPacket<Tag>;
      this.unindex(sameId, entry.packet);
      entry.packet = packet;
      this.index(sameId, packet);
      return { tag: entry.tag, replaced: true };
    }
    return undefined;
  }

  /** `messageId`, or the next one after it that no packet but the one in `ownSlot` holds. */
  private freeId(messageId: number | undefined, ownSlot: number): number | undefined {
    if (messageId === undefined) return messageId;
    let id = messageId;
    for (let tries = 0; tries < MAX_PACKET_ID; tries++) {
      if (this.byMessageId.firstWhere(id, (slot) => slot !== ownSlot) === undefined) return id;
      id = id >= MAX_PACKET_ID ? 1 : id + 1;
    }
    return messageId;
  }

  /** Removes and returns the earliest entry with this messageId. */
  clear(messageId: number | undefined): QueuedPacket<Tag> | undefined {
    const slot = this.byMessageId.first(messageId);
    if (slot === undefined) return undefined;
    const entry = this.entries.get(slot) as QueuedPacket<Tag>;
    this.entries.delete(slot);
    this.unindex(slot, entry.packet);
    return entry;
  }

  /** The packets, in queue order, as a new list, so the caller may iterate while the queue changes. */
  snapshot(): AedesPacket[] {
    return Array.from(this.entries.values(), (entry) => entry.packet);
  }

  /** As `snapshot()`, each packet with its tag. */
  taggedSnapshot(): QueuedPacket<Tag>[] {
    return Array.from(this.entries.values(), ({ packet, tag }) => ({ packet, tag }));
  }

  private index(slot: number, packet: AedesPacket): void {
    let counters = this.byCounter.get(packet.brokerId);
    if (counters === undefined) {
      counters = new SortedSlotIndex<number | undefined>();
      this.byCounter.set(packet.brokerId, counters);
    }
    counters.add(packet.brokerCounter, slot);
    this.byMessageId.add(packet.messageId, slot);
  }

  private unindex(slot: number, packet: AedesPacket): void {
    this.byCounter.get(packet.brokerId)?.remove(packet.brokerCounter, slot);
    this.byMessageId.remove(packet.messageId, slot);
  }
}

const MAX_PACKET_ID = 65_535;

/** Only a PUBREL takes the place of the PUBLISH whose packet id it carries. */
export function replacesById(packet: AedesPacket): boolean {
  return packet.cmd !== 'publish';
}
