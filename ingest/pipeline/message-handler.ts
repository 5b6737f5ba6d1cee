import type { DeadLetterSink } from '../dead-letter.js';
import { toLineProtocol } from '../influx/line-protocol.js';
import { toPoints } from '../influx/map-points.js';
import type { IngestMetrics } from '../metrics.js';
import type { IncomingPublish } from '../mqtt/deferred-ack-client.js';
import {
  validateMessage,
  type ValidReading,
  type ValidationContext,
} from '../validation/validate-message.js';
import type { SeqTracker } from './seq-tracker.js';
import type { PendingPoint, PointOrigin, WritePipeline } from './write-pipeline.js';

export interface MessageHandlerDeps {
  validation: ValidationContext;
  pipeline: WritePipeline;
  deadLetters: DeadLetterSink;
  seq: SeqTracker;
  metrics: IngestMetrics;
}

/**
 * One MQTT message: validate, dead-letter what is refused, map the rest to points
 * and hand them to the write pipeline. The message settles (may be acknowledged)
 * once its dead letters are on disk and its points are in InfluxDB.
 */
export function handleMessage(message: IncomingPublish, deps: MessageHandlerDeps): void {
  const { topic, payload } = message;
  let parts = 2;
  const partDone = () => {
    if (--parts === 0) message.settle();
  };

  let points: PendingPoint[] = [];
  let recorded: Promise<unknown>;
  try {
    const outcome = validateMessage(topic, payload, deps.validation);
    deps.metrics.messagesIn.inc({ kind: outcome.kind });
    for (const reading of outcome.accepted) {
      trackSeq(reading, deps);
      const origin: PointOrigin = {
        topic,
        payload:
          outcome.kind === 'batch' ? () => Buffer.from(JSON.stringify(itemOf(reading))) : () => payload,
      };
      for (const point of toPoints(reading)) {
        points.push({ line: toLineProtocol(point), measurement: point.measurement, origin });
      }
    }
    recorded = Promise.all(outcome.rejected.map((rejection) => deps.deadLetters.record(topic, rejection)));
  } catch (error) {
    points = [];
    recorded = deps.deadLetters.record(topic, {
      code: 'INGEST_FAILED',
      reason: `unexpected error while handling the message: ${(error as Error).message}`,
      issues: [],
      payload,
    });
  }
  void recorded.then(partDone, partDone);
  deps.pipeline.submit({ points, isStale: message.isStale, settled: partDone });
}

function trackSeq(reading: ValidReading, deps: MessageHandlerDeps): void {
  if (reading.kind !== 'telemetry' && reading.kind !== 'event') return;
  const verdict = deps.seq.observe(`${reading.site}/${reading.device.device.id}`, reading.message.seq);
  if (verdict.kind === 'gap') deps.metrics.seqGaps.inc(verdict.missing);
  else if (verdict.kind === 'duplicate') deps.metrics.seqDuplicates.inc();
}

function itemOf(reading: ValidReading): unknown {
  return reading.kind === 'telemetry' || reading.kind === 'event'
    ? { device: reading.device.device.id, ...reading.message }
    : reading.message;
}
