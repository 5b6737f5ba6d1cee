import type { AedesPacket } from 'aedes-packet';
import { describe, expect, it } from 'vitest';
import { OutgoingQueue } from './outgoing-queue.js';

/**
 * aedes-persistence 11's array queue (asyncPersistence.js), the behaviour to match, but
 * for two fixes: only a PUBREL replaces a packet of another broker id by packet id, and
 * a PUBLISH moves on to a packet id no other queued packet holds.
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
          if (packet.cmd === 'publish' && packet.messageId !== undefined) {
            let id = packet.messageId;
            while (this.packets.some((other) => other !== stored && other.messageId === id)) {
              id = id >= 65_535 ? 1 : id + 1;
            }
            packet.messageId = id;
          }
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
    // The high bits: an LCG's low bits repeat with short periods.
    return Math.floor(state / 65_536) % below;
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
          expect(a.messageId).toBe(b.messageId);
        } else {
          expect(describePacket(ours.clear(messageId))).toEqual(describePacket(upstream.clear(messageId)));
        }
        expect(ours.size).toBe(upstream.packets.length);
      }
      expect(ours.snapshot().map(describePacket)).toEqual(upstream.packets.map(describePacket));
    }
  });

  it('keeps a message queued before a reconnect when a live one draws its packet id', () => {
    const queue = new OutgoingQueue();
    // Sent with ids 5 and 6 by broker "old", not acknowledged; the broker restarted as "new".
    queue.enqueue(packet('old', 17, 5));
    queue.enqueue(packet('old', 18, 6));
    queue.enqueue(packet('new', 1));
    const live = packet('new', 1, 5);
    expect(queue.update(live)).toBe(true);
    // The live message goes out under the next free id: 5 and 6 still name the older ones.
    expect(live.messageId).toBe(7);
    expect(queue.snapshot().map(describePacket)).toEqual([
      ['old', 17, 5, 'publish'],
      ['old', 18, 6, 'publish'],
      ['new', 1, 7, 'publish'],
    ]);
    expect(queue.clear(7)?.brokerId).toBe('new');
    expect(queue.clear(5)?.brokerCounter).toBe(17);
    // Resent under its own id, a queued message keeps it.
    const resent = packet('old', 18, 6);
    expect(queue.update(resent)).toBe(true);
    expect(resent.messageId).toBe(6);
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
