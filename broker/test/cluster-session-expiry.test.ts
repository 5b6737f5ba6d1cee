import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { topicFilters, topics } from '../../contracts/index.js';
import { ManagedRedis } from '../../stack/index.js';
import { waitFor } from '../../runtime/index.js';
import { BrokerService } from '../broker-service.js';
import {
  SESSION_ACCOUNTS,
  addSessionAccounts,
  closeAllClients,
  connectClient,
  connectCollecting,
  quietLogger,
  tempBrokerDir,
  testBrokerConfig,
  type TempBrokerDir,
} from './harness.js';

const EXPIRY_S = 2;
const INGEST = { ...SESSION_ACCOUNTS.ingest, clientId: 'ingest-cluster' };

let dir: TempBrokerDir;
let redis: ManagedRedis;
const nodes: BrokerService[] = [];

async function startNode(): Promise<BrokerService> {
  const config = testBrokerConfig(dir, {
    persistence: { backend: 'redis', redisUrl: redis.url },
    limits: { sessionExpirySeconds: EXPIRY_S },
  });
  const node = new BrokerService(config, { logger: quietLogger() });
  nodes.push(node);
  await node.start();
  return node;
}

beforeAll(async () => {
  dir = await tempBrokerDir();
  await addSessionAccounts(dir.credentialsFile);
  redis = new ManagedRedis({ dataDir: join(dir.path, 'redis') });
  await redis.start();
});

afterAll(async () => {
  await closeAllClients();
  for (const node of nodes) await node.stop();
  await redis?.stop();
  await dir?.remove();
});

/**
 * Two nodes on one Redis. A node knows only its own clients, and one (re)started counts
 * every stored session as away from its start: it expired ingest's session while ingest
 * was connected to the other node, and a message published while ingest then reconnected
 * was queued for no one.
 */
it('a node keeps the session of a client connected to the other node past the expiry', async () => {
  const nodeB = await startNode();
  const ingest = await connectClient(nodeB.mqttUrl, INGEST);
  await ingest.subscribeAsync(topicFilters.siteStreams('s'), { qos: 1 });
  const nodeA = await startNode();

  // The expiry sweeps run on their own schedule (a quarter of the expiry): node A has
  // swept more than once after the session would have expired by its own count.
  await sleep(EXPIRY_S * 1000 * 1.75);
  const expired = await (await fetch(`${nodeA.httpUrl}/metrics`)).text();
  expect(expired).not.toMatch(/^broker_sessions_expired_total\{[^}]*\} [1-9]/m);

  // What that costs: ingest away a moment, a reading acknowledged by node A meanwhile.
  await ingest.endAsync();
  const gateway = await connectClient(nodeA.mqttUrl, SESSION_ACCOUNTS.gateway);
  const reading = JSON.stringify({ ts: Date.now(), seq: 1, values: { voltage_v: 230 } });
  await gateway.publishAsync(topics.telemetry('s', 'gw-a', 'meter-1'), reading, { qos: 1 });
  const { messages } = await connectCollecting(nodeB.mqttUrl, INGEST);
  await waitFor('the reading published while ingest was away', () => messages.length > 0, {
    timeoutMs: 10_000,
  }).catch(() => undefined);
  expect(messages.map((m) => m.payload)).toEqual([reading]);
}, 60_000);

it('a session whose client is connected to no node still expires', async () => {
  await closeAllClients();
  const expiredOn = async (node: BrokerService) =>
    /^broker_sessions_expired_total\{[^}]*\} [1-9]/m.test(
      await (await fetch(`${node.httpUrl}/metrics`)).text(),
    );
  await waitFor(
    'a node to expire the session',
    async () => (await Promise.all(nodes.map(expiredOn))).some(Boolean),
    { timeoutMs: 20_000, intervalMs: 200 },
  );
  const stored = await (await fetch(`${nodes[0]!.httpUrl}/metrics`)).text();
  expect(stored).toMatch(/^broker_stored_subscriptions(?:\{[^}]*\})? 0$/m);
}, 60_000);
