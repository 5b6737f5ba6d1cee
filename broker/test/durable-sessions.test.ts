import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { describe, expect, it } from 'vitest';
import { topicFilters, topics } from '../../contracts/index.js';
import { ManagedRedis } from '../../stack/index.js';
import type { BrokerConfigInput } from '../config.js';
import { connectClient, connectCollecting, SESSION_ACCOUNTS, sessionBrokerFixture } from './harness.js';
import { waitFor } from '../../runtime/index.js';

const INGEST = { ...SESSION_ACCOUNTS.ingest, clientId: 'ingest-durable' };
const GATEWAY = SESSION_ACCOUNTS.gateway;
const TOPIC = topics.telemetry('s', 'gw-a', 'meter-1');

const backends = [{ backend: 'disk' }, { backend: 'redis' }] as const;

/**
 * A persistent consumer (ingest) must not lose what the broker acknowledged to a
 * gateway while the consumer was away, even across a broker restart: its subscription
 * and its queue outlive the broker process.
 */
describe.each(backends)('broker sessions kept in $backend', ({ backend }) => {
  let redis: ManagedRedis | undefined;
  const fixture = sessionBrokerFixture({
    prepare: async (dir) => {
      if (backend !== 'redis') return;
      redis = new ManagedRedis({ dataDir: join(dir.path, 'redis') });
      await redis.start();
    },
    cleanup: async () => await redis?.stop(),
  });

  const persistence = (): BrokerConfigInput['persistence'] =>
    backend === 'redis' ? { backend, redisUrl: redis!.url } : { backend, dir: fixture.dir().sessionsDir };

  const startBroker = () => fixture.start(persistence());

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

  it('hands a consumer its whole queue when it reconnects, however long', async () => {
    // Longer than the 1,001 aedes-persistence-redis sends at CONNECT by default: the rest
    // stayed queued until the consumer's next connection (a cluster node dying with over a
    // thousand readings queued for ingest left the newest 276 behind, test/scale/broker-cluster).
    const queued = 1_500;
    const service = await startBroker();
    const ingest = await connectClient(service.mqttUrl, INGEST);
    await ingest.subscribeAsync(topicFilters.siteStreams('s'), { qos: 1 });
    await ingest.endAsync();

    const gateway = await connectClient(service.mqttUrl, GATEWAY);
    for (let from = 0; from < queued; from += 100) {
      const batch = Array.from({ length: 100 }, (_, i) => String(from + i));
      await Promise.all(batch.map((payload) => gateway.publishAsync(TOPIC, payload, { qos: 1 })));
    }

    const { messages: received } = await connectCollecting(service.mqttUrl, INGEST);
    const distinct = () => new Set(received.map((m) => Number(m.payload)));
    await waitFor(`all ${queued} queued messages`, () => distinct().size >= queued, {
      timeoutMs: 20_000,
    }).catch(() => undefined);
    expect(distinct().size).toBe(queued);
  }, 60_000);
});
