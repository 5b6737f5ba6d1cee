import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batchMessageSchema } from '../../contracts/index.js';
import { RateLimitedLog } from '../rate-limited-log.js';
import { createEdgeMetrics } from '../metrics.js';
import { SeqStore } from '../seq-store.js';
import { CanonicalPublisher, MAX_BATCH_BYTES } from '../upstream/canonical-publisher.js';
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
});
