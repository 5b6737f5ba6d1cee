import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { HotCounter } from '../runtime/index.js';
import type { MessageKind } from './validation/validate-message.js';

export type IngestMetrics = ReturnType<typeof createIngestMetrics>;

export function createIngestMetrics(registry: Registry) {
  const registers = [registry];
  return {
    messagesIn: new HotCounter<MessageKind>({
      name: 'ingest_messages_total',
      help: 'MQTT messages received, by topic kind',
      labelName: 'kind',
      values: ['telemetry', 'batch', 'event', 'status', 'health', 'invalid'],
      registers,
    }),
    pointsWritten: new Counter({
      name: 'ingest_points_written_total',
      help: 'Points InfluxDB accepted, by measurement',
      labelNames: ['measurement'] as const,
      registers,
    }),
    invalid: new Counter({
      name: 'ingest_invalid_total',
      help: 'Rejected messages or batch items (dead letters), by code',
      labelNames: ['code'] as const,
      registers,
    }),
    writeDuration: new Histogram({
      name: 'ingest_write_duration_seconds',
      help: 'Duration of one InfluxDB write request, successful or not',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    batchSize: new Histogram({
      name: 'ingest_batch_points',
      help: 'Points per InfluxDB write request',
      buckets: [1, 10, 50, 100, 500, 1000, 2500, 5000, 10000],
      registers,
    }),
    writeRetries: new Counter({
      name: 'ingest_write_retries_total',
      help: 'InfluxDB writes that failed and will be retried',
      registers,
    }),
    bufferedPoints: new Gauge({
      name: 'ingest_buffered_points',
      help: 'Points held in memory, waiting for InfluxDB (their MQTT messages are not acknowledged yet)',
      registers,
    }),
    seqGaps: new Counter({
      name: 'ingest_seq_gaps_total',
      help: 'Missing seq numbers seen per device (messages lost before ingest)',
      registers,
    }),
    seqDuplicates: new Counter({
      name: 'ingest_seq_duplicates_total',
      help: 'Messages whose seq was already seen for the device (redeliveries, replays)',
      registers,
    }),
  };
}
