import { describe, expect, it } from 'vitest';
import { createLogger, createMetricsRegistry } from '../../runtime/index.js';
import type { PointWriter } from '../influx/point-writer.js';
import { encodeLines } from '../influx/encoded-lines.js';
import { createIngestMetrics } from '../metrics.js';
import { WritePipeline, type Submission } from './write-pipeline.js';

class MemoryWriter implements PointWriter {
  readonly description = 'memory';
  readonly lines: string[] = [];
  async write(body: Buffer): Promise<void> {
    this.lines.push(...body.toString().split('\n'));
  }
  async ping(): Promise<boolean> {
    return true;
  }
}

function submission(line: string, stale: boolean, settled: () => void = () => {}): Submission {
  const origin = { topic: 't', payload: () => Buffer.from(line) };
  return {
    lines: encodeLines([line]),
    measurements: ['m'],
    originOf: () => origin,
    isStale: () => stale,
    settled,
  };
}

describe('WritePipeline', () => {
  it('keeps flushing after a flush that found only stale messages', async () => {
    const writer = new MemoryWriter();
    const pipeline = new WritePipeline({
      writer,
      batchSize: 100,
      flushIntervalMs: 20,
      maxBackoffMs: 100,
      metrics: createIngestMetrics(createMetricsRegistry('ingest-test')),
      logger: createLogger('ingest-test', { level: 'silent' }),
      onRejected: async () => {},
    });
    pipeline.start();
    pipeline.submit(submission('m v=1 1', true));
    await new Promise((resolve) => setTimeout(resolve, 60));
    const settled = new Promise<void>((resolve) => pipeline.submit(submission('m v=2 2', false, resolve)));
    await settled;
    expect(writer.lines).toEqual(['m v=2 2']);
    expect(pipeline.bufferedPoints).toBe(0);
    await pipeline.stop(100);
  });
});
