import type { Logger } from '../../runtime/index.js';
import type { PolledBusConfig } from '../config/edge-config-schema.js';
import type { DeviceStatusBoard } from '../device-status.js';
import type { EdgeMetrics } from '../metrics.js';
import type { RateLimitedLog } from '../rate-limited-log.js';
import type { CanonicalSink } from '../upstream/canonical-publisher.js';
import { createBusLine, type BusLine } from '../poll/bus-line.js';
import { PollClock } from '../poll/poll-clock.js';
import { DevicePoller } from './device-poller.js';

export interface BusPollerOptions {
  bus: PolledBusConfig;
  offlineAfterFailures: number;
  offlinePollIntervalS: number;
  board: DeviceStatusBoard;
  sink: CanonicalSink;
  metrics: EdgeMetrics;
  warnings: RateLimitedLog;
  logger: Logger;
}

/**
 * One bus, Modbus or DL/T 645: its line, its scheduler (one transaction at a time on
 * serial), its clock (one timer for the bus), and a poller per device on it.
 */
export class BusPoller {
  private line: BusLine | undefined;
  private pollers: DevicePoller[] = [];
  private clock: PollClock | undefined;

  constructor(private readonly options: BusPollerOptions) {}

  async start(): Promise<void> {
    const { bus, logger } = this.options;
    const busLogger = logger.child({ bus: bus.id });
    const line = createBusLine(bus, busLogger);
    this.line = line;
    const clock = new PollClock();
    this.clock = clock;
    this.pollers = line.devices.map(
      ({ device, reader }) =>
        new DevicePoller({
          device,
          busId: bus.id,
          reader,
          scheduler: line.scheduler,
          clock,
          timeoutMs: bus.timeoutMs,
          retries: bus.retries,
          retryBackoffMs: bus.retryBackoffMs,
          offlineAfterFailures: this.options.offlineAfterFailures,
          offlinePollIntervalS: this.options.offlinePollIntervalS,
          status: this.options.board.register(device.id, device.profile, bus.protocol, bus.id),
          sink: this.options.sink,
          metrics: this.options.metrics,
          warnings: this.options.warnings,
          logger: busLogger,
        }),
    );
    for (const poller of this.pollers) await poller.start();
    busLogger.info(
      { protocol: bus.protocol, transport: line.description, devices: bus.devices.length },
      'polling bus',
    );
  }

  async stop(): Promise<void> {
    // Each poller is aborted as stop() is called; closing the clock then wakes those waiting for their next poll.
    const stopped = Promise.all(this.pollers.map((poller) => poller.stop()));
    this.clock?.close();
    await stopped;
    this.pollers = [];
    this.clock = undefined;
    await this.line?.close();
    this.line = undefined;
  }
}
