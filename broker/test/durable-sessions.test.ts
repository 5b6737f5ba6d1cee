import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { topicFilters, topics } from '../../contracts/index.js';
import { ManagedRedis, waitFor } from '../../stack/index.js';
import type { BrokerService } from '../broker-service.js';
import type { BrokerConfigInput } from '../config.js';
import {
  addSessionAccounts,
  closeAllClients,
  connectClient,
  connectCollecting,
  SESSION_ACCOUNTS,
  startSessionBroker,
  tempBrokerDir,
} from './harness.js';

const INGEST = { ...SESSION_ACCOUNTS.ingest, clientId: 'ingest-durable' };
const GATEWAY = SESSION_ACCOUNTS.gateway;
const TOPIC = topics.telemetry('s', 'gw-a', 'meter-1');

const backends = [{ backend: 'disk' }, { backend: 'journal' }, { backend: 'redis' }] as const;

/**
 * A persistent consumer (ingest) must not lose what the broker acknowledged to a
 * gateway while the consumer was away, even across a broker restart: its subscription
 * and its queue outlive the broker process.
 */
describe.each(backends)('broker sessions kept in $backend', ({ backend }) => {
  let dir: Awaited<ReturnType<typeof tempBrokerDir>>;
  let redis: ManagedRedis | undefined;
  let broker: BrokerService | undefined;

  const persistence = (): BrokerConfigInput['persistence'] =>
    backend === 'redis' ? { backend, redisUrl: redis!.url } : { backend, dir: dir.sessionsDir };

  const startBroker = async () => (broker = await startSessionBroker(dir, persistence()));

  beforeAll(async () => {
    dir = await tempBrokerDir();
    if (backend === 'redis') {
      redis = new ManagedRedis({ dataDir: join(dir.path, 'redis') });
      await redis.start();
    }
    await addSessionAccounts(dir.credentialsFile);
  });

  afterEach(async () => {
    await closeAllClients();
    await broker?.stop();
    broker = undefined;
  });

  afterAll(async () => {
    await redis?.stop();
    await dir?.remove();
  });

  it('delivers what was acknowledged before and after a restart to a consumer that was away', async () => {
    let service = await startBroker();
    const ingest = await connectClient(service.mqttUrl, INGEST);
    // Several filters in one SUBSCRIBE, as ingest does (one per stream of the site).
    await ingest.subscribeAsync(topicFilters.siteStreams('s'), { qos: 1 });
    await ingest.endAsync();

    const publish = async (client: MqttClient, from: number, to: number) => {
      for (let i = from; i < to; i++) await client.publishAsync(TOPIC, String(i), { qos: 1 });
    };
    let gateway = await connectClient(service.mqttUrl, GATEWAY);
    await publish(gateway, 0, 50);
    await gateway.endAsync();
    await service.stop();

    service = await startBroker();
    gateway = await connectClient(service.mqttUrl, GATEWAY);
    await publish(gateway, 50, 100);

    const { messages: received } = await connectCollecting(service.mqttUrl, INGEST);
    await waitFor('every message', () => received.length >= 100, { timeoutMs: 10_000 });
    expect(received.map((m) => Number(m.payload)).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 100 }, (_, i) => i),
    );
  });
});
