import { mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { bufferSchema } from '../config/edge-config-schema.js';
import { createEdgeMetrics } from '../metrics.js';
import { RateLimitedLog } from '../rate-limited-log.js';
import { FOLDER_FORMAT_FILE } from '../../runtime/index.js';
import { failNextWrite } from '../test/support/failing-disk.js';
import { BUFFER_FORMAT, DurableQueue, type QueueEntry } from './durable-queue.js';

const logger = pino({ level: 'silent' });
const dirs: string[] = [];

async function openQueue(
  dir: string,
  overrides: Partial<Record<string, number>> = {},
): Promise<DurableQueue> {
  const queue = new DurableQueue({
    dir,
    config: bufferSchema().parse({ flushIntervalMs: 5_000, reserveBytes: 0, ...overrides }),
    metrics: createEdgeMetrics(new Registry(), { bufferDepth: () => 0 }),
    warnings: new RateLimitedLog(logger),
    logger,
  });
  await queue.start();
  return queue;
}

async function tempQueueDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'durable-queue-'));
  dirs.push(dir);
  return join(dir, 'buffer');
}

afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** A buffer folder holding `count` messages, its queue stopped, and its format marker. */
async function stoppedQueueHolding(count: number): Promise<{ dir: string; marker: string }> {
  const dir = await tempQueueDir();
  const queue = await openQueue(dir);
  for (let i = 0; i < count; i++) queue.append('v1/s/g/d/telemetry', `{"seq":${i}}`);
  await queue.stop();
  return { dir, marker: join(dir, FOLDER_FORMAT_FILE) };
}

describe('durable queue', () => {
  it('marks its folder with its format, and keeps a buffer written before the mark', async () => {
    const { dir, marker } = await stoppedQueueHolding(5);
    expect(JSON.parse(await readFile(marker, 'utf8'))).toEqual(BUFFER_FORMAT);

    await unlink(marker);
    const reopened = await openQueue(dir);
    expect(reopened.stats().depth).toBe(5);
    await reopened.stop();
    expect(JSON.parse(await readFile(marker, 'utf8'))).toEqual(BUFFER_FORMAT);
  });

  it('reads a buffer of format 1 (before the gather journal) as it is, and marks it as its own', async () => {
    const { dir, marker } = await stoppedQueueHolding(4);
    await writeFile(marker, JSON.stringify({ store: 'edge-buffer-leveldb', version: 1 }));

    const reopened = await openQueue(dir);
    expect(reopened.stats().depth).toBe(4);
    await reopened.stop();
    // A release of format 1 would read a journal chunk as a queued message: it is refused this folder now.
    expect(JSON.parse(await readFile(marker, 'utf8'))).toEqual({ store: 'edge-buffer-leveldb', version: 2 });
  });

  it('refuses a buffer in another format and leaves what it holds', async () => {
    const { dir, marker } = await stoppedQueueHolding(3);
    await writeFile(marker, JSON.stringify({ ...BUFFER_FORMAT, version: 3 }));

    await expect(openQueue(dir)).rejects.toThrow(
      /edge-buffer-leveldb format 3; this release reads edge-buffer-leveldb format 2: start the release that wrote it/,
    );
    await writeFile(marker, JSON.stringify(BUFFER_FORMAT));
    const reopened = await openQueue(dir);
    expect(reopened.stats().depth).toBe(3);
    await reopened.stop();
  });

  it('never hands out a message again after its acknowledged delete, and counts each delete once', async () => {
    const dir = await tempQueueDir();
    const queue = await openQueue(dir);
    const total = 3_000;
    for (let i = 0; i < total; i++) queue.append('v1/s/g/d/telemetry', `{"seq":${i}}`);
    await queue.flush();

    const acked = new Set<bigint>();
    const handedOutAfterAck: bigint[] = [];
    // Several readers at once, like live and replay turns overlapping with deletes:
    // each acks most of what it got and releases the rest, yielding between steps so
    // that deletes complete while other iterators are still open.
    const reader = async (seed: number): Promise<void> => {
      for (let round = 0; round < 200 && acked.size < total; round++) {
        const entries: QueueEntry[] = await queue.read(0n, undefined, 7 + seed);
        for (const entry of entries) {
          if (acked.has(entry.key)) handedOutAfterAck.push(entry.key);
          if ((Number(entry.key) + round) % 5 === 0) queue.release(entry);
          else {
            acked.add(entry.key);
            queue.ack(entry);
          }
          await new Promise((resolve) => setImmediate(resolve));
        }
      }
    };
    await Promise.all([reader(0), reader(1), reader(2), reader(3)]);
    await queue.stop();

    expect(handedOutAfterAck).toEqual([]);
    const depthBefore = queue.stats().depth;
    expect(depthBefore).toBe(total - acked.size);

    const reopened = await openQueue(dir);
    expect(reopened.stats().depth).toBe(depthBefore);
    await reopened.stop();
  });

  it('keeps its counters equal to what is on disk when dropping the oldest while messages are acknowledged', async () => {
    const dir = await tempQueueDir();
    const maxMessages = 200;
    const queue = await openQueue(dir, { maxMessages });
    const readers: Array<Promise<void>> = [];
    let ackedCount = 0;
    for (let group = 0; group < 30; group++) {
      for (let i = 0; i < 50; i++) queue.append('v1/s/g/d/telemetry', `{"group":${group},"i":${i}}`);
      const flushed = queue.flush();
      readers.push(
        (async () => {
          const entries = await queue.read(0n, undefined, 20);
          for (const entry of entries) {
            queue.ack(entry);
            ackedCount++;
            await new Promise((resolve) => setImmediate(resolve));
          }
        })(),
      );
      await flushed;
    }
    await Promise.all(readers);
    await queue.stop();
    const { depth, dropped } = queue.stats();
    expect(depth).toBeGreaterThanOrEqual(0);
    expect(depth).toBeLessThanOrEqual(maxMessages);
    expect(depth + dropped + ackedCount).toBe(30 * 50);

    const reopened = await openQueue(dir, { maxMessages });
    expect(reopened.stats().depth).toBe(depth);
    await reopened.stop();
  });

  it('when full, gives up readings first, then events by rising severity, each oldest first', async () => {
    const queue = await openQueue(await tempQueueDir(), { maxMessages: 10 });
    const event = (type: string, n: number) => `{"ts":1,"seq":${n},"type":"${type}","data":{}}`;
    queue.append('v1/s/g/panel/event', event('fire_alarm', 0));
    queue.append('v1/s/g/door/event', event('door_held_open', 1));
    for (let i = 0; i < 12; i++) queue.append('v1/s/g/door/event', event('access_granted', 2 + i));
    for (let i = 0; i < 6; i++) queue.append('v1/s/g/meter/telemetry', `{"seq":${i}}`);
    await queue.flush();
    // 20 in, 10 kept: the six readings go, then the four oldest info events.
    const kept = (await queue.read(0n, undefined, 100)).map(
      (entry) => JSON.parse(entry.body) as { seq: number },
    );
    expect(kept.map((body) => body.seq)).toEqual([0, 1, 6, 7, 8, 9, 10, 11, 12, 13]);
    expect(queue.stats().dropped).toBe(10);
    await queue.stop();
  });
  it('lets go of what it sent ahead from a group whose write failed: a late acknowledgement deletes nothing', async () => {
    const dir = await tempQueueDir();
    const queue = await openQueue(dir);
    const diskFixed = await failNextWrite(queue, dir);
    // The forwarder sends each group ahead of its write, as when the uplink is idle.
    const sentAhead: QueueEntry[] = [];
    queue.onFlush((entries) => {
      for (const entry of entries) queue.claimAhead(entry);
      sentAhead.push(...entries);
    });
    for (let i = 0; i < 3; i++) queue.append('v1/s/g/d/telemetry', `{"seq":${i}}`);
    await queue.flush();
    await diskFixed();
    expect(queue.stats()).toMatchObject({ depth: 1, dropped: 3 });

    // Their PUBACKs come after the write failed.
    for (const entry of sentAhead) queue.ack(entry);
    await queue.stop();
    expect(queue.stats().depth).toBe(1);
    const reopened = await openQueue(dir);
    expect(reopened.stats().depth).toBe(1);
    await reopened.stop();
  });
});
