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
  /** Not upstream's: what ours should hand back, kept by position. */
  readonly tags: number[] = [];
  /** The tag of the position the last update touched. */
  lastTag: number | undefined;
  enqueue(packet: AedesPacket, tag: number): void {
    this.packets.push(packet);
    this.tags.push(tag);
  }
  update(packet: AedesPacket): boolean {
    this.lastTag = undefined;
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
          this.lastTag = this.tags[i];
          return true;
        }
      } else if (packet.cmd !== 'publish' && stored.messageId === packet.messageId) {
        this.packets[i] = packet;
        this.lastTag = this.tags[i];
        return true;
      }
    }
    return false;
  }
  clear(messageId: number | undefined): { packet: AedesPacket; tag: number } | undefined {
    const at = this.packets.findIndex((stored) => stored.messageId === messageId);
    if (at < 0) return undefined;
    const tag = this.tags.splice(at, 1)[0] as number;
    return { packet: this.packets.splice(at, 1)[0] as AedesPacket, tag };
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
  it('finds and clears the same packets as upstream’s array scan, and hands back their tags, over random operations', () => {
    for (const seed of [1, 2, 3, 42, 4242]) {
      const next = random(seed);
      const ours = new OutgoingQueue<number>();
      const upstream = new UpstreamArrayQueue();
      const brokers = ['a', 'b', undefined];
      for (let step = 0; step < 3_000; step++) {
        const op = next(10);
        // Few distinct counters and ids, so duplicates and collisions happen often.
        const brokerId = brokers[next(3)];
        const counter = next(40);
        const messageId = next(8) === 0 ? undefined : next(30);
        if (op < 4) {
          ours.enqueue(packet(brokerId, counter), step);
          upstream.enqueue(packet(brokerId, counter), step);
        } else if (op < 7) {
          const cmd = next(2) === 0 ? 'publish' : 'pubrel';
          const a = { ...packet(brokerId, counter, messageId), cmd } as AedesPacket;
          const b = { ...a };
          const change = ours.update(a);
          expect(change !== undefined).toBe(upstream.update(b));
          expect(change?.tag).toBe(upstream.lastTag);
          expect(a.messageId).toBe(b.messageId);
        } else {
          const cleared = ours.clear(messageId);
          const expected = upstream.clear(messageId);
          expect(describePacket(cleared?.packet)).toEqual(describePacket(expected?.packet));
          expect(cleared?.tag).toBe(expected?.tag);
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
    expect(queue.update(live)).toEqual({ tag: undefined, replaced: false });
    // The live message goes out under the next free id: 5 and 6 still name the older ones.
    expect(live.messageId).toBe(7);
    expect(queue.snapshot().map(describePacket)).toEqual([
      ['old', 17, 5, 'publish'],
      ['old', 18, 6, 'publish'],
      ['new', 1, 7, 'publish'],
    ]);
    expect(queue.clear(7)?.packet.brokerId).toBe('new');
    expect(queue.clear(5)?.packet.brokerCounter).toBe(17);
    // Resent under its own id, a queued message keeps it.
    const resent = packet('old', 18, 6);
    expect(queue.update(resent)).toEqual({ tag: undefined, replaced: false });
    expect(resent.messageId).toBe(6);
  });

  it('keeps queue order when messages are acknowledged out of order', () => {
    const queue = new OutgoingQueue();
    for (let counter = 1; counter <= 5; counter++) queue.enqueue(packet('b', counter));
    for (let counter = 1; counter <= 5; counter++) queue.update(packet('b', counter, 100 + counter));
    expect(queue.clear(103)?.packet.brokerCounter).toBe(3);
    expect(queue.clear(103)).toBeUndefined();
    expect(queue.snapshot().map((p) => p.messageId)).toEqual([101, 102, 104, 105]);
  });
});
