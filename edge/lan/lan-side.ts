import { getMqttProfile } from '../../devices/index.js';
import { componentLogger, type Component, type Logger } from '../../runtime/index.js';
import type { EdgeConfig } from '../config/edge-config-schema.js';
import type { DeviceStatusBoard } from '../device-status.js';
import type { EdgeMetrics } from '../metrics.js';
import type { RateLimitedLog } from '../rate-limited-log.js';
import type { CanonicalSink } from '../upstream/canonical-publisher.js';
import { LanBroker } from './lan-broker.js';
import { lanCredentialsFileOf } from './lan-credentials.js';
import { LanDeviceWatch } from './lan-device-watch.js';
import { VendorBridge } from './vendor-bridge.js';

export interface LanSideOptions {
  config: EdgeConfig;
  board: DeviceStatusBoard;
  sink: CanonicalSink;
  /** Resolves once everything handed to `sink` so far is on disk (a QoS 1 PUBACK waits for it). */
  durable: () => Promise<boolean>;
  metrics: EdgeMetrics;
  warnings: RateLimitedLog;
  logger: Logger;
}

/**
 * The gateway's LAN side: the broker MQTT devices connect to, the watch that reports a
 * silent device, and the bridge from vendor topics to canonical messages. The gateway
 * imports this module only when `lan.enabled`: it brings aedes and the broker's
 * admission code, which a gateway polling meters alone does not need in memory.
 */
export class LanSide implements Component {
  private readonly broker: LanBroker;
  private started: Component[] = [];

  constructor(private readonly options: LanSideOptions) {
    const { config } = options;
    this.broker = new LanBroker({
      lan: config.lan,
      devices: config.mqttDevices,
      credentialsFile: lanCredentialsFileOf(config),
      metrics: options.metrics,
      warnings: options.warnings,
      logger: componentLogger(options.logger, 'edge.lan'),
    });
  }

  /** The port the LAN broker bound; 0 before start. */
  get port(): number {
    return this.broker.port;
  }

  async start(): Promise<void> {
    const { config, board, sink, metrics, warnings } = this.options;
    const logger = componentLogger(this.options.logger, 'edge.lan');
    try {
      await this.startPart(this.broker);
      // The watch and the bridge need the started broker.
      const watch = new LanDeviceWatch({
        devices: config.mqttDevices.map((d) => ({
          id: d.id,
          heartbeatS: d.heartbeatS ?? getMqttProfile(d.profile).heartbeatS,
        })),
        board,
        sink,
        metrics,
        logger,
      });
      await this.startPart(watch);
      await this.startPart(
        new VendorBridge({
          aedes: this.broker.aedes,
          devices: config.mqttDevices,
          board,
          sink,
          durable: this.options.durable,
          watch,
          metrics,
          warnings,
          logger,
        }),
      );
    } catch (error) {
      await this.stop().catch(() => undefined);
      throw error;
    }
  }

  async stop(): Promise<void> {
    let firstError: unknown;
    for (const part of this.started.splice(0).reverse()) {
      try {
        await part.stop();
      } catch (error) {
        firstError ??= error;
      }
    }
    if (firstError) throw firstError;
  }

  private async startPart(part: Component): Promise<void> {
    await part.start();
    this.started.push(part);
  }
}
