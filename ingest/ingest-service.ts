import type { FastifyInstance } from 'fastify';
import { topicFilters, topics } from '../contracts/index.js';
import {
  componentLogger,
  createLogger,
  createMetricsRegistry,
  createServiceHttp,
  type Component,
  type Logger,
} from '../runtime/index.js';
import type { IngestConfig } from './config.js';
import { DeadLetterSink } from './dead-letter.js';
import { AutoPointWriter } from './influx/auto-writer.js';
import type { PointWriter } from './influx/point-writer.js';
import { createIngestMetrics } from './metrics.js';
import { DeferredAckClient, type DeferredAckClientOptions } from './mqtt/deferred-ack-client.js';
import { SharedSubscriptionClient } from './mqtt/shared-subscription-client.js';
import { RollupBackfill } from './influx/rollup-backfill.js';
import { handleMessage, type MessageHandlerDeps } from './pipeline/message-handler.js';
import { SeqTracker } from './pipeline/seq-tracker.js';
import { LineEncoder } from './influx/line-encoder.js';
import { WritePipeline } from './pipeline/write-pipeline.js';
import { sitesOfPartition } from './site-partition.js';
import { SiteDirectory } from './validation/site-directory.js';
import { registerEnrolmentRoutes } from './enrolment/enrolment-routes.js';
import { RejectionBoard } from './enrolment/rejection-board.js';

export interface IngestServiceOptions {
  logger?: Logger;
  /** Replaces the auto-detecting InfluxDB writer (another sink, a test double). */
  writer?: PointWriter;
  /** How long `stop()` keeps trying to write what is buffered before leaving it to redelivery. */
  drainTimeoutMs?: number;
}

/** MQTT 5 workers write what their connections hold at least this often. */
const MQTT5_FLUSH_INTERVAL_MS = 20;

/** How long a write or ping result counts for /readyz before InfluxDB is pinged again. */
const INFLUX_STATE_TTL_MS = 5000;

/** MQTT → validation → InfluxDB, acknowledging each message only once its points are stored. */
export class IngestService implements Component {
  private http: FastifyInstance | undefined;
  private mqtt: DeferredAckClient | SharedSubscriptionClient | undefined;
  private pipeline: WritePipeline | undefined;
  private deadLetters: DeadLetterSink | undefined;
  private rollups: RollupBackfill | undefined;
  private port = 0;
  private influxState = { ok: false, at: 0 };

  constructor(
    private readonly config: Readonly<IngestConfig>,
    private readonly options: IngestServiceOptions = {},
  ) {}

  /** The HTTP port actually bound (useful with port 0). */
  get httpPort(): number {
    return this.port;
  }

  get bufferedPoints(): number {
    return this.pipeline?.bufferedPoints ?? 0;
  }

  get mqttConnected(): boolean {
    return this.mqtt?.connected ?? false;
  }

  async start(): Promise<void> {
    const { config } = this;
    const logger = this.options.logger ?? createLogger('ingest');
    const sites = SiteDirectory.fromFiles(config.siteFiles);
    const ownSites = sitesOfPartition(sites.siteIds(), config.partition);
    if (ownSites.length === 0) {
      logger.warn(
        { partition: config.partition, sites: sites.siteIds().length },
        "no site falls in this worker's partition: it will write nothing",
      );
    }
    const registry = createMetricsRegistry('ingest');
    const metrics = createIngestMetrics(registry);
    const writer =
      this.options.writer ??
      new AutoPointWriter(
        {
          ...config.influx,
          timeoutMs: config.influx.timeoutMs,
          createDatabase: config.influx.createDatabase,
        },
        componentLogger(logger, 'ingest.writer'),
      );
    const recordInfluxState = (ok: boolean) => (this.influxState = { ok, at: Date.now() });

    const deadLetterTopic = topics.deadLetter('ingest');
    const rejections = new RejectionBoard();
    const deadLetters = new DeadLetterSink({
      file: config.deadLetterFile,
      maxBytes: config.deadLetterMaxBytes,
      publish: (letter) => this.mqtt?.publish(deadLetterTopic, JSON.stringify(letter)),
      logger: componentLogger(logger, 'ingest.deadletter'),
      metrics,
      onRecord: (topic, rejection) => rejections.note(topic, rejection),
    });
    const pipeline = new WritePipeline({
      writer,
      batchSize: config.batchSize,
      batchMessages: config.batchMessages,
      // On MQTT 5 each connection holds one message until it is written (shared-subscription-client.ts):
      // waiting the full interval would cap a worker at `connections` messages per interval.
      flushIntervalMs:
        config.mqtt.protocolVersion === 5
          ? Math.min(config.flushIntervalMs, MQTT5_FLUSH_INTERVAL_MS)
          : config.flushIntervalMs,
      writeConcurrency: config.writeConcurrency,
      maxBackoffMs: config.maxBackoffMs,
      metrics,
      logger: componentLogger(logger, 'ingest.pipeline'),
      onRejected: (origin, reason) =>
        deadLetters.record(origin.topic, {
          code: 'INFLUX_REJECTED',
          reason,
          issues: [reason],
          payload: origin.payload(),
        }),
      onServerState: recordInfluxState,
      sourceWaiting: () => this.mqtt instanceof SharedSubscriptionClient && this.mqtt.saturated,
    });
    const seqOf = SeqTracker.perSite();
    const lines = new LineEncoder();
    const rollups = config.influx.retention.manage
      ? new RollupBackfill({
          target: config.influx,
          database: config.influx.database,
          everyMs: config.influx.retention.backfillEveryS * 1000,
          logger: componentLogger(logger, 'ingest.rollups'),
        })
      : undefined;
    const validation = {
      sites,
      maxPayloadBytes: config.maxPayloadBytes,
      maxAgeDays: config.maxAgeDays,
      maxFutureS: config.maxFutureS,
    };
    // One object for every message: each held message's submission refers to it until its write
    // (built per message, it was one more object per message for every collection to copy).
    const handlerDeps: MessageHandlerDeps = {
      validation,
      pipeline,
      deadLetters,
      seqOf,
      metrics,
      lines,
      ...(rollups ? { rollups } : {}),
    };
    const mqttOptions: DeferredAckClientOptions = {
      url: config.mqtt.url,
      failoverUrls: config.mqtt.failoverUrls,
      username: config.mqtt.username,
      password: config.mqtt.password,
      clientId: config.mqtt.clientId,
      keepaliveS: config.mqtt.keepaliveS,
      filters: ownSites.flatMap((site) => topicFilters.siteStreams(site)),
      logger: componentLogger(logger, 'ingest.mqtt'),
      onMessage: (message) => handleMessage(message, handlerDeps),
      waitForRoom: () => pipeline.waitForRoom(config.maxBufferedPoints),
      // Stale = the broker kept the session and redelivers; known only once reconnected.
      onConnectionChange: (connected) => {
        if (connected) pipeline.purgeStale();
      },
    };
    const mqtt =
      config.mqtt.protocolVersion === 5
        ? new SharedSubscriptionClient({
            ...mqttOptions,
            shareGroup: config.mqtt.shareGroup,
            connections: config.mqtt.connections,
          })
        : new DeferredAckClient(mqttOptions);
    const http = createServiceHttp({
      logger,
      registry,
      https: config.http.https,
      readiness: [
        { name: 'mqtt', check: () => mqtt.connected },
        {
          name: 'influxdb',
          check: async () => {
            if (Date.now() - this.influxState.at < INFLUX_STATE_TTL_MS) return this.influxState.ok;
            recordInfluxState(await writer.ping());
            return this.influxState.ok;
          },
        },
      ],
    });
    if (config.enrolmentTokens.length > 0) {
      registerEnrolmentRoutes(http, {
        tokens: config.enrolmentTokens,
        siteFiles: config.siteFiles,
        sites,
        rejections,
        logger: componentLogger(logger, 'ingest.enrolment'),
      });
    }
    this.http = http;
    this.pipeline = pipeline;
    this.rollups = rollups;
    this.deadLetters = deadLetters;
    this.mqtt = mqtt;

    pipeline.start();
    rollups?.start();
    await http.listen({ host: config.http.host, port: config.http.port });
    const address = http.server.address();
    this.port = typeof address === 'object' && address ? address.port : config.http.port;
    mqtt.start();
    // Picks and logs the write API now rather than at the first write; a down server is retried later.
    void writer.ping().then(recordInfluxState);
    logger.info(
      {
        mqtt: config.mqtt.url,
        clientId: config.mqtt.clientId,
        influx: config.influx.url,
        database: config.influx.database,
        sites: config.siteFiles,
        partition: `${config.partition.index}/${config.partition.count}`,
        ownSites: ownSites.length,
        http: `${config.http.host}:${this.port}`,
      },
      'ingest running',
    );
  }

  async stop(): Promise<void> {
    await this.pipeline?.stop(this.options.drainTimeoutMs ?? 5000);
    await this.rollups?.stop();
    await this.deadLetters?.flush();
    await this.mqtt?.stop();
    await this.http?.close();
    this.pipeline = undefined;
    this.rollups = undefined;
    this.deadLetters = undefined;
    this.mqtt = undefined;
    this.http = undefined;
  }
}
