import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrokerService, brokerPersistenceSchema, openPersistence } from '../../broker/index.js';
import { topics } from '../../contracts/index.js';
import { waitFor } from '../../runtime/index.js';
import { quietLogger, startTestBroker, testBrokerConfig, type TestBroker } from '../support/index.js';
import { tryConnect } from './support/mqtt-outcome.js';
import { hoardQos2, type Qos2HoardResult } from './support/qos2-hoard.js';

/**
 * aedes keeps each QoS 2 PUBLISH in the session store until its PUBREL comes, and bounds
 * only what one connection holds (1,000 messages). A persistent session's store outlives
 * the connection, so a gateway credential that reconnected and kept sending QoS 2 without
 * PUBREL grew it without end: 65,535 message ids of up to 1 MiB per client id, and client
 * ids are free in the credential's namespace. Against `npm start`, three connections of
 * 1,000 such messages of 50 KB put 300 MB in data/broker/sessions. Nothing on the platform
 * publishes at QoS 2, so the broker takes none.
 */
const GATEWAY = {
  username: 'gw-a',
  role: 'gateway' as const,
  sites: ['s1'],
  gateway: 'gw-a',
  password: 'gw-a-password-qos2',
};
const INGEST = {
  username: 'ingest',
  role: 'ingest' as const,
  sites: ['s1'],
  password: 'ingest-password-qos2',
};
const CONNECTIONS = 3;
const PUBLISHES = 1100;
const PAYLOAD_BYTES = 4096;

function folderBytes(dir: string): number {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .reduce((sum, entry) => sum + statSync(join(entry.parentPath, entry.name)).size, 0);
}

describe('QoS 2 publishes', () => {
  let broker: TestBroker;

  beforeAll(async () => {
    broker = await startTestBroker([GATEWAY, INGEST]);
  });
  afterAll(async () => {
    await broker?.close();
  });

  it('are refused, so no session store holds messages waiting for a PUBREL', async () => {
    const sessions = join(broker.dir, 'sessions');
    const before = folderBytes(sessions);
    const rounds: Qos2HoardResult[] = [];
    for (let i = 0; i < CONNECTIONS; i++)
      rounds.push(
        await hoardQos2({
          port: broker.service.mqttPort,
          clientId: 'gw-a/qos2-hoard',
          username: GATEWAY.username,
          password: GATEWAY.password,
          topic: topics.health('s1', 'gw-a'),
          count: PUBLISHES,
          firstId: 1 + i * PUBLISHES,
          payloadBytes: PAYLOAD_BYTES,
        }),
      );

    expect(rounds.map((r) => r.pubrecs)).toEqual(rounds.map(() => 0));
    expect(rounds.every((r) => r.closed)).toBe(true);
    // Before: 3,300 PUBRECs, 13.5 MB of payloads kept on disk for PUBRELs that never came.
    expect(folderBytes(sessions) - before).toBeLessThan(CONNECTIONS * 1000 * PAYLOAD_BYTES * 0.1);
  });

  it('never reach a QoS 1 subscriber at QoS 2, which ingest refuses by reconnecting, forever', async () => {
    // aedes lowers a message to the subscription's QoS only when the filter is the topic itself:
    // a QoS 2 message reached ingest's `v1/s1/#` at QoS 2, ingest closed the connection on it,
    // and the broker sent it again at each reconnect (npm start wrote no reading after one).
    const ingest = await tryConnect(broker.service.mqttUrl, {
      username: INGEST.username,
      password: INGEST.password,
      clientId: 'ingest-qos2-test',
    });
    if (ingest.kind !== 'connected') throw new Error(`ingest could not connect: ${ingest.kind}`);
    const received: Array<{ topic: string; qos: number }> = [];
    ingest.client.on('message', (topic, _payload, packet) => received.push({ topic, qos: packet.qos }));
    await ingest.client.subscribeAsync('v1/s1/#', { qos: 1 });

    const gateway = await tryConnect(broker.service.mqttUrl, {
      username: GATEWAY.username,
      password: GATEWAY.password,
      clientId: 'gw-a/qos2-then-1',
    });
    if (gateway.kind !== 'connected') throw new Error(`gw-a could not connect: ${gateway.kind}`);
    gateway.client.publish(topics.health('s1', 'gw-a'), '{"qos":2}', { qos: 2 });
    await new Promise<void>((resolve) => {
      gateway.client.once('close', () => resolve());
      gateway.client.publish(topics.status('s1', 'gw-a'), '{"qos":1}', { qos: 1 }, () => resolve());
    });
    gateway.client.end(true);

    const again = await tryConnect(broker.service.mqttUrl, {
      username: GATEWAY.username,
      password: GATEWAY.password,
      clientId: 'gw-a/qos1-after',
    });
    if (again.kind !== 'connected') throw new Error(`gw-a could not connect: ${again.kind}`);
    await again.client.publishAsync(topics.health('s1', 'gw-a'), '{"qos":1}', { qos: 1 });
    await again.client.endAsync();
    await waitFor('the QoS 1 message', () => received.length > 0 && received.at(-1)?.qos === 1);
    await ingest.client.endAsync();

    expect(received.filter((message) => message.qos > 1)).toEqual([]);
  });

  it('refuses a will at QoS 2, and still takes QoS 1', async () => {
    const willQos2 = await tryConnect(broker.service.mqttUrl, {
      username: GATEWAY.username,
      password: GATEWAY.password,
      clientId: 'gw-a/will-qos2',
      will: { topic: topics.status('s1', 'gw-a'), payload: Buffer.from('{}'), qos: 2, retain: false },
    });
    if (willQos2.kind === 'connected') await willQos2.client.endAsync();
    expect(willQos2.kind === 'refused' && willQos2.code).toBe(5);

    const outcome = await tryConnect(broker.service.mqttUrl, {
      username: GATEWAY.username,
      password: GATEWAY.password,
      clientId: 'gw-a/qos1',
    });
    if (outcome.kind !== 'connected') throw new Error(`gw-a could not connect: ${outcome.kind}`);
    await outcome.client.publishAsync(topics.health('s1', 'gw-a'), '{}', { qos: 1 });
    await outcome.client.endAsync();
  });
});

describe('a QoS 2 message queued before QoS 2 was refused', () => {
  let broker: TestBroker;
  let restarted: BrokerService | undefined;

  beforeAll(async () => {
    broker = await startTestBroker([INGEST]);
  });
  afterAll(async () => {
    await restarted?.stop();
    await broker?.close();
  });

  it('reaches ingest at QoS 1 after an upgrade, so ingest takes it and goes on', async () => {
    const session = {
      username: INGEST.username,
      password: INGEST.password,
      clientId: 'ingest-legacy',
      clean: false,
    };
    const first = await tryConnect(broker.service.mqttUrl, session);
    if (first.kind !== 'connected') throw new Error(`ingest could not connect: ${first.kind}`);
    await first.client.subscribeAsync('v1/s1/#', { qos: 1 });
    await first.client.endAsync();
    await broker.service.stop();

    // What the broker before this fix left in ingest's queue after a gateway's QoS 2 publish.
    const sessionsDir = join(broker.dir, 'sessions');
    const store = await openPersistence(brokerPersistenceSchema.parse({ backend: 'disk', dir: sessionsDir }));
    await (
      store.persistence as { outgoingEnqueue(sub: object, packet: object): Promise<unknown> }
    ).outgoingEnqueue(
      { clientId: 'ingest-legacy' },
      {
        cmd: 'publish',
        brokerId: 'legacy',
        brokerCounter: 1,
        topic: topics.health('s1', 'gw-a'),
        payload: Buffer.from('{"queued":"qos2"}'),
        qos: 2,
        retain: false,
        dup: false,
      },
    );
    await store.close();

    restarted = new BrokerService(
      testBrokerConfig({ credentialsFile: broker.credentialsFile, sessionsDir }),
      { logger: quietLogger() },
    );
    await restarted.start();
    const received: Array<{ payload: string; qos: number }> = [];
    const again = await tryConnect(restarted.mqttUrl, session, (client) =>
      client.on('message', (_topic, payload, packet) =>
        received.push({ payload: payload.toString(), qos: packet.qos }),
      ),
    );
    if (again.kind !== 'connected') throw new Error(`ingest could not reconnect: ${again.kind}`);
    await waitFor(
      'the queued message, or ingest dropping the connection',
      () => received.length > 0 || !again.client.connected,
    );
    await again.client.endAsync();

    expect(received).toEqual([{ payload: '{"queued":"qos2"}', qos: 1 }]);
  });
});
