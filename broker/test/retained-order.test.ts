import type { MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { topicFilters, topics } from '../../contracts/index.js';
import { waitFor } from '../../runtime/index.js';
import type { BrokerService } from '../broker-service.js';
import {
  addSessionAccounts,
  closeAllClients,
  connectClient,
  connectCollecting,
  SESSION_ACCOUNTS,
  startSessionBroker,
  tempBrokerDir,
} from './harness.js';

const INGEST = { ...SESSION_ACCOUNTS.ingest, clientId: 'ingest-order' };
const GATEWAY = SESSION_ACCOUNTS.gateway;
const ROUNDS = 300;

/**
 * A retained message is stored before it is published, so it reaches the bus after a
 * message that arrived just behind it. aedes took the late one for a duplicate and
 * "cleared" it from the persistent subscriber's queue by a packet id it did not have
 * yet, which removed the next message waiting to be sent: that one was lost and the
 * connection dropped ("no such packet"). A gateway sends its retained status and its
 * readings back to back after every reconnect.
 */
describe('a retained message published just before another', () => {
  let dir: Awaited<ReturnType<typeof tempBrokerDir>>;
  let broker: BrokerService;

  beforeAll(async () => {
    dir = await tempBrokerDir();
    await addSessionAccounts(dir.credentialsFile);
    broker = await startSessionBroker(dir);
  });

  afterEach(async () => {
    await closeAllClients();
  });

  afterAll(async () => {
    await broker?.stop();
    await dir?.remove();
  });

  it('costs the persistent subscriber no other message and no connection', async () => {
    const { client: ingest, messages } = await connectCollecting(broker.mqttUrl, INGEST);
    await ingest.subscribeAsync(topicFilters.siteStreams('s'), { qos: 1 });
    let drops = 0;
    ingest.on('close', () => drops++);

    const gateway: MqttClient = await connectClient(broker.mqttUrl, GATEWAY);
    const sent: Promise<unknown>[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      sent.push(
        gateway.publishAsync(topics.status('s', 'gw-a'), JSON.stringify({ i }), { qos: 1, retain: true }),
        gateway.publishAsync(topics.telemetry('s', 'gw-a', 'meter-1'), String(i), { qos: 1 }),
      );
    }
    await Promise.all(sent);
    const readings = () =>
      new Set(messages.filter((m) => m.topic.endsWith('/telemetry')).map((m) => m.payload));
    await waitFor('every reading', () => readings().size === ROUNDS, { timeoutMs: 10_000 }).catch(
      () => undefined,
    );
    expect(ROUNDS - readings().size).toBe(0);
    // The late retained messages are delivered too, not taken for duplicates.
    const statuses = () => new Set(messages.filter((m) => m.topic.endsWith('/status')).map((m) => m.payload));
    await waitFor('every status', () => statuses().size === ROUNDS, { timeoutMs: 5_000 }).catch(
      () => undefined,
    );
    expect(ROUNDS - statuses().size).toBe(0);
    expect(drops).toBe(0);
  });

  it('still delivers a message once to overlapping subscriptions', async () => {
    const { client: ingest, messages } = await connectCollecting(broker.mqttUrl, {
      ...INGEST,
      clientId: 'ingest-overlap',
    });
    await ingest.subscribeAsync([topicFilters.allTelemetry, 'v1/s/+/+/telemetry'], { qos: 1 });
    const gateway = await connectClient(broker.mqttUrl, GATEWAY);
    for (let i = 0; i < 20; i++)
      await gateway.publishAsync(topics.telemetry('s', 'gw-a', 'meter-1'), `o${i}`, { qos: 1 });
    // A marker sent last: the broker hands a subscriber its messages in order, so a second
    // copy of any earlier one would have arrived before the marker does.
    await gateway.publishAsync(topics.telemetry('s', 'gw-a', 'meter-1'), 'marker', { qos: 1 });
    await waitFor('the marker', () => messages.some((m) => m.payload === 'marker'));
    const upToMarker = messages
      .map((m) => m.payload)
      .slice(
        0,
        messages.findIndex((m) => m.payload === 'marker'),
      );
    expect(upToMarker).toEqual(Array.from({ length: 20 }, (_, i) => `o${i}`));
  });
});
