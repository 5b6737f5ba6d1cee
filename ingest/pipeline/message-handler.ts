import { decodeBatchPayload } from '../../contracts/index.js';
import { telemetryMeasurement } from '../../devices/index.js';
import type { DeadLetterSink } from '../dead-letter.js';
import type { EncodedLines } from '../influx/encoded-lines.js';
import type { LineEncoder } from '../influx/line-encoder.js';
import { toLineProtocol } from '../influx/line-protocol.js';
import { toPoint } from '../influx/map-points.js';
import { writeTelemetryLine } from '../influx/telemetry-line.js';
import type { IngestMetrics } from '../metrics.js';
import type { IncomingPublish } from '../mqtt/deferred-ack-client.js';
import { itemPayload } from '../validation/item-payload.js';
import {
  validateMessage,
  type ValidReading,
  type ValidationContext,
  type ValidationOutcome,
} from '../validation/validate-message.js';
import type { SeqTracker } from './seq-tracker.js';
import type { PointOrigin, SubmissionOwners, WritePipeline } from './write-pipeline.js';

export interface MessageHandlerDeps {
  validation: ValidationContext;
  pipeline: WritePipeline<HeldMessage>;
  deadLetters: DeadLetterSink;
  /** The seq tracker of a site (readings reach here only from sites this ingest serves). */
  seqOf: (site: string) => SeqTracker;
  metrics: IngestMetrics;
  /** Writes each message's lines into bytes (one per ingest: messages are handled one at a time). */
  lines: LineEncoder;
}

/** What the pipeline holds a message's lines for: the message itself, or `HeldParts` when there is more to it. */
export type HeldMessage = IncomingPublish | HeldParts;

/**
 * One MQTT message: validate, dead-letter what is refused, turn the rest into lines
 * (one per reading) and hand them to the write pipeline. The message settles (may be
 * acknowledged) once its dead letters are on disk and its points are in InfluxDB.
 */
export function handleMessage(message: IncomingPublish, deps: MessageHandlerDeps): void {
  const { topic, payload } = message;
  let outcome: ValidationOutcome;
  let lines: EncodedLines;
  let measurements: readonly string[];
  /** A single reading's telemetry timestamp, handed to the pipeline as a number; NaN for none. */
  let time = Number.NaN;
  let times: readonly number[] | undefined;
  try {
    outcome = validateMessage(topic, payload, deps.validation);
    deps.metrics.messagesIn.inc({ kind: outcome.kind });
    const { accepted } = outcome;
    for (const reading of inSeqOrder(outcome)) trackSeq(reading, deps);
    // Most messages hold one reading: no list is built (or held until the write) for it.
    if (accepted.length === 1) {
      const reading = accepted[0] as ValidReading;
      measurements = oneMeasurement(writeLine(reading, deps.lines));
      if (reading.kind === 'telemetry') time = reading.message.ts;
    } else {
      const list: string[] = [];
      const telemetryTimes: number[] = [];
      for (const reading of accepted) {
        list.push(writeLine(reading, deps.lines));
        if (reading.kind === 'telemetry') telemetryTimes.push(reading.message.ts);
      }
      measurements = list;
      if (telemetryTimes.length > 0) times = telemetryTimes;
    }
    lines = deps.lines.finish();
  } catch (error) {
    deps.lines.abandon();
    const failed = deps.deadLetters.record(topic, {
      code: 'INGEST_FAILED',
      reason: `unexpected error while handling the message: ${(error as Error).message}`,
      issues: [],
      payload,
    });
    const settle = () => message.settle();
    void failed.then(settle, settle);
    return;
  }

  const { rejected } = outcome;
  // The usual message (one whole reading, nothing refused): the pipeline holds the message itself.
  if (outcome.kind !== 'batch' && rejected.length === 0 && times === undefined) {
    deps.pipeline.submit(lines, measurements, message, time);
    return;
  }
  const held = new HeldParts(
    message,
    outcome.kind === 'batch' ? (rejected.length === 0 ? 'batch' : outcome.accepted) : 'message',
    times,
    rejected.length > 0 ? 2 : 1,
  );
  if (rejected.length > 0) {
    const partDone = () => held.partDone();
    const recorded = Promise.all(rejected.map((rejection) => deps.deadLetters.record(topic, rejection)));
    void recorded.then(partDone, partDone);
  }
  deps.pipeline.submit(lines, measurements, held, time);
}

/** Writes one reading's line; returns its measurement. */
function writeLine(reading: ValidReading, lines: LineEncoder): string {
  if (reading.kind === 'telemetry') {
    writeTelemetryLine(reading, lines);
    return telemetryMeasurement(reading.device.profile);
  }
  const point = toPoint(reading);
  lines.line(toLineProtocol(point));
  return point.measurement;
}

/**
 * A message with more to it than its one reading: a batch (where each line came from, its
 * telemetry's timestamps), or dead letters to record too before it settles.
 */
class HeldParts {
  constructor(
    readonly message: IncomingPublish,
    /**
     * Where line i came from: the message; item i of a batch nothing of which was refused (read
     * again from the payload if ever needed, so the parsed batch is not held); or, for a batch
     * validation refused part of, accepted reading i.
     */
    readonly origins: 'message' | 'batch' | readonly ValidReading[],
    /** Told to the roll-ups once written. */
    readonly times: readonly number[] | undefined,
    /** Parts still to finish: the points, and the dead letters when validation refused any. */
    private pending: number,
  ) {}

  partDone(): void {
    if (--this.pending === 0) this.message.settle();
  }
}

export interface MessageOwnersOptions {
  /** The encoder the handler writes lines with: a written message's block is released to it. */
  lines: LineEncoder;
  maxPayloadBytes: number;
  /** Told the timestamps of telemetry once written, to roll up what the continuous queries missed. */
  rollups?: { written(timestampsMs: number | readonly number[]): void } | undefined;
}

/** How the write pipeline asks and tells a held message (one object for every message). */
export function messageOwners(options: MessageOwnersOptions): SubmissionOwners<HeldMessage> {
  const { lines, rollups, maxPayloadBytes } = options;
  return {
    isStale: (owner) => (owner instanceof HeldParts ? owner.message : owner).isStale(),
    originOf: (owner, index) => originOf(owner, index, maxPayloadBytes),
    settled(owner, time, block) {
      // Written or dead-lettered: nothing reads these lines again.
      if (block) lines.release(block);
      if (rollups && !Number.isNaN(time)) rollups.written(time);
      if (!(owner instanceof HeldParts)) {
        owner.settle();
        return;
      }
      if (rollups && owner.times) rollups.written(owner.times);
      owner.partDone();
    },
  };
}

function originOf(owner: HeldMessage, index: number, maxPayloadBytes: number): PointOrigin {
  const { topic, payload } = owner instanceof HeldParts ? owner.message : owner;
  const origins = owner instanceof HeldParts ? owner.origins : 'message';
  if (origins === 'message') return { topic, payload: () => payload };
  if (origins === 'batch')
    return { topic, payload: () => itemPayload(batchItemAt(payload, index, maxPayloadBytes)) };
  return { topic, payload: () => itemPayload(itemOf(origins[index] as ValidReading)) };
}

/** A message of one line shares its measurement list with every other such message. */
const singleMeasurements = new Map<string, readonly string[]>();
function oneMeasurement(measurement: string): readonly string[] {
  let list = singleMeasurements.get(measurement);
  if (!list) {
    list = Object.freeze([measurement]);
    singleMeasurements.set(measurement, list);
  }
  return list;
}

/**
 * A batch lists its telemetry before its events, while a device's seq counts both in the
 * order they happened: a door's reading and its events are observed in seq order, or the
 * tracker would count a gap and then a duplicate where nothing was lost.
 */
function inSeqOrder(outcome: ValidationOutcome): readonly ValidReading[] {
  const { accepted } = outcome;
  if (outcome.kind !== 'batch' || !accepted.some((reading) => reading.kind === 'event')) return accepted;
  const seqOf = (reading: ValidReading) =>
    reading.kind === 'telemetry' || reading.kind === 'event' ? reading.message.seq : 0;
  return [...accepted].sort((a, b) => seqOf(a) - seqOf(b));
}

function trackSeq(reading: ValidReading, deps: MessageHandlerDeps): void {
  if (reading.kind !== 'telemetry' && reading.kind !== 'event') return;
  const verdict = deps.seqOf(reading.site).observe(reading.device.device.id, reading.message.seq);
  if (verdict.kind === 'gap') deps.metrics.seqGaps.inc(verdict.missing);
  else if (verdict.kind === 'duplicate') deps.metrics.seqDuplicates.inc();
}

/** Item `index` of a valid batch's items, telemetry first, then events (the order validation reads them in). */
function batchItemAt(payload: Buffer, index: number, maxPayloadBytes: number): unknown {
  // Validation decoded this payload already, so decoding it again succeeds.
  const decoded = decodeBatchPayload(payload, maxPayloadBytes);
  const json = decoded.ok ? decoded.json : payload;
  const { telemetry = [], events = [] } = JSON.parse(json.toString()) as {
    telemetry?: unknown[];
    events?: unknown[];
  };
  return index < telemetry.length ? telemetry[index] : events[index - telemetry.length];
}

function itemOf(reading: ValidReading): unknown {
  return reading.kind === 'telemetry' || reading.kind === 'event'
    ? { device: reading.device.device.id, ...reading.message }
    : reading.message;
}
