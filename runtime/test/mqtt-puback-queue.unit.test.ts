import { describe, expect, it } from 'vitest';
import { PubackQueue } from '../mqtt-puback-queue.js';

const turn = () => new Promise((resolve) => setImmediate(resolve));
const ids = (writes: Buffer[]) =>
  writes.map((bytes) => {
    const found: number[] = [];
    for (let at = 0; at < bytes.length; at += 4) {
      expect([bytes[at], bytes[at + 1]]).toEqual([0x40, 0x02]);
      found.push(bytes.readUInt16BE(at + 2));
    }
    return found;
  });

describe('PubackQueue', () => {
  it('sends PUBACKs in arrival order, each once its message and every earlier one is settled, in one write a turn', async () => {
    const writes: Buffer[] = [];
    const queue = new PubackQueue<{ messageId: number; settled: boolean }>((bytes) => writes.push(bytes));
    const messages = [5, 9, 2, 700].map((messageId) => ({ messageId, settled: false }));
    for (const message of messages) queue.add(message);
    const settle = (index: number) => {
      const message = messages[index] as { settled: boolean };
      message.settled = true;
      queue.settled(message as (typeof messages)[number]);
    };
    settle(1);
    settle(3);
    await turn();
    expect(writes).toEqual([]);
    settle(0);
    await turn();
    expect(ids(writes)).toEqual([[5, 9]]);
    settle(2);
    await turn();
    expect(ids(writes)).toEqual([
      [5, 9],
      [2, 700],
    ]);
    expect(queue.size).toBe(0);
  });

  it('sends nothing once its connection is closed', async () => {
    const writes: Buffer[] = [];
    const queue = new PubackQueue<{ messageId: number; settled: boolean }>((bytes) => writes.push(bytes));
    const message = { messageId: 1, settled: false };
    queue.add(message);
    message.settled = true;
    queue.settled(message);
    queue.close();
    await turn();
    expect(writes).toEqual([]);
  });
});
