import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, waitFor } from '../../runtime/index.js';
import { DeferredAckClient, type IncomingPublish } from '../mqtt/deferred-ack-client.js';
import { TestBroker, TestClient } from './support/harness.js';

const broker = new TestBroker();
let gateway: TestClient;
let client: DeferredAckClient | undefined;
/** Payloads the broker saw acknowledged, in the order their PUBACKs arrived. */
let acked: string[] = [];

beforeAll(async () => {
  await broker.start();
  broker.onAcknowledged((topic, payload) => {
    if (topic.startsWith('session/')) acked.push(payload.toString());
  });
  gateway = await TestClient.connect(broker.url);
});

afterEach(async () => {
  await client?.stop();
  client = undefined;
  acked = [];
});

afterAll(async () => {
  await gateway?.end();
  await broker.stop();
});

interface Started {
  client: DeferredAckClient;
  received: IncomingPublish[];
  connections: boolean[];
}

/** The client under test on the real broker over TCP; the handler only collects what it is handed. */
async function start(clientId: string, waitForRoom: () => Promise<void> | undefined = () => undefined) {
  const started: Started = {
    client: new DeferredAckClient({
      url: broker.url,
      clientId,
      keepaliveS: 1,
      filters: [`session/${clientId}/#`],
      logger: createLogger('deferred-ack-test', { level: 'silent' }),
      onMessage: (message) => started.received.push(message),
      waitForRoom,
      onConnectionChange: (connected) => started.connections.push(connected),
    }),
    received: [],
    connections: [],
  };
  client = started.client;
  const subscribed = broker.subscribed(clientId);
  started.client.start();
  await subscribed;
  return started;
}

async function publish(clientId: string, count: number, first = 1): Promise<void> {
  for (let n = first; n < first + count; n++) await gateway.publish(`session/${clientId}/m`, `${n}`);
}

const numbers = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `${from + i}`);

describe('ingest MQTT session: PUBLISH read by ingest, the rest by mqtt.js', () => {
  it('acknowledges each message only once settled, in the order they arrived', async () => {
    const { received } = await start('in-order');
    await publish('in-order', 5);
    await waitFor('every message handed over', () => received.length === 5, { timeoutMs: 5000 });
    expect(received.map((m) => m.payload.toString())).toEqual(numbers(1, 5));
    const settle = async (index: number) => {
      received[index]?.settle();
      await new Promise((resolve) => setTimeout(resolve, 50));
    };
    await settle(2);
    await settle(1);
    expect(acked).toEqual([]);
    await settle(0);
    await waitFor('the first three acknowledged', () => acked.length === 3, { timeoutMs: 5000 });
    await settle(4);
    expect(acked).toEqual(numbers(1, 3));
    await settle(3);
    await waitFor('every message acknowledged', () => acked.length === 5, { timeoutMs: 5000 });
    expect(acked).toEqual(numbers(1, 5));
  });

  it('stops reading the socket while too much is held and reads on once there is room', async () => {
    let room: (() => void) | undefined;
    let roomPromise: Promise<void> | undefined;
    const held = () => started.received.filter((m) => !settled.has(m)).length;
    const settled = new Set<IncomingPublish>();
    const started = await start('bounded', () => {
      if (held() < 10) return undefined;
      roomPromise ??= new Promise<void>((resolve) => (room = resolve));
      return roomPromise;
    });
    await publish('bounded', 300);
    await waitFor('the bound reached and the socket paused', () => started.client.readingPaused, {
      timeoutMs: 5000,
    });
    expect(started.received.length).toBe(10);
    for (const message of started.received) {
      settled.add(message);
      message.settle();
    }
    roomPromise = undefined;
    room?.();
    // From here on every message is settled as it arrives.
    const settleAll = setInterval(() => {
      for (const message of started.received) {
        if (!settled.has(message)) {
          settled.add(message);
          message.settle();
        }
      }
      if (roomPromise && held() < 10) {
        roomPromise = undefined;
        room?.();
      }
    }, 10);
    try {
      await waitFor('every message acknowledged', () => acked.length === 300, { timeoutMs: 20_000 });
    } finally {
      clearInterval(settleAll);
    }
    expect(started.received.map((m) => m.payload.toString())).toEqual(numbers(1, 300));
    expect(acked).toEqual(numbers(1, 300));
    expect(started.client.readingPaused).toBe(false);
  });

  it('takes again what a dropped connection never acknowledged, and acknowledges it once on the new one', async () => {
    const started = await start('dropped');
    await publish('dropped', 5);
    await waitFor('every message handed over', () => started.received.length === 5, { timeoutMs: 5000 });
    broker.dropConnections();
    await waitFor('redelivered on the next connection', () => started.received.length === 10, {
      timeoutMs: 10_000,
    });
    const [first, again] = [started.received.slice(0, 5), started.received.slice(5)];
    expect(first.every((m) => m.isStale())).toBe(true);
    expect(again.some((m) => m.isStale())).toBe(false);
    expect(again.map((m) => m.payload.toString())).toEqual(numbers(1, 5));
    // The old connection's PUBACKs are never written, on it or on the new one.
    for (const message of first) message.settle();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(acked).toEqual([]);
    for (const message of again) message.settle();
    await waitFor('every message acknowledged', () => acked.length === 5, { timeoutMs: 5000 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(acked).toEqual(numbers(1, 5));
    expect(started.connections).toEqual([true, false, true]);
  });

  it('leaves PINGRESP to mqtt.js, whose keepalive keeps the connection while nothing else arrives', async () => {
    const started = await start('keepalive');
    // mqtt.js reconnects when a PINGRESP does not come within 1.5 keepalive periods (1 s here).
    await new Promise((resolve) => setTimeout(resolve, 3500));
    expect(started.connections).toEqual([true]);
    expect(started.client.connected).toBe(true);
  });
});
