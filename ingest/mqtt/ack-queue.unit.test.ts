import { describe, expect, it } from 'vitest';
import { AckQueue, type AckTicket } from './ack-queue.js';

const ticket = (generation = 0, needsAck = true): AckTicket => ({
  generation,
  needsAck,
  settled: false,
  send: undefined,
});

describe('AckQueue', () => {
  it('sends acknowledgements in arrival order, whatever order messages settle in', () => {
    const current = 0;
    const queue = new AckQueue((t) => t.generation === current);
    const sent: string[] = [];
    const [a, b, c] = [ticket(), ticket(), ticket()] as [AckTicket, AckTicket, AckTicket];
    for (const [name, t] of [
      ['a', a],
      ['b', b],
      ['c', c],
    ] as const) {
      queue.push(t);
      queue.setSender(t, () => sent.push(name));
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
    const queue = new AckQueue((t) => t.generation === current);
    const sent: string[] = [];
    const old = ticket(0);
    const qos0 = ticket(0, false);
    queue.push(old);
    queue.push(qos0);
    queue.settle(old);
    queue.settle(qos0);
    expect(queue.size).toBe(2);
    current = 1;
    queue.setSender(old, () => sent.push('old'));
    expect(sent).toEqual([]);
    expect(queue.size).toBe(0);
  });
});
