import type { MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { topics } from '../../contracts/index.js';
import { HeldAckSubscriber } from './held-ack-subscriber.js';
import { openClient, startTestBroker, type TestBroker } from './harness.js';

const INGEST = { username: 'ingest', password: 'ingest-password-1' };
const GATEWAY = { username: 'gw-a', password: 'gateway-a-password' };
const TOPIC = topics.telemetry('s', 'gw-a', 'meter-1');
const FILTER = 'v1/s/+/+/telemetry';

/**
 * A persistent-session subscriber that holds thousands of PUBACKs (ingest's pattern,
 * which the broker's indexed outgoing queue is for): every message arrives exactly once
 * and in order, and what was not acknowledged comes again after a reconnect.
 */
describe('broker with a subscriber that holds its acks', () => {
  let broker: TestBroker;
  let gateway: MqttClient;
  const subscribers: HeldAckSubscriber[] = [];

  const connectIngest = async (clientId: string) => {
    const connected = await HeldAckSubscriber.connect(broker.service.mqttPort, { clientId, ...INGEST });
    subscribers.push(connected.subscriber);
    return connected;
  };
  const publish = (from: number, to: number) =>
    Promise.all(
      Array.from({ length: to - from }, (_, i) => gateway.publishAsync(TOPIC, String(from + i), { qos: 1 })),
    );
  const payloads = (subscriber: HeldAckSubscriber) => subscriber.received.map((m) => Number(m.payload));
  const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

  beforeAll(async () => {
    broker = await startTestBroker([
      { username: 'ingest', role: 'ingest', sites: ['*'], password: INGEST.password },
      { username: 'gw-a', role: 'gateway', sites: ['s'], gateway: 'gw-a', password: GATEWAY.password },
    ]);
    gateway = await openClient(broker.service.mqttUrl, { clientId: 'gw-a', ...GATEWAY });
  });

  afterEach(async () => {
    await Promise.all(subscribers.splice(0).map((subscriber) => subscriber.drop()));
  });

  afterAll(async () => {
    await gateway?.endAsync(true);
    await broker?.close();
  });

  it('delivers 5000 held messages once each, in order, and forgets them once acknowledged', async () => {
    const { subscriber } = await connectIngest('ingest-held-5000');
    await subscriber.subscribe(FILTER);

    await publish(0, 5000);
    await subscriber.receivedAtLeast(5000);
    await subscriber.ack();

    expect(payloads(subscriber)).toEqual(range(0, 5000));
    expect(subscriber.received.every((m) => !m.dup)).toBe(true);
    expect(new Set(subscriber.received.map((m) => m.messageId)).size).toBe(5000);

    // Nothing is left in the session: after a reconnect only a new message arrives.
    await subscriber.drop();
    const again = await connectIngest('ingest-held-5000');
    expect(again.sessionPresent).toBe(true);
    await publish(5000, 5001);
    await again.subscriber.receivedAtLeast(1);
    await again.subscriber.ack();
    expect(payloads(again.subscriber)).toEqual([5000]);
  });

  it('redelivers the unacknowledged messages of a persistent session after a reconnect, in order', async () => {
    const { subscriber } = await connectIngest('ingest-redelivery');
    await subscriber.subscribe(FILTER);

    await publish(0, 300);
    await subscriber.receivedAtLeast(300);
    await subscriber.ack(100);
    await subscriber.drop();
    await publish(300, 400); // queued for the offline session

    const again = await connectIngest('ingest-redelivery');
    expect(again.sessionPresent).toBe(true);
    await again.subscriber.receivedAtLeast(300);
    await again.subscriber.ack();

    expect(payloads(again.subscriber)).toEqual(range(100, 400));
    // Redeliveries keep their packet ids (aedes does not set DUP on them).
    const ids = (messages: readonly { messageId: number }[]) => messages.map((m) => m.messageId);
    expect(ids(again.subscriber.received.slice(0, 200))).toEqual(ids(subscriber.received.slice(100, 300)));

    await again.subscriber.drop();
    const third = await connectIngest('ingest-redelivery');
    await publish(400, 401);
    await third.subscriber.receivedAtLeast(1);
    expect(payloads(third.subscriber)).toEqual([400]);
  });
});
