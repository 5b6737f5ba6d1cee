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
import type { PointOrigin, Submission, WritePipeline } from './write-pipeline.js';

export interface MessageHandlerDeps {
  validation: ValidationContext;
  pipeline: WritePipeline;
  deadLetters: DeadLetterSink;
  /** The seq tracker of a site (readings reach here only from sites this ingest serves). */
  seqOf: (site: string) => SeqTracker;
  metrics: IngestMetrics;
  /** Writes each message's lines into bytes (one per ingest: messages are handled one at a time). */
  lines: LineEncoder;
  /** Told the timestamps of telemetry once written, to roll up what the continuous queries missed. */
  rollups?: { written(timestampsMs: number | readonly number[]): void };
}

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
  let telemetryTimes: TelemetryTimes;
  try {
    outcome = validateMessage(topic, payload, deps.validation);
    deps.metrics.messagesIn.inc({ kind: outcome.kind });
    const { accepted } = outcome;
    for (const reading of inSeqOrder(outcome)) trackSeq(reading, deps);
    // Most messages hold one reading: no list is built (or held until the write) for it.
    if (accepted.length === 1) {
      const reading = accepted[0] as ValidReading;
      measurements = oneMeasurement(writeLine(reading, deps.lines));
      telemetryTimes = reading.kind === 'telemetry' ? reading.message.ts : undefined;
    } else {
      const list: string[] = [];
      const times: number[] = [];
      for (const reading of accepted) {
        list.push(writeLine(reading, deps.lines));
        if (reading.kind === 'telemetry') times.push(reading.message.ts);
      }
      measurements = list;
      telemetryTimes = times.length > 0 ? times : undefined;
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
  const submission = new MessageSubmission(
    lines,
    measurements,
    message,
    outcome.kind === 'batch' ? (rejected.length === 0 ? 'batch' : outcome.accepted) : 'message',
    deps,
    telemetryTimes,
    rejected.length > 0 ? 2 : 1,
  );
  if (rejected.length > 0) {
    const partDone = () => submission.settled();
    const recorded = Promise.all(rejected.map((rejection) => deps.deadLetters.record(topic, rejection)));
    void recorded.then(partDone, partDone);
  }
  deps.pipeline.submit(submission);
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

/** The timestamps of a message's telemetry: one as a number (most messages), several as a list. */
type TelemetryTimes = number | readonly number[] | undefined;

/**
 * What ingest holds of one message until InfluxDB has its points: where its lines are in the
 * encoder's block, the message (its topic, payload and acknowledgement) and how to find a
 * line's origin, in one object with its methods on the prototype. At thousands of messages a
 * second these live through several young-generation collections; each closure, scope or
 * list held per message was one more object every collection copied.
 */
class MessageSubmission implements Submission {
  readonly block: Buffer;
  readonly start: number;
  readonly ends: readonly number[];

  constructor(
    lines: EncodedLines,
    readonly measurements: readonly string[],
    private readonly message: IncomingPublish,
    /**
     * Where line i came from: the message; item i of a batch nothing of which was refused (read
     * again from the payload if ever needed, so the parsed batch is not held); or, for a batch
     * validation refused part of, accepted reading i.
     */
    private readonly origins: 'message' | 'batch' | readonly ValidReading[],
    /** What every message shares (one object, not a field each). */
    private readonly deps: MessageHandlerDeps,
    /** Told to the roll-ups once written. */
    private readonly telemetryTimes: TelemetryTimes,
    /** Parts still to finish: the points, and the dead letters when validation refused any. */
    private pending: number,
  ) {
    // Copied rather than held: the encoder's answer is garbage the young generation collects at once.
    this.block = lines.block;
    this.start = lines.start;
    this.ends = lines.ends;
  }

  originOf(index: number): PointOrigin {
    const { topic, payload } = this.message;
    const { origins } = this;
    if (origins === 'message') return { topic, payload: () => payload };
    if (origins === 'batch')
      return {
        topic,
        payload: () => itemPayload(batchItemAt(payload, index, this.deps.validation.maxPayloadBytes)),
      };
    return { topic, payload: () => itemPayload(itemOf(origins[index] as ValidReading)) };
  }

  isStale(): boolean {
    return this.message.isStale();
  }

  settled(): void {
    if (--this.pending > 0) return;
    // Written or dead-lettered: nothing reads these lines again.
    this.deps.lines.release(this);
    const times = this.telemetryTimes;
    const { rollups } = this.deps;
    if (rollups && times !== undefined) rollups.written(times);
    this.message.settle();
  }
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
