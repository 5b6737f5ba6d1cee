import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { topicFilters, topics } from '../../contracts/index.js';
import { ManagedRedis } from '../../stack/index.js';
import { waitFor } from '../../runtime/index.js';
import { connectClient, connectCollecting, SESSION_ACCOUNTS, sessionBrokerFixture } from './harness.js';

const INGEST = { ...SESSION_ACCOUNTS.ingest, clientId: 'ingest-redis-restart' };
const TOPIC = topics.telemetry('s', 'gw-a', 'meter-1');

/**
 * A county broker keeps its sessions and crosses nodes through Redis. Redis going away
 * (a restart, an upgrade) must stall the broker, not end it: every connection's errors
 * while it reconnects are heard, and what gateways published around the outage reaches
 * the consumer once Redis is back.
 */
describe('a broker on Redis while Redis restarts', () => {
  let redis: ManagedRedis | undefined;
  const fixture = sessionBrokerFixture({
    prepare: async (dir) => {
      redis = new ManagedRedis({ dataDir: join(dir.path, 'redis') });
      await redis.start();
    },
    cleanup: async () => await redis?.stop(),
  });

  it('keeps running and delivers what was published before and after the outage', async () => {
    const service = await fixture.start({ backend: 'redis', redisUrl: redis!.url });
    const { client: ingest, messages: received } = await connectCollecting(service.mqttUrl, INGEST);
    await ingest.subscribeAsync(topicFilters.siteStreams('s'), { qos: 1 });
    const gateway = await connectClient(service.mqttUrl, SESSION_ACCOUNTS.gateway);
    for (let i = 0; i < 20; i++) await gateway.publishAsync(TOPIC, String(i), { qos: 1 });
    await waitFor('the readings before the outage', () => received.length >= 20, { timeoutMs: 10_000 });

    const readiness = async () => {
      const response = await fetch(`${service.httpUrl}/readyz`);
      return {
        status: response.status,
        checks: ((await response.json()) as { checks: Record<string, boolean> }).checks,
      };
    };
    expect(await readiness()).toMatchObject({ status: 200, checks: { session_store: true } });

    await redis!.stop();
    // Not ready while Redis is away (every connection fails its reconnection attempts meanwhile).
    await waitFor('not ready while Redis is away', async () => (await readiness()).status === 503, {
      timeoutMs: 10_000,
    });
    expect((await readiness()).checks.session_store).toBe(false);
    await redis!.start();
    await waitFor('ready again', async () => (await readiness()).status === 200, { timeoutMs: 20_000 });

    for (let i = 20; i < 40; i++) await gateway.publishAsync(TOPIC, String(i), { qos: 1 });
    await waitFor('the readings after the outage', () => new Set(received.map((m) => m.payload)).size >= 40, {
      timeoutMs: 20_000,
    }).catch(() => undefined);
    expect([...new Set(received.map((m) => Number(m.payload)))].sort((a, b) => a - b)).toEqual(
      Array.from({ length: 40 }, (_, i) => i),
    );
  }, 60_000);
});
