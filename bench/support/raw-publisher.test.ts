import { createServer, type Server } from 'node:net';
import { Aedes } from 'aedes';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawPublisher } from './raw-publisher.js';

/** aedes on a loopback port that lets in `gw` / `secret` only. */
async function startBroker(): Promise<{ url: string; stop(): Promise<void> }> {
  const aedes = await Aedes.createBroker({
    authenticate: (_client, username, password, done) =>
      done(null, username === 'gw' && password?.toString() === 'secret'),
  });
  const server: Server = createServer((socket) => aedes.handle(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `mqtt://127.0.0.1:${port}`,
    stop: async () => {
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function publishAll(
  publisher: RawPublisher,
  messages: { topic: string; payload: Buffer }[],
  qos: 0 | 1,
): Promise<number> {
  let done = 0;
  return new Promise((resolve, reject) =>
    publisher.burst(() => {
      for (const { topic, payload } of messages)
        publisher.publish(topic, payload, qos, (error) => {
          if (error) return reject(error);
          if (++done === messages.length) resolve(done);
        });
    }),
  );
}

describe('RawPublisher against a real broker', () => {
  let broker: Awaited<ReturnType<typeof startBroker>>;
  let subscriber: mqtt.MqttClient;
  const received: { topic: string; payload: Buffer }[] = [];

  beforeAll(async () => {
    broker = await startBroker();
    subscriber = await mqtt.connectAsync(broker.url, { username: 'gw', password: 'secret' });
    await subscriber.subscribeAsync('bench/#', { qos: 1 });
    subscriber.on('message', (topic, payload) => received.push({ topic, payload }));
  });

  const connectPublisher = (clientId: string) =>
    RawPublisher.connect(broker.url, { clientId, username: 'gw', password: 'secret' });

  afterAll(async () => {
    await subscriber.endAsync(true);
    await broker.stop();
  });

  it('delivers every PUBLISH with its topic and bytes, at each size where the length field grows', async () => {
    received.length = 0;
    const publisher = await connectPublisher('raw-sizes');
    for (const qos of [0, 1] as const) {
      // Remaining Length = topic length field + topic + packet id (QoS 1) + payload: each boundary
      // of its 1-, 2-, 3- and 4-byte forms exactly; a multi-byte character checks the topic's byte length.
      const messages = [0, 127, 128, 16_383, 16_384, 2_097_151, 2_097_152].map((remaining, i) => {
        const topic = `bench/尺寸/${qos}/${remaining}`;
        const size = Math.max(0, remaining - 2 - Buffer.byteLength(topic) - (qos === 1 ? 2 : 0));
        return { topic, payload: Buffer.alloc(size, i + 1) };
      });
      expect(await publishAll(publisher, messages, qos)).toBe(messages.length);
      await expect.poll(() => received.length).toBe(messages.length);
      for (const { topic, payload } of messages) {
        const copy = received.find((r) => r.topic === topic);
        expect(copy?.payload.equals(payload)).toBe(true);
      }
      received.length = 0;
    }
    await publisher.end();
  });

  it('acknowledges each QoS 1 message once, past the packet id wrapping at 65535', async () => {
    received.length = 0;
    const publisher = await connectPublisher('raw-wrap');
    let acknowledged = 0;
    for (let round = 0; round < 70; round++) {
      const messages = Array.from({ length: 1000 }, (_, i) => ({
        topic: 'bench/wrap',
        payload: Buffer.from(String(round * 1000 + i)),
      }));
      acknowledged += await publishAll(publisher, messages, 1);
    }
    await publisher.end();
    expect(acknowledged).toBe(70_000);
    await expect.poll(() => received.length, { timeout: 10_000 }).toBe(70_000);
    const seen = new Set(received.map((r) => r.payload.toString()));
    expect(seen.size).toBe(70_000);
  });

  it('says why when the broker refuses the credentials', async () => {
    await expect(
      RawPublisher.connect(broker.url, { clientId: 'raw-bad', username: 'gw', password: 'wrong' }),
    ).rejects.toThrow(/refused the connection \(CONNACK return code [45]\)/);
  });

  it('fails what is still unacknowledged when the connection drops', async () => {
    const publisher = await connectPublisher('raw-drop');
    // A second client with the same id makes the broker drop the first.
    const sending = publishAll(
      publisher,
      Array.from({ length: 5000 }, () => ({ topic: 'bench/drop', payload: Buffer.alloc(1000) })),
      1,
    );
    const failed = expect(sending).rejects.toThrow(/closed the connection|ECONNRESET|EPIPE/);
    const usurper = await connectPublisher('raw-drop');
    await failed;
    await usurper.end();
  });
});
