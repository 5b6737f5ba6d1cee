/*
 * Adapted from aedes-persistence 11.0.0 (asyncPersistence.js, the in-memory
 * persistence aedes uses by default): https://github.com/moscajs/aedes-persistence
 *
 * MIT License
 * Copyright (c) Aedes Contributors
 * Copyright (c) 2015-2020 Matteo Collina, http://matteocollina.com
 *
 * Permission is hereby granted, free of charge, to any person obtaining a copy
 * of this software and associated documentation files (the "Software"), to deal
 * in the Software without restriction, including without limitation the rights
 * to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
 * copies of the Software, and to permit persons to whom the Software is
 * furnished to do so, subject to the following conditions:
 *
 * The above copyright notice and this permission notice shall be included in all
 * copies or substantial portions of the Software.
 *
 * THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
 * IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
 * FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
 * AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
 * LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
 * OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
 * SOFTWARE.
 */
import { createRequire } from 'node:module';
import { Readable } from 'node:stream';
import type { Client } from 'aedes';
import type { AedesPacket } from 'aedes-packet';
import type MemoryPersistence from 'aedes-persistence/types/asyncPersistence.js';
import { OutgoingQueue, type QueuedPacket, type QueueUpdate } from './outgoing-queue.js';

type PersistenceOptions = { broadcastSubscriptions?: boolean };
type MemoryPersistenceClass = new (options?: PersistenceOptions) => MemoryPersistence;
type CallBackPersistenceClass = new (
  factory: (options: PersistenceOptions) => MemoryPersistence,
  options?: PersistenceOptions,
) => object;

// Neither module has its own declarations next to it; the shapes are typed above.
const require = createRequire(import.meta.url);
const AsyncMemoryPersistence = require('aedes-persistence/asyncPersistence.js') as MemoryPersistenceClass;
const PacketCopy = require('aedes-packet') as new (packet: AedesPacket) => AedesPacket;
const { CallBackPersistence } = require('aedes-persistence/callBackPersistence.js') as {
  CallBackPersistence: CallBackPersistenceClass;
};

/**
 * aedes-persistence's memory persistence with the outgoing queue replaced. Upstream
 * keeps each client's unacknowledged packets in an array and scans it from the front
 * on every delivery (outgoingUpdate) and every PUBACK (outgoingClearMessageId), while
 * the packet concerned is usually at the back: with a subscriber that holds thousands
 * of acks (ingest, until its InfluxDB write is done) each message costs O(unacked).
 * Here the queue is indexed (OutgoingQueue), same results in the same order.
 * Everything else (subscriptions, retained, incoming, wills) is inherited unchanged;
 * upstream's private `#outgoing` is never touched because every method using it is
 * overridden. A subclass may tag the packets it queues (`enqueueOwned`) and hear which
 * tagged packet each update or clear touched (`queuedPacketUpdated`, `queuedPacketCleared`).
 */
export class IndexedMemoryPersistence<Tag = never> extends AsyncMemoryPersistence {
  private readonly outgoing = new Map<string, OutgoingQueue<Tag>>();

  override async outgoingEnqueue(sub: { clientId: string }, packet: AedesPacket): Promise<void> {
    this.queueOf(sub.clientId).enqueue(new PacketCopy(packet));
  }

  override async outgoingEnqueueCombi(subs: { clientId: string }[], packet: AedesPacket): Promise<void> {
    for (const sub of subs) this.queueOf(sub.clientId).enqueue(new PacketCopy(packet));
  }

  override async outgoingUpdate(client: Client, packet: AedesPacket): Promise<void> {
    const change = this.updateQueued(client.id, packet);
    if (change === undefined) throw new Error('no such packet');
    this.queuedPacketUpdated(client.id, packet, change);
  }

  // Upstream resolves with undefined when nothing matches, whatever its typings say.
  override async outgoingClearMessageId(client: Client, packet: AedesPacket): Promise<AedesPacket> {
    const queue = this.outgoing.get(client.id);
    const cleared = queue?.clear(packet.messageId);
    if (queue?.size === 0) this.outgoing.delete(client.id);
    if (cleared === undefined) return undefined as unknown as AedesPacket;
    this.queuedPacketCleared(client.id, cleared);
    return cleared.packet;
  }

  override outgoingStream(client: Client): Readable {
    return Readable.from(this.queuedPackets(client.id));
  }

  /** Queues this very packet object (not a copy), so a subclass may keep a handle on it, and tags it. */
  protected enqueueOwned(clientId: string, packet: AedesPacket, tag: Tag): void {
    this.queueOf(clientId).enqueue(packet, tag);
  }

  /** What outgoingUpdate does to the queue, without telling `queuedPacketUpdated`. */
  protected updateQueued(clientId: string, packet: AedesPacket): QueueUpdate<Tag> | undefined {
    return this.outgoing.get(clientId)?.update(packet);
  }

  /** Called once a queued packet got its new packet id, or was replaced by `packet` (a PUBREL). */
  protected queuedPacketUpdated(_clientId: string, _packet: AedesPacket, _change: QueueUpdate<Tag>): void {}

  /** Called once a packet left the queue, acknowledged. */
  protected queuedPacketCleared(_clientId: string, _cleared: QueuedPacket<Tag>): void {}

  /** The client's queue in order, as a copy of the list (the packets themselves are live). */
  protected queuedPackets(clientId: string): AedesPacket[] {
    return this.outgoing.get(clientId)?.snapshot() ?? [];
  }

  /** As `queuedPackets`, each packet with its tag. */
  protected queuedTaggedPackets(clientId: string): QueuedPacket<Tag>[] {
    return this.outgoing.get(clientId)?.taggedSnapshot() ?? [];
  }

  private queueOf(clientId: string): OutgoingQueue<Tag> {
    let queue = this.outgoing.get(clientId);
    if (queue === undefined) {
      queue = new OutgoingQueue<Tag>();
      this.outgoing.set(clientId, queue);
    }
    return queue;
  }
}

/** What `Aedes.createBroker({ persistence })` takes: the callback/promise wrapper aedes' default uses. */
export function createIndexedMemoryPersistence(options: PersistenceOptions = {}): object {
  return new CallBackPersistence((opts) => new IndexedMemoryPersistence(opts), options);
}
