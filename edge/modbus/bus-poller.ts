import type { Logger } from '../../runtime/index.js';
import type { BusConfig } from '../config/edge-config-schema.js';
import type { DeviceStatusBoard } from '../device-status.js';
import type { EdgeMetrics } from '../metrics.js';
import type { RateLimitedLog } from '../rate-limited-log.js';
import type { CanonicalSink } from '../upstream/canonical-publisher.js';
import { createScheduler, createTransport } from './create-transport.js';
import { DevicePoller } from './device-poller.js';
import type { ModbusTransport } from './modbus-transport.js';

export interface BusPollerOptions {
  bus: BusConfig;
  offlineAfterFailures: number;
  offlinePollIntervalS: number;
  board: DeviceStatusBoard;
  sink: CanonicalSink;
  metrics: EdgeMetrics;
  warnings: RateLimitedLog;
  logger: Logger;
}

/** One bus: its transport, its scheduler (one transaction at a time on serial), and a poller per device on it. */
export class BusPoller {
  private transport: ModbusTransport | undefined;
  private pollers: DevicePoller[] = [];

  constructor(private readonly options: BusPollerOptions) {}

  async start(): Promise<void> {
    const { bus, logger } = this.options;
    const busLogger = logger.child({ bus: bus.id });
    const transport = createTransport(bus, busLogger);
    const scheduler = createScheduler(bus);
    this.transport = transport;
    this.pollers = bus.devices.map(
      (device) =>
        new DevicePoller({
          device,
          busId: bus.id,
          transport,
          scheduler,
          timeoutMs: bus.timeoutMs,
          retries: bus.retries,
          retryBackoffMs: bus.retryBackoffMs,
          offlineAfterFailures: this.options.offlineAfterFailures,
          offlinePollIntervalS: this.options.offlinePollIntervalS,
          status: this.options.board.register(device.id, device.profile, 'modbus', bus.id),
          sink: this.options.sink,
          metrics: this.options.metrics,
          warnings: this.options.warnings,
          logger: busLogger,
        }),
    );
    for (const poller of this.pollers) await poller.start();
    busLogger.info({ transport: transport.description, devices: bus.devices.length }, 'polling bus');
  }

  async stop(): Promise<void> {
    await Promise.all(this.pollers.map((poller) => poller.stop()));
    this.pollers = [];
    await this.transport?.close();
    this.transport = undefined;
  }
}
