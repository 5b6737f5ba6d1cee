import { once } from 'node:events';
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { coalesceWrites } from '../coalesced-writes.js';

/** A loopback connection: the accepted socket (written by the test) and a client reading it. */
async function socketPair(): Promise<{
  server: Server;
  accepted: Socket;
  reader: Socket;
  received: () => string;
}> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const accepting = once(server, 'connection') as Promise<[Socket]>;
  const reader = connect((server.address() as AddressInfo).port, '127.0.0.1');
  const [accepted] = await accepting;
  let text = '';
  reader.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return { server, accepted, reader, received: () => text };
}

/** Counts the batches the socket hands to the operating system. */
function countHandoffs(socket: Socket): { count: number } {
  const counter = { count: 0 };
  const internals = socket as unknown as Record<'_write' | '_writev', (...args: unknown[]) => void>;
  for (const method of ['_write', '_writev'] as const) {
    const original = internals[method].bind(socket);
    internals[method] = (...args: unknown[]) => {
      counter.count++;
      original(...args);
    };
  }
  return counter;
}

const until = async (condition: () => boolean) => {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  expect(condition()).toBe(true);
};

describe('coalesceWrites', () => {
  const open: Array<{ server: Server; accepted: Socket; reader: Socket }> = [];
  afterEach(async () => {
    for (const { server, accepted, reader } of open.splice(0)) {
      accepted.destroy();
      reader.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('sends the writes of one event-loop turn, from callbacks of their own, as one batch', async () => {
    const pair = await socketPair();
    open.push(pair);
    coalesceWrites(pair.accepted);
    const handoffs = countHandoffs(pair.accepted);
    // As aedes writes: each packet from its own promise continuation or nextTick.
    const written: string[] = [];
    const send = (i: number) => {
      written.push(`${i},`);
      pair.accepted.write(`${i},`);
    };
    for (let i = 0; i < 20; i++) {
      if (i % 2 === 0) void Promise.resolve().then(() => send(i));
      else process.nextTick(() => send(i));
    }
    await until(() => pair.received().split(',').length === 21);
    expect(handoffs.count).toBe(1);
    expect(pair.received()).toBe(written.join(''));

    // A later turn is a batch of its own, and nothing is held back.
    pair.accepted.write('later');
    await until(() => pair.received().endsWith('later'));
    expect(handoffs.count).toBe(2);
  });

  it('without it, the same writes go out one by one (what the test above guards against)', async () => {
    const pair = await socketPair();
    open.push(pair);
    const handoffs = countHandoffs(pair.accepted);
    for (let i = 0; i < 20; i++) process.nextTick(() => pair.accepted.write(`${i},`));
    await until(() => pair.received().split(',').length === 21);
    expect(handoffs.count).toBeGreaterThan(1);
  });

  it('still reports back-pressure past the high-water mark', async () => {
    const pair = await socketPair();
    open.push(pair);
    coalesceWrites(pair.accepted);
    const big = Buffer.alloc(pair.accepted.writableHighWaterMark + 1, 120);
    expect(pair.accepted.write(big)).toBe(false);
    await once(pair.accepted, 'drain');
    await until(() => pair.received().length === big.length);
  });
});
