import type { AedesPacket } from 'aedes-packet';
import { describe, expect, it } from 'vitest';
import { OutgoingQueue } from './outgoing-queue.js';

/**
 * aedes-persistence 11's array queue (asyncPersistence.js), the behaviour to match, but
 * for one fix: only a PUBREL replaces a packet of another broker id by packet id.
 */
class UpstreamArrayQueue {
  readonly packets: AedesPacket[] = [];
  enqueue(packet: AedesPacket): void {
    this.packets.push(packet);
  }
  update(packet: AedesPacket): boolean {
    for (let i = 0; i < this.packets.length; i++) {
      const stored = this.packets[i] as AedesPacket;
      if (stored.brokerId === packet.brokerId) {
        if (stored.brokerCounter === packet.brokerCounter) {
          stored.messageId = packet.messageId;
          return true;
        }
      } else if (packet.cmd !== 'publish' && stored.messageId === packet.messageId) {
        this.packets[i] = packet;
        return true;
      }
    }
    return false;
  }
  clear(messageId: number | undefined): AedesPacket | undefined {
    const at = this.packets.findIndex((stored) => stored.messageId === messageId);
    return at < 0 ? undefined : this.packets.splice(at, 1)[0];
  }
}

function packet(brokerId: string | undefined, brokerCounter: number, messageId?: number): AedesPacket {
  return {
    cmd: 'publish',
    topic: 't',
    payload: Buffer.alloc(0),
    qos: 1,
    dup: false,
    retain: false,
    brokerId,
    brokerCounter,
    messageId,
  } as AedesPacket;
}

/** Small deterministic PRNG so a failure reproduces. */
function random(seed: number): (below: number) => number {
  let state = seed;
  return (below) => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state % below;
  };
}

const describePacket = (p: AedesPacket | undefined) => p && [p.brokerId, p.brokerCounter, p.messageId, p.cmd];

describe('OutgoingQueue', () => {
  it('finds and clears the same packets as upstream’s array scan, over random operations', () => {
    for (const seed of [1, 2, 3, 42, 4242]) {
      const next = random(seed);
      const ours = new OutgoingQueue();
      const upstream = new UpstreamArrayQueue();
      const brokers = ['a', 'b', undefined];
      for (let step = 0; step < 3_000; step++) {
        const op = next(10);
        // Few distinct counters and ids, so duplicates and collisions happen often.
        const brokerId = brokers[next(3)];
        const counter = next(40);
        const messageId = next(8) === 0 ? undefined : next(30);
        if (op < 4) {
          ours.enqueue(packet(brokerId, counter));
          upstream.enqueue(packet(brokerId, counter));
        } else if (op < 7) {
          const cmd = next(2) === 0 ? 'publish' : 'pubrel';
          const a = { ...packet(brokerId, counter, messageId), cmd } as AedesPacket;
          const b = { ...a };
          expect(ours.update(a)).toBe(upstream.update(b));
        } else {
          expect(describePacket(ours.clear(messageId))).toEqual(describePacket(upstream.clear(messageId)));
        }
        expect(ours.size).toBe(upstream.packets.length);
      }
      expect(ours.snapshot().map(describePacket)).toEqual(upstream.packets.map(describePacket));
    }
  });

  it('keeps a message queued before a restart when a live one gets its packet id', () => {
    const queue = new OutgoingQueue();
    // Sent with id 5 by broker "old", not acknowledged, then the broker restarted as "new".
    queue.enqueue(packet('old', 17, 5));
    queue.enqueue(packet('new', 1));
    expect(queue.update(packet('new', 1, 5))).toBe(true);
    expect(queue.snapshot().map(describePacket)).toEqual([
      ['old', 17, 5, 'publish'],
      ['new', 1, 5, 'publish'],
    ]);
    // Each PUBACK for id 5 removes one of them, oldest first.
    expect(queue.clear(5)?.brokerId).toBe('old');
    expect(queue.clear(5)?.brokerId).toBe('new');
  });

  it('keeps queue order when messages are acknowledged out of order', () => {
    const queue = new OutgoingQueue();
    for (let counter = 1; counter <= 5; counter++) queue.enqueue(packet('b', counter));
    for (let counter = 1; counter <= 5; counter++) queue.update(packet('b', counter, 100 + counter));
    expect(queue.clear(103)?.brokerCounter).toBe(3);
    expect(queue.clear(103)).toBeUndefined();
    expect(queue.snapshot().map((p) => p.messageId)).toEqual([101, 102, 104, 105]);
  });
});
