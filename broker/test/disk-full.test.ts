import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { topicFilters, topics } from '../../contracts/index.js';
import { waitFor } from '../../runtime/index.js';
import {
  fillDisk,
  fillLastBytes,
  freeDisk,
  mountTmpfs,
  tmpfsAvailable,
  unmount,
} from '../../test/faults/support/index.js';
import { connectClient, connectCollecting, SESSION_ACCOUNTS, sessionBrokerFixture } from './harness.js';

const TMPFS = tmpfsAvailable();
const INGEST = { ...SESSION_ACCOUNTS.ingest, clientId: 'ingest-disk-full' };
const TOPIC = topics.telemetry('s', 'gw-a', 'meter-1');

/**
 * The disk under the broker's session store fills up (a village's SD card) while a gateway
 * publishes for a consumer that is away. The broker keeps running (an unhandled error fails
 * the run) and acknowledges nothing it could not store: it drops the gateway's connection,
 * whose client sends the unacknowledged messages again. Once the disk has room, every
 * message reaches the consumer.
 */
describe.skipIf(!TMPFS)('a broker whose session disk is full', () => {
  let mounted: string | undefined;
  const fixture = sessionBrokerFixture({
    prepare: async (dir) => {
      mounted = dir.sessionsDir;
      mountTmpfs(mounted, 24 * 1024 * 1024);
    },
    cleanup: async () => {
      if (mounted) unmount(mounted);
    },
  });

  it('keeps running, acknowledges nothing it could not store, and delivers everything once there is room', async () => {
    const service = await fixture.start();
    const filler = join(fixture.dir().sessionsDir, 'filler');
    const away = await connectCollecting(service.mqttUrl, INGEST);
    await away.client.subscribeAsync(topicFilters.siteStreams('s'), { qos: 1 });
    await away.client.endAsync();

    const gateway = await connectClient(service.mqttUrl, {
      ...SESSION_ACCOUNTS.gateway,
      reconnectPeriod: 200,
    });
    let dropped = 0;
    gateway.on('close', () => dropped++);
    const acknowledged = new Set<number>();
    const publish = (i: number) =>
      gateway.publishAsync(TOPIC, String(i), { qos: 1 }).then(() => acknowledged.add(i));
    for (let i = 0; i < 10; i++) await publish(i);

    await fillDisk(filler, fixture.dir().sessionsDir);
    fillLastBytes(filler);
    const duringFull = Array.from({ length: 300 }, (_, k) => publish(10 + k));
    await waitFor('the broker dropping the gateway as it cannot store', () => dropped >= 2, {
      timeoutMs: 10_000,
    });
    expect(acknowledged.size).toBeLessThan(310);
    freeDisk(filler);
    rmSync(`${filler}.last`, { force: true });
    await Promise.all(duringFull);

    const { messages } = await connectCollecting(service.mqttUrl, INGEST);
    await waitFor('every message delivered', () => new Set(messages.map((m) => m.payload)).size >= 310, {
      timeoutMs: 15_000,
    });
    expect([...new Set(messages.map((m) => Number(m.payload)))].sort((a, b) => a - b)).toEqual(
      Array.from({ length: 310 }, (_, i) => i),
    );
  });
});
