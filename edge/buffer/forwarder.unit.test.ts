import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../runtime/index.js';
import { bufferSchema } from '../config/edge-config-schema.js';
import { createEdgeMetrics } from '../metrics.js';
import { RateLimitedLog } from '../rate-limited-log.js';
import { DurableQueue } from './durable-queue.js';
import { Forwarder, type ForwardLink } from './forwarder.js';

const logger = pino({ level: 'silent' });
const dirs: string[] = [];

/** A link that acknowledges every publish on the next turn, and can start and end sessions. */
class InstantAckLink implements ForwardLink {
  connected = false;
  readonly bodies: string[] = [];
  private readonly listeners = new Set<(ready: boolean) => void>();

  publishRaw(_topic: string, body: string, done: (error?: Error) => void): void {
    this.bodies.push(body);
    setImmediate(() => done());
  }

  onSession(listener: (ready: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  session(ready: boolean): void {
    this.connected = ready;
    for (const listener of this.listeners) listener(ready);
  }
}

/** A link that records whether each message was on disk when it was published, and answers as told. */
class RecordingLink implements ForwardLink {
  connected = true;
  readonly sent: Array<{ body: string; durableEnd: bigint }> = [];
  /** How the next publishes are answered: at once (before the write completes), with an error, or never. */
  answer: 'ack' | 'fail' | 'hold' = 'ack';
  readonly held: Array<() => void> = [];

  constructor(private readonly queue: () => DurableQueue) {}

  publishRaw(_topic: string, body: string, done: (error?: Error) => void): void {
    this.sent.push({ body, durableEnd: this.queue().durableEnd });
    if (this.answer === 'ack') done();
    else if (this.answer === 'fail') done(new Error('connection lost'));
    else this.held.push(() => done());
  }

  onSession(): () => void {
    return () => undefined;
  }
}

async function openQueue(
  dir: string,
  inflightWindow = 8,
): Promise<{ queue: DurableQueue; forwarder: Forwarder; link: RecordingLink }> {
  const metrics = createEdgeMetrics(new Registry(), { bufferDepth: () => 0 });
  const config = bufferSchema().parse({ flushIntervalMs: 10_000, reserveBytes: 0, inflightWindow });
  const queue = new DurableQueue({ dir, config, metrics, warnings: new RateLimitedLog(logger), logger });
  await queue.start();
  const link = new RecordingLink(() => queue);
  const forwarder = new Forwarder({ queue, link, config, metrics, logger });
  await forwarder.start();
  return { queue, forwarder, link };
}

async function tempQueueDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'forwarder-'));
  dirs.push(dir);
  return dir;
}

afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('forwarder', () => {
  it('sends messages that were still on their way to the disk when a session began', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'forwarder-'));
    dirs.push(dir);
    const metrics = createEdgeMetrics(new Registry(), { bufferDepth: () => 0 });
    const config = bufferSchema().parse({ flushIntervalMs: 10_000, reserveBytes: 0, inflightWindow: 8 });
    const queue = new DurableQueue({ dir, config, metrics, warnings: new RateLimitedLog(logger), logger });
    await queue.start();
    const link = new InstantAckLink();
    const forwarder = new Forwarder({ queue, link, config, metrics, logger });
    await forwarder.start();

    for (let i = 0; i < 20; i++) queue.append('t', `durable-${i}`);
    await queue.flush();
    for (let i = 0; i < 20; i++) queue.append('t', `pending-${i}`);
    // The uplink comes back while the second group is not yet on disk; the backlog
    // replay can finish before that group is written.
    link.session(true);
    await waitFor('the durable backlog sent', () => queue.depth === 20, { timeoutMs: 5_000 });
    await queue.flush();
    await waitFor('everything sent', () => queue.depth === 0, { timeoutMs: 5_000 });

    expect([...new Set(link.bodies)].sort()).toEqual(
      [
        ...Array.from({ length: 20 }, (_, i) => `durable-${i}`),
        ...Array.from({ length: 20 }, (_, i) => `pending-${i}`),
      ].sort(),
    );
    await forwarder.stop();
    await queue.stop();
  });

  it('sends what a flush takes at once, and deletes what was acknowledged before its write ended once it is written', async () => {
    const dir = await tempQueueDir();
    const { queue, forwarder, link } = await openQueue(dir);
    queue.append('site/gw/panel/event', 'fire', true);
    const first = queue.flush();
    // The first write has started (microtasks do not let its completion in): the next
    // flush, while it runs, does not wait for it to go out.
    await Promise.resolve();
    await Promise.resolve();
    expect(queue.durableEnd).toBe(0n);
    queue.append('site/gw/panel/event', 'reset', true);
    await Promise.all([first, queue.flush()]);
    // Published (and acknowledged, synchronously) while neither was on disk yet.
    expect(link.sent).toEqual([
      { body: 'fire', durableEnd: 0n },
      { body: 'reset', durableEnd: 0n },
    ]);
    await waitFor('both deleted', () => queue.depth === 0, { timeoutMs: 5_000 });
    await forwarder.stop();
    await queue.stop();

    // Not resurrected by the put they overtook: nothing is sent again after a restart.
    const again = await openQueue(dir);
    expect(again.queue.depth).toBe(0);
    await again.forwarder.stop();
    await again.queue.stop();
  });

  it('sends again, once on disk, what failed to go ahead; and keeps order behind a full window', async () => {
    const dir = await tempQueueDir();
    const { queue, forwarder, link } = await openQueue(dir, 1);
    link.answer = 'fail';
    queue.append('t', 'first', true);
    await queue.flush();
    link.answer = 'hold';
    await waitFor('sent again from the disk', () => link.sent.length === 2, { timeoutMs: 5_000 });
    expect(link.sent[1]).toEqual({ body: 'first', durableEnd: 1n });
    // The window is full: the next group waits for the disk and its turn.
    queue.append('t', 'second', true);
    await queue.flush();
    expect(link.sent).toHaveLength(2);
    link.answer = 'ack';
    link.held.shift()?.();
    await waitFor('the second sent', () => link.sent.length === 3, { timeoutMs: 5_000 });
    expect(link.sent[2]).toEqual({ body: 'second', durableEnd: 2n });
    await waitFor('all deleted', () => queue.depth === 0, { timeoutMs: 5_000 });
    await forwarder.stop();
    await queue.stop();
  });
});
