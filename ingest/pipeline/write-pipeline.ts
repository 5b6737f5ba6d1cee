import { backoffMs, type Logger } from '../../runtime/index.js';
import { bodyOfLines, type EncodedLines } from '../influx/encoded-lines.js';
import { InfluxWriteError, type PointWriter } from '../influx/point-writer.js';
import type { IngestMetrics } from '../metrics.js';
import { delay as sleep } from '../../runtime/index.js';

/** Where points came from: one MQTT message or one item of a batch; rejected points are dead-lettered per origin. */
export interface PointOrigin {
  topic: string;
  /** The refused bytes, built only when a dead letter needs them. */
  payload: () => Buffer;
}

/**
 * The points of one MQTT message, and what to call once every one of them is written or dead-lettered.
 * Encoded lines rather than an object per point: ingest handles tens of thousands a second. A
 * submission is its lines (one of line protocol per point) itself rather than holding them in
 * an object of their own: one object fewer per message held until its write.
 */
export interface Submission extends EncodedLines {
  /** The measurement of each line, in the same order (for `ingest_points_written_total`). */
  measurements: readonly string[];
  /** Where line `index` came from; asked only when InfluxDB refuses that line. */
  originOf(index: number): PointOrigin;
  /** True when the message can no longer be acknowledged (its connection closed): the broker will redeliver it. */
  isStale(): boolean;
  settled(): void;
}

export interface WritePipelineOptions {
  writer: PointWriter;
  batchSize: number;
  /** Messages a batch holds at most: the PUBACKs its write lets go at once. */
  batchMessages: number;
  flushIntervalMs: number;
  /** Batches being written at once (≥ 1). */
  writeConcurrency: number;
  maxBackoffMs: number;
  metrics: IngestMetrics;
  logger: Logger;
  /** Dead-letters an origin whose points InfluxDB refused; resolves once recorded. */
  onRejected: (origin: PointOrigin, reason: string) => Promise<void>;
  /** Told after every write attempt whether InfluxDB answered (for /readyz). */
  onServerState?: (reachable: boolean) => void;
  /**
   * True when the source can hand over nothing more until something buffered is written
   * (on MQTT 5 every connection holds an unacknowledged message): what is queued is written
   * at once, since waiting for `flushIntervalMs` would only stall the source.
   */
  sourceWaiting?: () => boolean;
}

const RETRY_BASE_MS = 250;

/**
 * Batches points (flush at `batchSize` points, at `batchMessages` messages or after
 * `flushIntervalMs`, whichever comes first), writes up to `writeConcurrency` batches at
 * once, and retries a failed write forever with capped exponential backoff. Nothing is
 * settled (so no MQTT message is acknowledged) until InfluxDB accepted its points; batches
 * may finish in any order, as the PUBACKs still go in arrival order. A batch the server
 * refuses as bad data is split in halves until the bad points are isolated; those are
 * dead-lettered and the rest written.
 *
 * Why more than one write at a time: while one batch is on its way, InfluxDB parses and
 * stores it on one core and the next batch fills up; with a single write in flight each
 * waits for the other, and on a busy box InfluxDB's other cores sit idle.
 */
export class WritePipeline {
  private queue: Submission[] = [];
  /** When each queued submission arrived (a parallel array of numbers: no object per message). */
  private enqueuedAt: number[] = [];
  private queuedPoints = 0;
  private inFlightPoints = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly writes = new Set<Promise<void>>();
  private abort = new AbortController();
  private flushEverything = false;
  private roomWaiters: Array<{ limit: number; resolve: () => void }> = [];

  constructor(private readonly options: WritePipelineOptions) {}

  get bufferedPoints(): number {
    return this.queuedPoints + this.inFlightPoints;
  }

  start(): void {
    this.abort = new AbortController();
    this.flushEverything = false;
  }

  submit(submission: Submission): void {
    if (submission.ends.length === 0) {
      submission.settled();
      return;
    }
    this.queue.push(submission);
    this.enqueuedAt.push(Date.now());
    this.queuedPoints += submission.ends.length;
    this.updateGauge();
    this.schedule();
  }

  /** Resolves once at most `limit` points are buffered; undefined when there is room already. */
  waitForRoom(limit: number): Promise<void> | undefined {
    if (this.bufferedPoints <= limit) return undefined;
    return new Promise((resolve) => this.roomWaiters.push({ limit, resolve }));
  }

  /** Drops queued points of messages that can no longer be acknowledged; the broker redelivers them. */
  purgeStale(): void {
    const keep = this.queue.map((submission) => !submission.isStale());
    if (keep.every(Boolean)) return;
    this.queue = this.queue.filter((_, i) => keep[i]);
    this.enqueuedAt = this.enqueuedAt.filter((_, i) => keep[i]);
    this.queuedPoints = this.queue.reduce((sum, submission) => sum + submission.ends.length, 0);
    this.afterChange();
  }

  /** Tries to write what is buffered for up to `drainTimeoutMs`, then abandons the rest unacknowledged. */
  async stop(drainTimeoutMs: number): Promise<void> {
    this.clearTimer();
    this.flushEverything = true;
    this.schedule();
    if (this.writes.size > 0) {
      const gaveUp = new AbortController();
      await Promise.race([this.drained(), sleep(drainTimeoutMs, gaveUp.signal)]);
      gaveUp.abort();
    }
    this.abort.abort();
    await Promise.all(this.writes);
    this.queue = [];
    this.enqueuedAt = [];
    this.queuedPoints = 0;
    this.inFlightPoints = 0;
    this.updateGauge();
  }

  private schedule(): void {
    if (this.abort.signal.aborted) return;
    while (
      this.writes.size < this.options.writeConcurrency &&
      this.queue.length > 0 &&
      (this.queuedPoints >= this.options.batchSize ||
        this.queue.length >= this.options.batchMessages ||
        this.flushEverything ||
        this.options.sourceWaiting?.())
    ) {
      this.clearTimer();
      this.startWrite();
    }
    if (this.timer || this.queue.length === 0 || this.writes.size >= this.options.writeConcurrency) return;
    const oldest = this.enqueuedAt[0] ?? Date.now();
    const wait = Math.max(0, oldest + this.options.flushIntervalMs - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.writes.size < this.options.writeConcurrency && !this.abort.signal.aborted) this.startWrite();
    }, wait);
  }

  /** Writes the next batch from the queue; when it is done, the next one may start. */
  private startWrite(): void {
    const batch = this.takeBatch();
    if (batch.length === 0) return;
    const write = this.writeBatch(batch).catch((error: unknown) => {
      this.options.logger.error({ err: error }, 'write loop failed unexpectedly');
    });
    this.writes.add(write);
    void write.then(() => {
      this.writes.delete(write);
      this.schedule();
    });
  }

  /** Resolves once nothing is being written (each finished write starts the next while there is work). */
  private async drained(): Promise<void> {
    while (this.writes.size > 0) await Promise.race(this.writes);
  }

  private takeBatch(): Submission[] {
    const batch: Submission[] = [];
    let points = 0;
    let taken = 0;
    while (
      taken < this.queue.length &&
      points < this.options.batchSize &&
      batch.length < this.options.batchMessages
    ) {
      const submission = this.queue[taken] as Submission;
      taken++;
      this.queuedPoints -= submission.ends.length;
      if (submission.isStale()) continue;
      batch.push(submission);
      points += submission.ends.length;
    }
    this.queue.splice(0, taken);
    this.enqueuedAt.splice(0, taken);
    this.inFlightPoints += points;
    this.updateGauge();
    return batch;
  }

  private async writeBatch(batch: Submission[]): Promise<void> {
    const flat = flatten(batch);
    const rejected = await this.writeWithRetry(flat);
    if (rejected === 'aborted') return;
    for (const [index, reason] of rejected)
      await this.options.onRejected(originAt(batch, flat, index), reason);
    for (const submission of batch) submission.settled();
    this.inFlightPoints -= flat.measurements.length;
    this.afterChange();
  }

  /**
   * Writes the lines; returns the indexes of the lines InfluxDB refused, with its reason,
   * or `aborted` when stopping. A chunk is a range of `flat`: halves of a range are ranges.
   */
  private async writeWithRetry(flat: FlatBatch): Promise<Map<number, string> | 'aborted'> {
    const { writer, metrics, logger } = this.options;
    const rejected = new Map<number, string>();
    const chunks: Array<[start: number, end: number]> = [[0, flat.measurements.length]];
    while (chunks.length > 0) {
      const [start, end] = chunks.shift() as [number, number];
      const size = end - start;
      for (let attempt = 0; ; attempt++) {
        if (this.abort.signal.aborted) return 'aborted';
        const stopTimer = metrics.writeDuration.startTimer();
        try {
          await writer.write(bodyOfLines(flat.parts, flat.starts, start, end));
          stopTimer();
          metrics.batchSize.observe(size);
          this.countWritten(flat.measurements, start, end);
          this.options.onServerState?.(true);
          if (attempt > 0)
            logger.info({ attempts: attempt + 1, points: size }, 'InfluxDB write succeeded again');
          break;
        } catch (caught) {
          stopTimer();
          const error =
            caught instanceof InfluxWriteError ? caught : new InfluxWriteError('retryable', String(caught));
          if (error.kind === 'retryable') {
            this.options.onServerState?.(false);
            metrics.writeRetries.inc();
            const waitMs = backoffMs(attempt, RETRY_BASE_MS, this.options.maxBackoffMs);
            const log = { attempt: attempt + 1, points: size, retryInMs: waitMs, reason: error.message };
            if (attempt === 0 || attempt % 10 === 0) logger.warn(log, 'InfluxDB write failed; retrying');
            else logger.debug(log, 'InfluxDB write failed; retrying');
            await sleep(waitMs, this.abort.signal);
            continue;
          }
          this.options.onServerState?.(true);
          if (size === 1) {
            rejected.set(start, error.message);
          } else {
            const middle = start + Math.ceil(size / 2);
            chunks.unshift([start, middle], [middle, end]);
          }
          break;
        }
      }
    }
    return rejected;
  }

  private countWritten(measurements: readonly string[], start: number, end: number): void {
    // Lines of one measurement come in runs (a batch message is mostly one domain): count runs, not lines.
    const byMeasurement = new Map<string, number>();
    let run = measurements[start] as string;
    let runStart = start;
    for (let i = start + 1; i <= end; i++) {
      const measurement = i < end ? (measurements[i] as string) : undefined;
      if (measurement === run) continue;
      byMeasurement.set(run, (byMeasurement.get(run) ?? 0) + i - runStart);
      if (measurement !== undefined) {
        run = measurement;
        runStart = i;
      }
    }
    for (const [measurement, count] of byMeasurement)
      this.options.metrics.pointsWritten.inc({ measurement }, count);
  }

  private afterChange(): void {
    this.updateGauge();
    const waiting = this.roomWaiters;
    this.roomWaiters = [];
    for (const waiter of waiting) {
      if (this.bufferedPoints <= waiter.limit) waiter.resolve();
      else this.roomWaiters.push(waiter);
    }
  }

  private updateGauge(): void {
    this.options.metrics.bufferedPoints.set(this.bufferedPoints);
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/** A batch read as one sequence of lines: each submission's lines, where each starts, every line's measurement. */
interface FlatBatch {
  parts: readonly EncodedLines[];
  starts: readonly number[];
  measurements: readonly string[];
}

function flatten(batch: readonly Submission[]): FlatBatch {
  // A submission is its lines: the batch itself is the parts (a write holds no second list of them).
  if (batch.length === 1)
    return { parts: batch, starts: [0], measurements: (batch[0] as Submission).measurements };
  const measurements: string[] = [];
  const starts: number[] = [];
  for (const submission of batch) {
    starts.push(measurements.length);
    for (const measurement of submission.measurements) measurements.push(measurement);
  }
  return { parts: batch, starts, measurements };
}

/** The origin of line `index` of the flattened batch (submissions are never empty, so starts increase). */
function originAt(batch: readonly Submission[], flat: FlatBatch, index: number): PointOrigin {
  let low = 0;
  let high = flat.starts.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if ((flat.starts[middle] as number) <= index) low = middle;
    else high = middle - 1;
  }
  return (batch[low] as Submission).originOf(index - (flat.starts[low] as number));
}
