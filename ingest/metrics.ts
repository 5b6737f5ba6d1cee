import type { Registry } from 'prom-client';
import { metricsOn, zeroed } from '../runtime/index.js';
import type { MessageKind } from './validation/validate-message.js';

export type IngestMetrics = ReturnType<typeof createIngestMetrics>;

const MESSAGE_KINDS: readonly MessageKind[] = ['telemetry', 'batch', 'event', 'status', 'health', 'invalid'];

export function createIngestMetrics(registry: Registry) {
  const { counter, gauge, histogram } = metricsOn(registry);
  const messagesIn = zeroed(
    counter('ingest_messages_total', 'MQTT messages received, by topic kind', ['kind']),
    'kind',
    MESSAGE_KINDS,
  );
  return {
    messagesIn,
    pointsWritten: counter('ingest_points_written_total', 'Points InfluxDB accepted, by measurement', [
      'measurement',
    ]),
    invalid: counter('ingest_invalid_total', 'Rejected messages or batch items (dead letters), by code', [
      'code',
    ]),
    writeDuration: histogram(
      'ingest_write_duration_seconds',
      'Duration of one InfluxDB write request, successful or not',
      [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    ),
    batchSize: histogram(
      'ingest_batch_points',
      'Points per InfluxDB write request',
      [1, 10, 50, 100, 500, 1000, 2500, 5000, 10000],
    ),
    writeRetries: counter('ingest_write_retries_total', 'InfluxDB writes that failed and will be retried'),
    bufferedPoints: gauge(
      'ingest_buffered_points',
      'Points held in memory, waiting for InfluxDB (their MQTT messages are not acknowledged yet)',
    ),
    seqGaps: counter(
      'ingest_seq_gaps_total',
      'Missing seq numbers seen per device (messages lost before ingest)',
    ),
    seqDuplicates: counter(
      'ingest_seq_duplicates_total',
      'Messages whose seq was already seen for the device (redeliveries, replays)',
    ),
  };
}
