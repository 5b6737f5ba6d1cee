import { backoffMs, type Logger } from '../../runtime/index.js';
import { bodyOfLines, type EncodedLines } from '../influx/encoded-lines.js';
import { InfluxWriteError, type PointWriter } from '../influx/point-writer.js';
import type { IngestMetrics } from '../metrics.js';
import { delay as sleep } from '../../runtime/index.js';
import { SubmittedLines } from './submitted-lines.js';

/** Where points came from: one MQTT message or one item of a batch; rejected points are dead-lettered per origin. */
export interface PointOrigin {
  topic: string;
  /** The refused bytes, built only when a dead letter needs them. */
  payload: () => Buffer;
}

/**
 * What submissions belong to (in ingest, the MQTT message), as the pipeline asks and tells it:
 * functions of the owner rather than methods of an object per submission (submitted-lines.ts).
 */
export interface SubmissionOwners<O> {
  /** True when the owner can no longer be acknowledged (its connection closed): the broker will redeliver it. */
  isStale(owner: O): boolean;
  /** Where the owner's line `index` came from; asked only when InfluxDB refuses that line. */
  originOf(owner: O, index: number): PointOrigin;
  /**
   * Every line the owner submitted is written or dead-lettered. `block`: where its lines were
   * (undefined when it submitted none); `time` as submitted.
   */
  settled(owner: O, time: number, block: Buffer | undefined): void;
}

export interface WritePipelineOptions<O> {
  writer: PointWriter;
  owners: SubmissionOwners<O>;
  batchSize: number;
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
 * Batches points (flush at `batchSize` points or after `flushIntervalMs`, whichever
 * comes first), writes up to `writeConcurrency` batches at once, and retries a failed
 * write forever with capped exponential backoff. Nothing is settled (so no MQTT message
 * is acknowledged) until InfluxDB accepted its points; batches may finish in any order,
 * as mqtt.js acknowledges in arrival order by itself. A batch the server refuses as bad
 * data is split in halves until the bad points are isolated; those are dead-lettered and
 * the rest written.
 *
 * Why more than one write at a time: while one batch is on its way, InfluxDB parses and
 * stores it on one core and the next batch fills up; with a single write in flight each
 * waits for the other, and on a busy box InfluxDB's other cores sit idle.
 */
export class WritePipeline<O> {
  private queue = new SubmittedLines<O>();
  /** When each queued submission arrived (a parallel list of numbers: no object per message). */
  private enqueuedAt: number[] = [];
  private inFlightPoints = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly writes = new Set<Promise<void>>();
  private abort = new AbortController();
  private flushEverything = false;
  private roomWaiters: Array<{ limit: number; resolve: () => void }> = [];

  constructor(private readonly options: WritePipelineOptions<O>) {}

  get bufferedPoints(): number {
    return this.queue.points + this.inFlightPoints;
  }

  start(): void {
    this.abort = new AbortController();
    this.flushEverything = false;
  }

  /**
   * One message's lines (`measurements`: each line's), for `owner`, who is told once every line
   * is written or dead-lettered; `time` is told back then.
   */
  submit(lines: EncodedLines, measurements: readonly string[], owner: O, time = Number.NaN): void {
    if (lines.ends.length === 0) {
      this.options.owners.settled(owner, time, undefined);
      return;
    }
    this.queue.push(lines, measurements, owner, time);
    this.enqueuedAt.push(Date.now());
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
    const { queue } = this;
    const { owners } = this.options;
    const keep = queue.owners.map((owner) => !owners.isStale(owner));
    if (keep.every(Boolean)) return;
    this.queue = queue.filter((owner) => !owners.isStale(owner));
    this.enqueuedAt = this.enqueuedAt.filter((_, i) => keep[i]);
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
    this.queue = new SubmittedLines();
    this.enqueuedAt = [];
    this.inFlightPoints = 0;
    this.updateGauge();
  }

  private schedule(): void {
    if (this.abort.signal.aborted) return;
    while (
      this.writes.size < this.options.writeConcurrency &&
      this.queue.length > 0 &&
      (this.queue.points >= this.options.batchSize || this.flushEverything || this.options.sourceWaiting?.())
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

  private takeBatch(): SubmittedLines<O> {
    const { owners, batchSize } = this.options;
    const taken = this.queue.takeFirst(batchSize);
    this.enqueuedAt.splice(0, taken.length);
    const batch = taken.owners.some((owner) => owners.isStale(owner))
      ? taken.filter((owner) => !owners.isStale(owner))
      : taken;
    this.inFlightPoints += batch.points;
    this.updateGauge();
    return batch;
  }

  private async writeBatch(batch: SubmittedLines<O>): Promise<void> {
    const flat = flatten(batch);
    const rejected = await this.writeWithRetry(batch, flat);
    if (rejected === 'aborted') return;
    const { owners } = this.options;
    for (const [index, reason] of rejected)
      await this.options.onRejected(originAt(batch, flat, index, owners), reason);
    for (let k = 0; k < batch.length; k++)
      owners.settled(batch.owners[k] as O, batch.times[k] as number, batch.blocks[k] as Buffer);
    this.inFlightPoints -= batch.points;
    this.afterChange();
  }

  /**
   * Writes the lines; returns the indexes of the lines InfluxDB refused, with its reason,
   * or `aborted` when stopping. A chunk is a range of `flat`: halves of a range are ranges.
   */
  private async writeWithRetry(
    batch: SubmittedLines<O>,
    flat: FlatBatch,
  ): Promise<Map<number, string> | 'aborted'> {
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
          await writer.write(bodyOfLines(batch, flat.firstLines, start, end));
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

/** A batch read as one sequence of lines: where each submission's lines start in it, and every line's measurement. */
interface FlatBatch {
  firstLines: readonly number[];
  measurements: readonly string[];
}

function flatten(batch: SubmittedLines<unknown>): FlatBatch {
  if (batch.length === 1)
    return { firstLines: [0], measurements: batch.measurements[0] as readonly string[] };
  const measurements: string[] = [];
  const firstLines: number[] = [];
  for (const ofSubmission of batch.measurements) {
    firstLines.push(measurements.length);
    for (const measurement of ofSubmission) measurements.push(measurement);
  }
  return { firstLines, measurements };
}

/** The origin of line `index` of the flattened batch (submissions are never empty, so first lines increase). */
function originAt<O>(
  batch: SubmittedLines<O>,
  flat: FlatBatch,
  index: number,
  owners: SubmissionOwners<O>,
): PointOrigin {
  const { firstLines } = flat;
  let low = 0;
  let high = firstLines.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if ((firstLines[middle] as number) <= index) low = middle;
    else high = middle - 1;
  }
  return owners.originOf(batch.owners[low] as O, index - (firstLines[low] as number));
}
