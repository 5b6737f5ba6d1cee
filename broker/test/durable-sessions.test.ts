import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { topicFilters, topics } from '../../contracts/index.js';
import { ManagedRedis, waitFor } from '../../stack/index.js';
import { BrokerService } from '../broker-service.js';
import { brokerConfigSchema, type BrokerConfigInput } from '../config.js';
import { addCredential } from '../credentials/credential-admin.js';
import { closeAllClients, connectClient, connectCollecting, quietLogger, tempBrokerDir } from './harness.js';

const INGEST = {
  username: 'ingest',
  password: 'ingest-password-1',
  clientId: 'ingest-durable',
  clean: false,
};
const GATEWAY = { username: 'gw-a', password: 'gateway-a-password', clientId: 'gw-a' };
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

  const startBroker = async () => {
    broker = new BrokerService(
      brokerConfigSchema.parse({
        mqtt: { host: '127.0.0.1', port: 0 },
        http: { host: '127.0.0.1', port: 0 },
        credentialsFile: dir.credentialsFile,
        persistence: persistence(),
      }),
      { logger: quietLogger() },
    );
    await broker.start();
    return broker;
  };

  beforeAll(async () => {
    dir = await tempBrokerDir();
    if (backend === 'redis') {
      redis = new ManagedRedis({ dataDir: join(dir.path, 'redis') });
      await redis.start();
    }
    await addCredential(dir.credentialsFile, {
      username: 'ingest',
      role: 'ingest',
      sites: ['*'],
      password: INGEST.password,
    });
    await addCredential(dir.credentialsFile, {
      username: 'gw-a',
      role: 'gateway',
      sites: ['s'],
      gateway: 'gw-a',
      password: GATEWAY.password,
    });
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
