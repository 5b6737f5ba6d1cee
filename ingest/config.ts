import { z } from 'zod';
import { CLOCK_POLICY } from '../contracts/index.js';
import {
  configBoolean,
  configNumber,
  configStringList,
  httpsFilesSchema,
  loadConfig,
  TAPPED_CLIENT_PROTOCOLS,
  type EnvMap,
} from '../runtime/index.js';
import { DEMO_SITE_FILE, enrolmentTokenSchema } from '../site/index.js';
import { storagePolicySchema } from '../storage/index.js';
import { defaultIngestClientId, sitePartitionSchema } from './site-partition.js';

const positiveInt = (fallback: number) => configNumber().pipe(z.number().int().positive()).default(fallback);

/** Ingest opens its broker connections itself (runtime/mqtt-tapped-client.ts): TCP or TLS. */
const opensUrl = (url: string) =>
  TAPPED_CLIENT_PROTOCOLS.some((protocol) => url.toLowerCase().startsWith(`${protocol}:`));

const brokerUrl = () =>
  z
    .string()
    .url()
    .refine(opensUrl, {
      error:
        '请用 mqtt://主机:1883，TLS 用 mqtts://主机:8883（不支持 WebSocket） / ' +
        'use mqtt://host:1883, or mqtts://host:8883 for TLS (WebSocket is not supported)',
    });

export const ingestConfigSchema = z
  .strictObject({
    mqtt: z
      .strictObject({
        url: brokerUrl().default('mqtt://127.0.0.1:1883'),
        /** Other nodes of a broker cluster, tried in turn when the current one is unreachable. */
        failoverUrls: configStringList().pipe(z.array(brokerUrl())).default([]),
        username: z.string().optional(),
        password: z.string().optional(),
        /**
         * Fixed, so the broker keeps this session's subscriptions and unacked messages across
         * restarts. Absent: `ingest-1`, or `ingest-k-of-n` for worker k of a partition.
         */
        clientId: z.string().min(1).max(64).optional(),
        keepaliveS: positiveInt(30),
        /**
         * 4 (MQTT 3.1.1) for this platform's broker (aedes); 5 for a broker that speaks MQTT 5
         * (mosquitto 2, EMQX, VerneMQ, HiveMQ): acknowledgements through mqtt.js'
         * customHandleAcks, and workers sharing one subscription (mqtt/shared-subscription-client.ts).
         */
        protocolVersion: configNumber()
          .pipe(z.union([z.literal(4), z.literal(5)], { error: '4 (MQTT 3.1.1) or 5 (MQTT 5)' }))
          .default(4),
        /** MQTT 5: the group the workers share their subscription in (`$share/{group}/…`). */
        shareGroup: z
          .string()
          .regex(/^[A-Za-z0-9_-]{1,32}$/, '1-32 letters, digits, "_" or "-", e.g. ingest')
          .default('ingest'),
        /** MQTT 5: connections of this worker in the group; each holds one message until it is written. */
        connections: configNumber().pipe(z.number().int().min(1).max(256)).default(32),
      })
      .prefault({}),
    siteFiles: configStringList().pipe(z.array(z.string()).min(1)).default([DEMO_SITE_FILE]),
    /** This worker's share of the sites (site-partition.ts): "1/1" takes them all. */
    partition: sitePartitionSchema.prefault('1/1'),
    influx: z
      .strictObject({
        url: z.string().url().default('http://127.0.0.1:8086'),
        database: z.string().min(1).default('village'),
        token: z.string().optional(),
        username: z.string().optional(),
        password: z.string().optional(),
        org: z.string().optional(),
        bucket: z.string().optional(),
        createDatabase: configBoolean().default(true),
        timeoutMs: positiveInt(10_000),
        /** Raw retention and roll-ups, set up on an InfluxDB 1.x (storage/, docs/storage.md). */
        retention: storagePolicySchema.prefault({}),
      })
      .prefault({}),
    /** Points a write to InfluxDB takes at most. */
    batchSize: positiveInt(5000),
    /**
     * MQTT messages a write takes at most. Ingest acknowledges a write's messages once it is
     * stored, so the broker gets that many PUBACKs at once and handles them in one turn of its
     * event loop: on the per-device topic at 2,000 readings a second, a write of 5,000 points
     * held a second's messages, and alarms raised just then waited 40–90 ms in the broker, the
     * tail of a fire alarm's latency; 500 took alert p99 from 98, 66, 85 to 54, 48, 60 ms, same
     * rounds (bench/README.md, _Alert latency_). A batch-topic message holds a gateway's batch,
     * so its writes still fill to `batchSize`; a village's few points a second are written by
     * the flush interval.
     */
    batchMessages: positiveInt(500),
    flushIntervalMs: positiveInt(1000),
    /** Batches written to InfluxDB at once (write-pipeline.ts); 1 waits for each write before the next. */
    writeConcurrency: configNumber().pipe(z.number().int().min(1).max(16)).default(2),
    maxBackoffMs: positiveInt(30_000),
    /**
     * Points held unwritten before ingest stops reading MQTT. More only moves the same messages
     * from the broker's session store (where they are kept until acknowledged anyway) into ingest's
     * memory, which peaks when gateways replay a backlog after an outage; bench/README.md
     * (issue 26) measured 10,000 against 50,000: peak RSS 86–94 %, the same rate and CPU.
     */
    maxBufferedPoints: positiveInt(10_000),
    maxPayloadBytes: positiveInt(256 * 1024),
    maxAgeDays: positiveInt(CLOCK_POLICY.maxAgeDays),
    maxFutureS: positiveInt(CLOCK_POLICY.maxFutureS),
    deadLetterFile: z.string().min(1).default('./data/ingest/dead-letter.jsonl'),
    /** The dead-letter file is rotated to `<file>.1` when it grows past this size. */
    deadLetterMaxBytes: positiveInt(10 * 1024 * 1024),
    /**
     * The enrolment API (ingest/enrolment): one `site/gateway/<sha256>` entry per
     * gateway whose technician may enrol devices. Without tokens the API is off.
     */
    enrolmentTokens: configStringList().pipe(z.array(enrolmentTokenSchema)).default([]),
    http: z
      .strictObject({
        host: z.string().min(1).default('127.0.0.1'),
        port: configNumber().pipe(z.number().int().min(0).max(65535)).default(9102),
        /** Serve /healthz, /readyz, /metrics over HTTPS with these PEM files. */
        https: httpsFilesSchema.optional(),
      })
      .prefault({}),
  })
  .refine((config) => config.mqtt.protocolVersion === 4 || config.partition.count === 1, {
    message: 'with MQTT 5 the workers share one subscription: leave the partition at 1/1',
    path: ['partition'],
  })
  .transform((config) => ({
    ...config,
    mqtt: { ...config.mqtt, clientId: config.mqtt.clientId ?? defaultIngestClientId(config.partition) },
  }));

export type IngestConfig = z.infer<typeof ingestConfigSchema>;

export const INGEST_ENV_MAP: EnvMap = {
  INGEST_MQTT_URL: 'mqtt.url',
  INGEST_MQTT_FAILOVER_URLS: 'mqtt.failoverUrls',
  INGEST_MQTT_USERNAME: 'mqtt.username',
  INGEST_MQTT_PASSWORD: 'mqtt.password',
  INGEST_MQTT_CLIENT_ID: 'mqtt.clientId',
  INGEST_MQTT_PROTOCOL_VERSION: 'mqtt.protocolVersion',
  INGEST_MQTT_SHARE_GROUP: 'mqtt.shareGroup',
  INGEST_MQTT_CONNECTIONS: 'mqtt.connections',
  INGEST_SITE_FILES: 'siteFiles',
  INGEST_PARTITION: 'partition',
  INFLUX_URL: 'influx.url',
  INFLUX_DATABASE: 'influx.database',
  INFLUX_TOKEN: 'influx.token',
  INFLUX_USERNAME: 'influx.username',
  INFLUX_PASSWORD: 'influx.password',
  INFLUX_ORG: 'influx.org',
  INFLUX_BUCKET: 'influx.bucket',
  INFLUX_MANAGE_RETENTION: 'influx.retention.manage',
  INFLUX_RAW_RETENTION: 'influx.retention.raw',
  INFLUX_ROLLUP_1M_RETENTION: 'influx.retention.rollup1m',
  INFLUX_ROLLUP_1H_RETENTION: 'influx.retention.rollup1h',
  INFLUX_ROLLUP_BACKFILL_EVERY_S: 'influx.retention.backfillEveryS',
  INGEST_BATCH_SIZE: 'batchSize',
  INGEST_BATCH_MESSAGES: 'batchMessages',
  INGEST_FLUSH_INTERVAL_MS: 'flushIntervalMs',
  INGEST_WRITE_CONCURRENCY: 'writeConcurrency',
  INGEST_MAX_BUFFERED_POINTS: 'maxBufferedPoints',
  INGEST_HTTP_HOST: 'http.host',
  INGEST_HTTP_PORT: 'http.port',
  INGEST_HTTPS_CERT_FILE: 'http.https.certFile',
  INGEST_HTTPS_KEY_FILE: 'http.https.keyFile',
  INGEST_DEAD_LETTER_FILE: 'deadLetterFile',
  INGEST_ENROLMENT_TOKENS: 'enrolmentTokens',
};

export function loadIngestConfig(
  options: { file?: string; env?: NodeJS.ProcessEnv; overrides?: Record<string, unknown> } = {},
): Readonly<IngestConfig> {
  return loadConfig({ schema: ingestConfigSchema, envMap: INGEST_ENV_MAP, ...options });
}
