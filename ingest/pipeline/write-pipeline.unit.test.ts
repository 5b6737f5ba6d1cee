import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger, createMetricsRegistry } from '../../runtime/index.js';
import type { PointWriter } from '../influx/point-writer.js';
import { encodeLines } from '../influx/encoded-lines.js';
import { createIngestMetrics } from '../metrics.js';
import { WritePipeline, type Submission } from './write-pipeline.js';

/** A body's lines as one text joined by newlines: every line of a body ends with one (point-writer.ts). */
function linesText(pieces: readonly Buffer[]): string {
  const text = Buffer.concat(pieces).toString();
  if (!text.endsWith('\n')) throw new Error(`a body's last line has no newline: ${text}`);
  return text.slice(0, -1);
}

class MemoryWriter implements PointWriter {
  readonly description = 'memory';
  readonly lines: string[] = [];
  async write(body: readonly Buffer[]): Promise<void> {
    this.lines.push(...linesText(body).split('\n'));
  }
  async ping(): Promise<boolean> {
    return true;
  }
}

/** Holds every write until the test releases it, so writes in flight can be counted. */
class GatedWriter implements PointWriter {
  readonly description = 'gated';
  readonly pending: Array<{ body: string; release: () => void }> = [];
  readonly written: string[] = [];
  maxInFlight = 0;
  async write(pieces: readonly Buffer[]): Promise<void> {
    const body = linesText(pieces);
    await new Promise<void>((release) => {
      this.pending.push({ body, release });
      this.maxInFlight = Math.max(this.maxInFlight, this.pending.length);
    });
    this.written.push(body);
  }
  release(body: string): void {
    const index = this.pending.findIndex((write) => write.body === body);
    if (index < 0) throw new Error(`no write of ${body} in flight`);
    const [write] = this.pending.splice(index, 1);
    write?.release();
  }
  async ping(): Promise<boolean> {
    return true;
  }
}

const until = async (condition: () => boolean) => {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  expect(condition()).toBe(true);
};

function pipelineWith(
  writer: PointWriter,
  writeConcurrency: number,
  batchSize = 100,
  flushIntervalMs = 20,
  sourceWaiting?: () => boolean,
  batchMessages = 10_000,
): WritePipeline {
  return new WritePipeline({
    ...(sourceWaiting ? { sourceWaiting } : {}),
    writer,
    batchSize,
    batchMessages,
    flushIntervalMs,
    writeConcurrency,
    maxBackoffMs: 100,
    metrics: createIngestMetrics(createMetricsRegistry('ingest-test')),
    logger: createLogger('ingest-test', { level: 'silent' }),
    onRejected: async () => {},
  });
}

function submission(line: string, stale: boolean, settled: () => void = () => {}): Submission {
  const origin = { topic: 't', payload: () => Buffer.from(line) };
  return {
    ...encodeLines([line]),
    measurements: ['m'],
    originOf: () => origin,
    isStale: () => stale,
    settled,
  };
}

describe('WritePipeline', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('writes at once, not after the flush interval, when the source can hand over nothing more', async () => {
    const writer = new GatedWriter();
    let sourceWaiting = false;
    const pipeline = pipelineWith(writer, 2, 100, 60_000, () => sourceWaiting);
    pipeline.start();
    pipeline.submit(submission('m v=1 1', false));
    sourceWaiting = true; // e.g. the second of two MQTT 5 connections now holds a message too
    pipeline.submit(submission('m v=2 2', false));
    await until(() => writer.pending.length === 1);
    // one write with both: the first waited for the interval until the source could send no more
    expect(writer.pending[0]?.body.trim().split('\n')).toEqual(['m v=1 1', 'm v=2 2']);
    writer.release(writer.pending[0]!.body);
    await pipeline.stop(100);
  });

  it('writes at most batchMessages messages a batch, at once, whatever their points', async () => {
    const writer = new GatedWriter();
    const pipeline = pipelineWith(writer, 1, 100, 60_000, undefined, 2);
    pipeline.start();
    const body = (from: number, to: number) =>
      Array.from({ length: to - from + 1 }, (_, i) => `m v=${from + i} ${from + i}`);
    for (let i = 1; i <= 6; i++) pipeline.submit(submission(`m v=${i} ${i}`, false));
    // Written at two messages, far below 100 points and long before the interval; 3–6 queue behind it.
    await until(() => writer.pending.length === 1);
    expect(writer.pending[0]?.body.trim().split('\n')).toEqual(body(1, 2));
    for (const next of [body(3, 4), body(5, 6)]) {
      writer.release(writer.pending[0]!.body);
      await until(() => writer.pending.length === 1 && writer.pending[0]!.body.startsWith(next[0]!));
      expect(writer.pending[0]?.body.trim().split('\n')).toEqual(next);
    }
    writer.release(writer.pending[0]!.body);
    await pipeline.stop(1_000);
    expect(writer.written).toHaveLength(3);
  });

  it('keeps flushing after a flush that found only stale messages', async () => {
    const writer = new MemoryWriter();
    const pipeline = pipelineWith(writer, 1);
    pipeline.start();
    // The timed flush asks whether the message is stale as it takes it: that is the flush.
    let flushed!: () => void;
    const staleFlush = new Promise<void>((resolve) => (flushed = resolve));
    pipeline.submit({
      ...submission('m v=1 1', true),
      isStale: () => {
        flushed();
        return true;
      },
    });
    await staleFlush;
    expect(writer.lines).toEqual([]);
    const settled = new Promise<void>((resolve) => pipeline.submit(submission('m v=2 2', false, resolve)));
    await settled;
    expect(writer.lines).toEqual(['m v=2 2']);
    expect(pipeline.bufferedPoints).toBe(0);
    await pipeline.stop(100);
  });

  it('writes up to writeConcurrency batches at once and settles each when its own write is done', async () => {
    const writer = new GatedWriter();
    const pipeline = pipelineWith(writer, 2, 1);
    pipeline.start();
    const settled: string[] = [];
    for (const line of ['m v=1 1', 'm v=2 2', 'm v=3 3'])
      pipeline.submit(submission(line, false, () => settled.push(line)));
    await until(() => writer.pending.length === 2);
    expect(writer.pending.map((write) => write.body)).toEqual(['m v=1 1', 'm v=2 2']);
    expect(pipeline.bufferedPoints).toBe(3);
    // The second batch finishes first: it settles alone, and the third takes its place.
    writer.release('m v=2 2');
    await until(() => settled.length === 1 && writer.pending.length === 2);
    expect(settled).toEqual(['m v=2 2']);
    expect(writer.pending.map((write) => write.body)).toEqual(['m v=1 1', 'm v=3 3']);
    expect(pipeline.bufferedPoints).toBe(2);
    writer.release('m v=1 1');
    writer.release('m v=3 3');
    await until(() => settled.length === 3);
    expect(pipeline.bufferedPoints).toBe(0);
    expect(writer.maxInFlight).toBe(2);
    await pipeline.stop(100);
  });

  it('waits for each write before the next with writeConcurrency 1', async () => {
    vi.useFakeTimers();
    const writer = new GatedWriter();
    const pipeline = pipelineWith(writer, 1, 1);
    pipeline.start();
    for (const line of ['m v=1 1', 'm v=2 2']) pipeline.submit(submission(line, false));
    await vi.advanceTimersByTimeAsync(0);
    expect(writer.pending.map((write) => write.body)).toEqual(['m v=1 1']);
    // An hour of flush intervals on the fake clock: the second write still waits for the first.
    await vi.advanceTimersByTimeAsync(3_600_000);
    expect(writer.pending.map((write) => write.body)).toEqual(['m v=1 1']);
    writer.release('m v=1 1');
    await vi.advanceTimersByTimeAsync(0);
    expect(writer.pending.map((write) => write.body)).toEqual(['m v=2 2']);
    writer.release('m v=2 2');
    await vi.advanceTimersByTimeAsync(0);
    expect(writer.written).toEqual(['m v=1 1', 'm v=2 2']);
    expect(writer.maxInFlight).toBe(1);
    await pipeline.stop(100);
  });

  it('writes everything still queued when stopped, several batches at once', async () => {
    const writer = new MemoryWriter();
    // A long flush interval: only stop() makes these partial batches go.
    const pipeline = pipelineWith(writer, 2, 2, 60_000);
    pipeline.start();
    let settled = 0;
    for (let i = 1; i <= 5; i++) pipeline.submit(submission(`m v=${i} ${i}`, false, () => settled++));
    await pipeline.stop(1000);
    expect(writer.lines.sort()).toEqual(['m v=1 1', 'm v=2 2', 'm v=3 3', 'm v=4 4', 'm v=5 5']);
    expect(settled).toBe(5);
  });
});
