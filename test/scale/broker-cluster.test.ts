import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManagedRedis, ServiceProcess } from '../../stack/index.js';
import {
  FaultVillage,
  awaitDelivery,
  logReport,
  queuedReadings,
  storedSeqs,
  summary,
  whereMissing,
  type LoadPublisher,
} from '../faults/support/index.js';
import { freePort, waitFor } from '../../runtime/index.js';

/** The stack's ingest keeps the default client id. */
const INGEST_CLIENT_ID = 'ingest-1';

/**
 * Two broker nodes sharing sessions and messages through Redis (aedes-persistence-redis,
 * mqemitter-redis). The gateway starts on node A, ingest on node B; each node in turn is
 * killed with SIGKILL under load: clients move to the other node, and every seq is stored
 * once.
 */
describe('scale: a two-node broker cluster on Redis', () => {
  let village: FaultVillage;
  let redis: ManagedRedis;
  let nodeB: ServiceProcess;
  let load: LoadPublisher;
  let ports: { a: number; b: number; bHttp: number };
  const url = (port: number) => `mqtt://127.0.0.1:${port}`;
  const clients = async (httpPort: number) => {
    const metrics = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
    return Number(/^broker_clients_connected(?:{[^}]*})? (\d+)/m.exec(metrics)?.[1] ?? NaN);
  };

  /** After the gateway drained its buffer: every seq published is stored once, no gaps. */
  const expectEverySeqOnce = async (label: string) => {
    await village.edgeDrained();
    await sleep(2000);
    const report = await awaitDelivery(village.stack, { ledger: village.ledger, load }, 30_000);
    logReport(label, report);
    // A failure says where the missing seqs are instead: still queued for ingest in
    // Redis, stored under another device, or neither.
    let explained = summary(report);
    if (report.missing.length > 0) {
      const queued = await queuedReadings(redis.url, INGEST_CLIENT_ID);
      explained += `; ${whereMissing(report, await storedSeqs(village.stack), queued)}`;
    }
    expect(report.missing, explained).toEqual([]);
    expect(report.duplicated, summary(report)).toEqual([]);
    expect(report.gaps, summary(report)).toEqual([]);
  };

  beforeAll(async () => {
    const [a, b, bHttp, redisPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
    ports = { a, b, bHttp };
    const redisUrl = `redis://127.0.0.1:${redisPort}`;
    village = new FaultVillage({
      name: 'cluster',
      pollIntervalS: 1,
      ports: { mqtt: a },
      env: {
        broker: { BROKER_PERSISTENCE: 'redis', BROKER_REDIS_URL: redisUrl },
        edge: { EDGE_UPSTREAM_FAILOVER_URLS: url(b) },
        ingest: { INGEST_MQTT_URL: url(b), INGEST_MQTT_FAILOVER_URLS: url(a) },
      },
    });
    redis = new ManagedRedis({ dataDir: join(village.dir, 'redis'), port: redisPort });
    await redis.start();
    // Ingest tries node B first; B is not up yet, so it starts on A and is moved below.
    await village.start();
    nodeB = new ServiceProcess({
      name: 'broker-b',
      entry: 'broker/main.ts',
      logFile: join(village.dir, 'broker-b.log'),
      readyUrl: `http://127.0.0.1:${bHttp}/readyz`,
      env: {
        LOG_LEVEL: 'info',
        BROKER_MQTT_HOST: '127.0.0.1',
        BROKER_MQTT_PORT: String(b),
        BROKER_HTTP_PORT: String(bHttp),
        BROKER_CREDENTIALS_FILE: village.stack.credentialsFile,
        BROKER_PERSISTENCE: 'redis',
        BROKER_REDIS_URL: redisUrl,
      },
    });
    await nodeB.start();
    const ingest = village.stack.service('ingest');
    await ingest.stop();
    await ingest.start();
    await waitFor('ingest on node B', async () => (await clients(bHttp)) === 1, { timeoutMs: 20_000 });
    load = await village.startLoad(100);
    await sleep(3000);
  }, 240_000);

  afterAll(async () => {
    await village?.stop({ keep: process.env.KEEP === '1' });
    await nodeB?.stop();
    await redis?.stop();
  }, 60_000);

  it('starts with the gateway on node A and ingest on node B, messages crossing through Redis', async () => {
    expect(await clients(ports.bHttp)).toBe(1);
    const report = await awaitDelivery(village.stack, { ledger: village.ledger, load });
    expect(report.sent).toBeGreaterThan(100);
    expect(report.missing, summary(report)).toEqual([]);
  }, 60_000);

  it('node A (the gateway’s) is killed: the gateway moves to B, nothing lost or doubled', async () => {
    const nodeA = village.stack.service('broker');
    await nodeA.stop('SIGKILL');
    await waitFor('the gateway on node B', async () => (await clients(ports.bHttp)) >= 2, {
      timeoutMs: 30_000,
    });
    await sleep(3000);
    await nodeA.start();
    await expectEverySeqOnce('cluster: node A killed');
  }, 150_000);

  it('node B (ingest’s and now the gateway’s) is killed: both move to A, nothing lost or doubled', async () => {
    await nodeB.stop('SIGKILL');
    await waitFor(
      'ingest connected again',
      async () => (await fetch(`http://127.0.0.1:${village.stack.ports.ingestHttp}/readyz`)).status === 200,
      { timeoutMs: 30_000 },
    );
    await sleep(3000);
    await nodeB.start();
    await expectEverySeqOnce('cluster: node B killed');
  }, 150_000);
});
