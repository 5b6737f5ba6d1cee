import { describe, expect, it } from 'vitest';
import { AckQueue, type AckTicket } from './ack-queue.js';

const ticket = (name: string, generation = 0, needsAck = true): AckTicket & { name: string } => ({
  name,
  generation,
  needsAck,
  settled: false,
  puback: undefined,
});

describe('AckQueue', () => {
  it('sends acknowledgements in arrival order, whatever order messages settle in', () => {
    const current = 0;
    const sent: string[] = [];
    const queue = new AckQueue(
      (t) => t.generation === current,
      (puback) => sent.push((puback as { name: string }).name),
    );
    const [a, b, c] = [ticket('a'), ticket('b'), ticket('c')];
    for (const t of [a, b, c]) {
      queue.push(t);
      queue.setPuback(t, { name: t.name });
    }
    queue.settle(c);
    queue.settle(b);
    expect(sent).toEqual([]);
    queue.settle(a);
    expect(sent).toEqual(['a', 'b', 'c']);
    expect(queue.size).toBe(0);
  });

  it('waits for the PUBACK to exist and never sends one of a closed connection', () => {
    let current = 0;
    const sent: string[] = [];
    const queue = new AckQueue(
      (t) => t.generation === current,
      (puback) => sent.push((puback as { name: string }).name),
    );
    const old = ticket('old', 0);
    const qos0 = ticket('qos0', 0, false);
    queue.push(old);
    queue.push(qos0);
    queue.settle(old);
    queue.settle(qos0);
    expect(queue.size).toBe(2);
    current = 1;
    queue.setPuback(old, { name: 'old' });
    expect(sent).toEqual([]);
    expect(queue.size).toBe(0);
  });
});
