import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Registry } from 'prom-client';
import { componentLogger, createMetricsRegistry, type Component, type Logger } from '../runtime/index.js';
import { DurableQueue, type QueueStats } from './buffer/durable-queue.js';
import { Forwarder } from './buffer/forwarder.js';
import type { EdgeConfig } from './config/edge-config-schema.js';
import { DeviceStatusBoard, type DeviceStatus } from './device-status.js';
import { HealthReporter } from './health-reporter.js';
import { EdgeHttp } from './http/edge-http.js';
import { NtpWatch } from './platform/ntp-state.js';
import { PlatformFeedback } from './platform/platform-feedback.js';
import { GATEWAY_VERSION } from './upstream/status-message.js';
import type { LanSide } from './lan/lan-side.js';
import { createEdgeMetrics } from './metrics.js';
import { BusPoller } from './modbus/bus-poller.js';
import { RateLimitedLog } from './rate-limited-log.js';
import { SeqStore } from './seq-store.js';
import { CanonicalPublisher } from './upstream/canonical-publisher.js';
import { ReportByException, reportingRules } from './upstream/report-by-exception.js';
import { UpstreamClient } from './upstream/upstream-client.js';

export interface GatewayOptions {
  config: EdgeConfig;
  logger: Logger;
}

/**
 * The edge gateway: polls Modbus buses, runs the LAN broker for MQTT devices, and
 * sends everything upstream in canonical form. Parts start in dependency order and
 * stop in reverse, each releasing its sockets and timers.
 */
export class Gateway implements Component {
  private readonly board = new DeviceStatusBoard();
  private parts: Component[] = [];
  private http: EdgeHttp | undefined;
  private lan: LanSide | undefined;
  private upstream: UpstreamClient | undefined;
  private queue: DurableQueue | undefined;
  private forwarder: Forwarder | undefined;
  private registry: Registry | undefined;
  private lastBuffer: QueueStats = { depth: 0, bytes: 0, dropped: 0, diskLow: false };

  constructor(private readonly options: GatewayOptions) {}

  get logger(): Logger {
    return this.options.logger;
  }

  /** The HTTP port actually bound (useful with port 0); 0 before start. */
  get httpPort(): number {
    return this.http?.port ?? 0;
  }

  /** The LAN broker port actually bound; 0 before start or when the LAN broker is disabled. */
  get lanPort(): number {
    return this.lan?.port ?? 0;
  }

  get upstreamConnected(): boolean {
    return this.upstream?.connected ?? false;
  }

  /** The store-and-forward buffer: depth, bytes, dropped count; the last values after stop. */
  bufferStats(): QueueStats {
    if (this.queue) this.lastBuffer = this.queue.stats();
    return this.lastBuffer;
  }

  /** Every device's state; kept after stop so a test or CLI can read the last one. */
  devices(): DeviceStatus[] {
    return this.board.all();
  }

  async start(): Promise<void> {
    const { config, logger } = this.options;
    const startedAt = Date.now();
    this.board.clear();
    await mkdir(config.dataDir, { recursive: true });
    const registry = createMetricsRegistry('edge');
    this.registry = registry;
    const warnings = new RateLimitedLog(componentLogger(logger, 'edge.warnings'));
    const queueRef: { current?: DurableQueue } = {};
    const metrics = createEdgeMetrics(registry, {
      bufferDepth: () => queueRef.current?.depth ?? 0,
      bufferBytes: () => queueRef.current?.stats().bytes ?? 0,
    });

    const seq = new SeqStore({ dataDir: config.dataDir, logger: componentLogger(logger, 'edge.seq') });
    const queue = new DurableQueue({
      dir: join(config.dataDir, 'buffer'),
      config: config.buffer,
      metrics,
      warnings,
      logger: componentLogger(logger, 'edge.buffer'),
    });
    queueRef.current = queue;
    this.queue = queue;
    const upstream = new UpstreamClient({
      config,
      logger: componentLogger(logger, 'edge.upstream'),
      metrics,
      startedAt,
      bufferDepth: () => queue.depth,
    });
    this.upstream = upstream;
    const forwarder = new Forwarder({
      queue,
      link: upstream,
      config: config.buffer,
      metrics,
      logger: componentLogger(logger, 'edge.forwarder'),
    });
    this.forwarder = forwarder;
    const publisher = new CanonicalPublisher({
      config,
      upstream: queue,
      gathered: queue.gathered,
      seq,
      metrics,
      logger: componentLogger(logger, 'edge.publisher'),
      warnings,
    });
    // Stopped in reverse: the publisher's last batch reaches the queue, the upstream
    // client says goodbye, then the queue writes what is left and closes.
    const parts: Component[] = [seq, queue, upstream, forwarder, publisher];

    if (config.lan.enabled) {
      const { LanSide } = await import('./lan/lan-side.js');
      const lan = new LanSide({
        config,
        board: this.board,
        sink: publisher,
        durable: () => queue.whenDurable(),
        metrics,
        warnings,
        logger,
      });
      this.lan = lan;
      parts.push(lan);
    }
    const rules = reportingRules(config);
    const polled = rules.size > 0 ? new ReportByException(publisher, rules, metrics) : publisher;
    for (const bus of config.modbus.buses) {
      parts.push(
        new BusPoller({
          bus,
          offlineAfterFailures: config.modbus.offlineAfterFailures,
          offlinePollIntervalS: config.modbus.offlinePollIntervalS,
          board: this.board,
          sink: polled,
          metrics,
          warnings,
          logger: componentLogger(logger, 'edge.modbus'),
        }),
      );
    }
    parts.push(
      new HealthReporter({
        site: config.site,
        gateway: config.gateway,
        intervalS: config.healthIntervalS,
        dataDir: config.dataDir,
        startedAt,
        board: this.board,
        bufferDepth: () => queue.depth,
        bufferDropped: () => queue.stats().dropped,
        publish: (topic, message) => queue.publish(topic, message),
        logger: componentLogger(logger, 'edge.health'),
      }),
    );
    const ntp = new NtpWatch();
    parts.push(ntp);
    const platform = config.platform
      ? new PlatformFeedback(config.platform, componentLogger(logger, 'edge.platform'))
      : undefined;
    if (platform) parts.push(platform);
    const names = new Map<string, string>();
    const named: Array<{ id: string; name?: string | undefined }> = [
      ...config.modbus.buses.flatMap((b): Array<{ id: string; name?: string | undefined }> => b.devices),
      ...config.mqttDevices,
    ];
    for (const device of named) if (device.name) names.set(device.id, device.name);
    this.http = new EdgeHttp({
      host: config.http.host,
      port: config.http.port,
      https: config.http.https,
      logger,
      registry,
      board: this.board,
      deviceNames: names,
      upstreamConnected: () => upstream.connected,
      status: () => ({
        site: config.site,
        gateway: config.gateway,
        startedAt,
        upstream: { url: redactUrl(config.upstream.url), connected: upstream.connected },
        buffer: { ...this.bufferStats(), replaying: forwarder.replaying },
        version: GATEWAY_VERSION,
        clock: { ntpSynchronized: ntp.synchronized, platformOffsetMs: platform?.state.clockOffsetMs },
        platform: platform?.state,
        ...(config.lan.enabled ? { lan: { anonymous: config.lan.allowAnonymous } } : {}),
      }),
    });
    parts.push(this.http);

    try {
      for (const part of parts) {
        await part.start();
        this.parts.push(part);
      }
    } catch (error) {
      await this.stop().catch(() => undefined);
      throw error;
    }
    logger.info(
      {
        site: config.site,
        gateway: config.gateway,
        httpPort: this.httpPort,
        lanPort: this.lanPort,
        buses: config.modbus.buses.length,
        mqttDevices: config.mqttDevices.length,
      },
      'edge gateway running',
    );
  }

  async stop(): Promise<void> {
    const parts = this.parts.splice(0).reverse();
    let firstError: unknown;
    for (const part of parts) {
      try {
        await part.stop();
      } catch (error) {
        firstError ??= error;
        this.options.logger.error({ err: error }, 'error while stopping a gateway part');
      }
    }
    this.registry?.clear();
    this.bufferStats();
    this.queue = undefined;
    this.forwarder = undefined;
    this.http = undefined;
    this.lan = undefined;
    this.upstream = undefined;
    if (firstError) throw firstError;
  }
}

/** The broker URL without credentials, for the status page. */
function redactUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//');
}
