import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { batchMessageSchema } from '../../contracts/index.js';
import { RateLimitedLog } from '../rate-limited-log.js';
import { createEdgeMetrics } from '../metrics.js';
import { SeqStore } from '../seq-store.js';
import { CanonicalPublisher, MAX_BATCH_BYTES, PROMPT_FLUSH_MS } from '../upstream/canonical-publisher.js';
import { tempDir, testConfig, testLogger } from './support/gateway-harness.js';

describe('batch size', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let seq: SeqStore;

  beforeAll(async () => {
    dir = await tempDir();
    seq = new SeqStore({ dataDir: dir.path, logger: testLogger });
    await seq.start();
  });

  afterAll(async () => {
    await seq.stop();
    await dir.remove();
  });

  it('splits a cycle of many wide meters into batches under the byte limit, losing no reading', async () => {
    const published: string[] = [];
    const publisher = new CanonicalPublisher({
      config: testConfig('mqtt://127.0.0.1:1', dir.path, {
        publish: { mode: 'batch', batchIntervalMs: 60_000 },
      }),
      upstream: { publish: (_topic, payload) => published.push(JSON.stringify(payload)) },
      seq,
      metrics: createEdgeMetrics(new Registry(), { bufferDepth: () => 0 }),
      logger: testLogger,
      warnings: new RateLimitedLog(testLogger),
    });
    await publisher.start();
    // 600 three-phase meters with 24 fields each: ~500 KiB of readings in one cycle.
    const values = Object.fromEntries(
      Array.from({ length: 24 }, (_, i) => [`phase_quantity_${i}`, 12_345.678 + i]),
    );
    for (let meter = 0; meter < 600; meter++) publisher.telemetry(`meter-${meter}`, values);
    await publisher.stop();

    expect(published.length).toBeGreaterThan(5);
    const readings = new Set<string>();
    for (const payload of published) {
      expect(Buffer.byteLength(payload)).toBeLessThanOrEqual(MAX_BATCH_BYTES);
      for (const item of batchMessageSchema.parse(JSON.parse(payload)).telemetry) {
        readings.add(`${item.device}#${item.seq}`);
      }
    }
    expect(readings.size).toBe(600);
  });
  it('gathers info events into the batch; a warning or critical event goes at once, after what came before it', async () => {
    const published: Array<{ topic: string; payload: unknown }> = [];
    const publisher = new CanonicalPublisher({
      config: testConfig('mqtt://127.0.0.1:1', dir.path, {
        publish: { mode: 'batch', batchIntervalMs: 60_000 },
      }),
      upstream: { publish: (topic, payload) => published.push({ topic, payload }) },
      seq,
      metrics: createEdgeMetrics(new Registry(), { bufferDepth: () => 0 }),
      logger: testLogger,
      warnings: new RateLimitedLog(testLogger),
    });
    await publisher.start();
    publisher.telemetry('panel-power', { voltage_v: 230 });
    publisher.event('panel-door', 'door_opened', { door: 1 });
    publisher.event('fire-panel', 'fire_reset');
    publisher.event('fire-panel', 'fire_alarm', { loop: 1, address: 7 });
    publisher.event('panel-door', 'door_closed', { door: 1 });
    expect(published.map((m) => m.topic.split('/').at(-1))).toEqual(['batch', 'event']);
    await publisher.stop();

    expect(published.map((m) => m.topic.split('/').at(-1))).toEqual(['batch', 'event', 'batch']);
    const [first, alarm, last] = published;
    const firstBatch = batchMessageSchema.parse(first?.payload);
    expect(firstBatch.telemetry.map((t) => t.device)).toEqual(['panel-power']);
    expect(firstBatch.events.map((e) => e.type)).toEqual(['door_opened', 'fire_reset']);
    expect(alarm?.topic).toMatch(/\/fire-panel\/event$/);
    expect(alarm?.payload).toMatchObject({ type: 'fire_alarm', data: { loop: 1, address: 7 } });
    expect(batchMessageSchema.parse(last?.payload).events.map((e) => e.type)).toEqual(['door_closed']);
  });

  it('an info event that ends a state its device reported at once goes at once too; chatter still waits', async () => {
    const published: Array<{ topic: string; payload: unknown }> = [];
    const publisher = new CanonicalPublisher({
      config: testConfig('mqtt://127.0.0.1:1', dir.path, {
        publish: { mode: 'batch', batchIntervalMs: 60_000 },
      }),
      upstream: { publish: (topic, payload) => published.push({ topic, payload }) },
      seq,
      metrics: createEdgeMetrics(new Registry(), { bufferDepth: () => 0 }),
      logger: testLogger,
      warnings: new RateLimitedLog(testLogger),
    });
    await publisher.start();
    const sent = () => published.map((m) => `${m.topic.split('/').at(-2)}/${m.topic.split('/').at(-1)}`);
    publisher.event('hall-light', 'emergency_mains_lost');
    publisher.event('hall-light', 'emergency_self_test', { result: 'pass' });
    publisher.event('exit-light', 'emergency_mains_restored');
    expect(sent()).toEqual(['hall-light/event']);
    publisher.event('hall-light', 'emergency_mains_restored');
    expect(sent()).toEqual(['hall-light/event', 'gw-test/batch', 'hall-light/event']);
    expect(published[2]?.payload).toMatchObject({ type: 'emergency_mains_restored' });
    // Ended: a second restore rides the batch again.
    publisher.event('hall-light', 'emergency_mains_restored');
    await publisher.stop();
    expect(sent()).toHaveLength(4);
    expect(batchMessageSchema.parse(published[3]?.payload).events.map((e) => e.type)).toEqual([
      'emergency_mains_restored',
    ]);
  });

  it('for one batch interval after an event that went at once, readings leave within a second', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'setInterval', 'Date'] });
    try {
      const published: string[] = [];
      const publisher = new CanonicalPublisher({
        config: testConfig('mqtt://127.0.0.1:1', dir.path, {
          publish: { mode: 'batch', batchIntervalMs: 60_000 },
        }),
        upstream: { publish: (topic) => published.push(topic.split('/').at(-1) ?? '') },
        seq,
        metrics: createEdgeMetrics(new Registry(), { bufferDepth: () => 0 }),
        logger: testLogger,
        warnings: new RateLimitedLog(testLogger),
      });
      await publisher.start();
      vi.advanceTimersByTime(1_000);
      publisher.telemetry('canteen-power', { voltage_v: 230 });
      vi.advanceTimersByTime(PROMPT_FLUSH_MS * 5);
      expect(published).toEqual([]);
      publisher.event('canteen-light', 'emergency_mains_lost');
      expect(published).toEqual(['batch', 'event']);
      // The meters' next poll reads 0 V: it leaves within a second, not with the minute's batch.
      publisher.telemetry('canteen-power', { voltage_v: 0 });
      vi.advanceTimersByTime(PROMPT_FLUSH_MS);
      expect(published).toEqual(['batch', 'event', 'batch']);
      // A batch interval later the village is quiet again: readings wait for the batch.
      vi.advanceTimersByTime(60_000);
      publisher.telemetry('canteen-power', { voltage_v: 0.1 });
      vi.advanceTimersByTime(PROMPT_FLUSH_MS * 5);
      expect(published).toEqual(['batch', 'event', 'batch']);
      await publisher.stop();
    } finally {
      vi.useRealTimers();
    }
  });
});
