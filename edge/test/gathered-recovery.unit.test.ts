import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { batchMessageSchema } from '../../contracts/index.js';
import { DurableQueue, type QueueEntry } from '../buffer/durable-queue.js';
import { bufferSchema } from '../config/edge-config-schema.js';
import { createEdgeMetrics } from '../metrics.js';
import { RateLimitedLog } from '../rate-limited-log.js';
import type { SeqStore } from '../seq-store.js';
import { CanonicalPublisher } from '../upstream/canonical-publisher.js';
import { failNextWrite } from './support/failing-disk.js';
import { testConfig, testLogger } from './support/gateway-harness.js';

const dirs: string[] = [];

afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

async function openQueue(dir: string): Promise<DurableQueue> {
  // A flush interval far longer than the test: only explicit flushes write.
  const queue = new DurableQueue({
    dir: join(dir, 'buffer'),
    config: bufferSchema().parse({ flushIntervalMs: 10_000, reserveBytes: 0 }),
    metrics: createEdgeMetrics(new Registry(), { bufferDepth: () => 0 }),
    warnings: new RateLimitedLog(testLogger),
    logger: testLogger,
  });
  await queue.start();
  return queue;
}

function publisherOn(dir: string, queue: DurableQueue): CanonicalPublisher {
  let next = 0;
  return new CanonicalPublisher({
    config: testConfig('mqtt://127.0.0.1:1', dir, { publish: { mode: 'batch', batchIntervalMs: 60_000 } }),
    upstream: queue,
    gathered: queue.gathered,
    seq: { next: () => next++ } as unknown as SeqStore,
    metrics: createEdgeMetrics(new Registry(), { bufferDepth: () => 0 }),
    logger: testLogger,
    warnings: new RateLimitedLog(testLogger),
  });
}

/** The batches a queue holds, as [device, seq] of their items. */
async function batchedItems(queue: DurableQueue): Promise<Array<Array<[string, number]>>> {
  const entries: QueueEntry[] = await queue.read(0n, undefined, 100);
  return entries
    .filter((entry) => entry.topic.endsWith('/batch'))
    .map((entry) => {
      const batch = batchMessageSchema.parse(JSON.parse(entry.body));
      return [...batch.telemetry, ...batch.events].map((item): [string, number] => [item.device, item.seq]);
    });
}

/** A queue and a batch-mode publisher in a fresh folder, with a reading and a door event gathered. */
async function startGathering(): Promise<{
  dir: string;
  queue: DurableQueue;
  publisher: CanonicalPublisher;
}> {
  const dir = await mkdtemp(join(tmpdir(), 'gathered-recovery-'));
  dirs.push(dir);
  const queue = await openQueue(dir);
  const publisher = publisherOn(dir, queue);
  await publisher.start();
  publisher.telemetry('meter-1', { voltage_v: 231 }, 1_000);
  publisher.event('hall-door', 'door_opened', { door: 1 }, 1_001);
  return { dir, queue, publisher };
}

describe('items gathered for a batch', () => {
  it('are durable once their group commit is written, and come back after a crash as the first batch, seqs kept', async () => {
    const { dir, queue, publisher } = await startGathering();
    publisher.telemetry('meter-1', { voltage_v: 232 }, 1_002);

    let durable: boolean | undefined;
    void queue.whenDurable().then((written) => (durable = written));
    await new Promise((resolve) => setImmediate(resolve));
    expect(durable).toBeUndefined();
    await queue.flush();
    expect(durable).toBe(true);
    // Nothing went into the queue: the batch is a minute away.
    expect(queue.depth).toBe(0);

    // A crash: the publisher never forms its batch; only what the group commits wrote is left.
    await queue.stop();
    const reopened = await openQueue(dir);
    await publisherOn(dir, reopened).start();
    await reopened.flush();
    const [entry, ...rest] = await reopened.read(0n, undefined, 10);
    expect(rest).toEqual([]);
    const batch = batchMessageSchema.parse(JSON.parse(entry!.body));
    expect(entry!.topic).toBe('v1/test-site/gw-test/batch');
    expect(batch.telemetry.map((t) => [t.device, t.seq, t.values.voltage_v])).toEqual([
      ['meter-1', 0, 231],
      ['meter-1', 2, 232],
    ]);
    expect(batch.events.map((e) => [e.device, e.seq, e.type])).toEqual([['hall-door', 1, 'door_opened']]);
    await reopened.stop();

    // The batch replaced the journal in one write: a third start finds the batch alone.
    const third = await openQueue(dir);
    await publisherOn(dir, third).start();
    await third.flush();
    expect((await third.read(0n, undefined, 10)).map((e) => e.body)).toEqual([entry!.body]);
    await third.stop();
  });

  it('go with the next batch when the write of theirs fails, and leave the journal with it', async () => {
    const { dir, queue, publisher } = await startGathering();
    // Written as a chunk: a LAN device has its PUBACK for the door event now.
    await queue.flush();

    const diskFixed = await failNextWrite(queue, join(dir, 'buffer'));
    // A fire alarm goes at once, after the batch gathered so far: both in one write, which fails.
    publisher.event('panel', 'fire_alarm', {}, 1_002);
    await queue.flush();
    expect(queue.stats().dropped).toBe(2);
    await diskFixed();

    publisher.event('panel', 'fire_alarm', {}, 1_003);
    await queue.flush();
    const expected = [
      [
        ['meter-1', 0],
        ['hall-door', 1],
      ],
    ];
    expect(await batchedItems(queue)).toEqual(expected);
    await publisher.stop();
    await queue.stop();

    // The batch deleted the journal's chunk when it was written: a restart sends nothing twice.
    const reopened = await openQueue(dir);
    const restarted = publisherOn(dir, reopened);
    await restarted.start();
    await reopened.flush();
    expect(await batchedItems(reopened)).toEqual(expected);
    await restarted.stop();
    await reopened.stop();
  });
});
