import { decodeBatchPayload } from '../../contracts/index.js';
import { telemetryMeasurement } from '../../devices/index.js';
import type { DeadLetterSink } from '../dead-letter.js';
import { encodeLines } from '../influx/encoded-lines.js';
import { toLineProtocol } from '../influx/line-protocol.js';
import { toPoint } from '../influx/map-points.js';
import { telemetryLine } from '../influx/telemetry-line.js';
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
import type { PointOrigin, WritePipeline } from './write-pipeline.js';

export interface MessageHandlerDeps {
  validation: ValidationContext;
  pipeline: WritePipeline;
  deadLetters: DeadLetterSink;
  seq: SeqTracker;
  metrics: IngestMetrics;
  /** Told the timestamps of telemetry once written, to roll up what the continuous queries missed. */
  rollups?: { written(timestampsMs: readonly number[]): void };
}

/**
 * One MQTT message: validate, dead-letter what is refused, turn the rest into lines
 * (one per reading) and hand them to the write pipeline. The message settles (may be
 * acknowledged) once its dead letters are on disk and its points are in InfluxDB.
 */
export function handleMessage(message: IncomingPublish, deps: MessageHandlerDeps): void {
  const { topic, payload } = message;
  let outcome: ValidationOutcome;
  const lines: string[] = [];
  const measurements: string[] = [];
  const telemetryTimes: number[] = [];
  try {
    outcome = validateMessage(topic, payload, deps.validation);
    deps.metrics.messagesIn.inc({ kind: outcome.kind });
    for (const reading of inSeqOrder(outcome)) trackSeq(reading, deps);
    for (const reading of outcome.accepted) {
      if (reading.kind === 'telemetry') {
        lines.push(telemetryLine(reading));
        measurements.push(telemetryMeasurement(reading.device.profile));
        telemetryTimes.push(reading.message.ts);
      } else {
        const point = toPoint(reading);
        lines.push(toLineProtocol(point));
        measurements.push(point.measurement);
      }
    }
  } catch (error) {
    const failed = deps.deadLetters.record(topic, {
      code: 'INGEST_FAILED',
      reason: `unexpected error while handling the message: ${(error as Error).message}`,
      issues: [],
      payload,
    });
    void failed.then(message.settle, message.settle);
    return;
  }

  const { rejected } = outcome;
  const { rollups } = deps;
  const settle =
    rollups && telemetryTimes.length > 0
      ? () => {
          rollups.written(telemetryTimes);
          message.settle();
        }
      : message.settle;
  const submission = {
    lines: encodeLines(lines),
    measurements,
    originOf: originsOf(topic, payload, outcome, deps.validation.maxPayloadBytes),
    isStale: message.isStale,
    settled: settle,
  };
  if (rejected.length > 0) {
    let parts = 2;
    const partDone = () => {
      if (--parts === 0) settle();
    };
    submission.settled = partDone;
    const recorded = Promise.all(rejected.map((rejection) => deps.deadLetters.record(topic, rejection)));
    void recorded.then(partDone, partDone);
  }
  deps.pipeline.submit(submission);
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
  const verdict = deps.seq.observe(`${reading.site}/${reading.device.device.id}`, reading.message.seq);
  if (verdict.kind === 'gap') deps.metrics.seqGaps.inc(verdict.missing);
  else if (verdict.kind === 'duplicate') deps.metrics.seqDuplicates.inc();
}

/**
 * Where line `index` came from: the message, or for a batch the item behind reading
 * `index`, serialised only if InfluxDB refuses that line. The common case (nothing
 * refused by validation, so line i is item i of the batch) holds on to the payload
 * alone and reads the item from it again, so the parsed message can be collected
 * while its points wait for InfluxDB.
 */
function originsOf(
  topic: string,
  payload: Buffer,
  outcome: ValidationOutcome,
  maxPayloadBytes: number,
): (index: number) => PointOrigin {
  if (outcome.kind !== 'batch') return () => ({ topic, payload: () => payload });
  if (outcome.rejected.length === 0)
    return (index) => ({
      topic,
      payload: () => itemPayload(batchItemAt(payload, index, maxPayloadBytes)),
    });
  const { accepted } = outcome;
  return (index) => ({ topic, payload: () => itemPayload(itemOf(accepted[index] as ValidReading)) });
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
