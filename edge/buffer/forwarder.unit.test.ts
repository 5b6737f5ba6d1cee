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
});
