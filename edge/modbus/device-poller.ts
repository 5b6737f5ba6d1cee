import { getModbusProfile, planReads, type ModbusProfile, type ReadBlock } from '../../devices/index.js';
import type { Logger } from '../../runtime/index.js';
import { delay as sleep } from '../../runtime/index.js';
import type { ModbusDeviceConfig } from '../config/edge-config-schema.js';
import type { DeviceStatus } from '../device-status.js';
import type { EdgeMetrics } from '../metrics.js';
import type { RateLimitedLog } from '../rate-limited-log.js';
import type { CanonicalSink } from '../upstream/canonical-publisher.js';
import type { BusQueue } from './bus-queue.js';
import { toModbusError } from './modbus-error.js';
import type { ModbusTransport } from './modbus-transport.js';
import { readDevice } from './read-device.js';

export interface DevicePollerOptions {
  device: ModbusDeviceConfig;
  busId: string;
  transport: ModbusTransport;
  queue: BusQueue;
  timeoutMs: number;
  offlineAfterFailures: number;
  offlinePollIntervalS: number;
  status: DeviceStatus;
  sink: CanonicalSink;
  metrics: EdgeMetrics;
  warnings: RateLimitedLog;
  logger: Logger;
}

const MAX_EVENT_TEXT = 256;

/**
 * Polls one device on its own interval through its bus' queue. A device that stops
 * answering is reported offline after N consecutive failures and then polled at the
 * slower offline rate, so it costs its bus one timeout per offline interval.
 */
export class DevicePoller {
  private abort: AbortController | undefined;
  private loop: Promise<void> | undefined;
  private profile: ModbusProfile | undefined;
  private plan: ReadBlock[] = [];

  constructor(private readonly options: DevicePollerOptions) {}

  async start(): Promise<void> {
    this.profile = getModbusProfile(this.options.device.profile);
    this.plan = planReads(this.profile);
    this.abort = new AbortController();
    this.loop = this.run(this.abort.signal);
  }

  async stop(): Promise<void> {
    this.abort?.abort();
    await this.loop;
    this.abort = undefined;
    this.loop = undefined;
  }

  private async run(signal: AbortSignal): Promise<void> {
    let due = Date.now();
    while (!signal.aborted) {
      await this.options.queue.run(async () => {
        if (!signal.aborted) await this.pollOnce();
      });
      const { device, offlinePollIntervalS } = this.options;
      const intervalS =
        this.options.status.online === false
          ? Math.max(device.pollIntervalS, offlinePollIntervalS)
          : device.pollIntervalS;
      // Fixed-rate schedule; polls missed while the bus was busy are skipped, not bunched.
      due = Math.max(due + intervalS * 1000, Date.now());
      await sleep(due - Date.now(), signal);
    }
  }

  private async pollOnce(): Promise<void> {
    const { device, busId, status, metrics, sink } = this.options;
    const profile = this.profile as ModbusProfile;
    const ts = Date.now();
    const started = performance.now();
    try {
      const reading = await readDevice(
        this.options.transport,
        profile,
        this.plan,
        device.unitId,
        this.options.timeoutMs,
        () => metrics.transactionsTotal.inc({ bus: busId }),
      );
      const latencyMs = performance.now() - started;
      metrics.pollsTotal.inc({ bus: busId, result: 'ok' });
      metrics.pollDuration.observe({ bus: busId }, latencyMs / 1000);
      status.successCount++;
      status.consecutiveFailures = 0;
      status.lastLatencyMs = Math.round(latencyMs * 10) / 10;
      status.lastSeenTs = Date.now();
      if (reading.errors.length > 0) {
        metrics.fieldErrorsTotal.inc({ profile: profile.id }, reading.errors.length);
        this.options.warnings.warn(
          `fields:${device.id}`,
          { device: device.id, errors: reading.errors },
          'register fields left out of the reading',
        );
      }
      if (Object.keys(reading.values).length > 0) {
        status.lastValues = reading.values;
        status.lastValuesTs = ts;
        sink.telemetry(device.id, reading.values, ts);
      }
      if (status.online === false) {
        this.options.logger.info({ device: device.id, bus: busId }, 'device answers again');
        sink.event(device.id, 'device_online', {});
      }
      status.online = true;
      metrics.deviceOnline.set({ device: device.id }, 1);
    } catch (error) {
      const coded = toModbusError(error, `device ${device.id}`);
      metrics.pollsTotal.inc({ bus: busId, result: 'error' });
      metrics.pollErrorsTotal.inc({ bus: busId, code: coded.code });
      status.errorCount++;
      status.lastError = { code: coded.code, message: coded.message, ts: Date.now() };
      this.options.warnings.warn(
        `poll:${device.id}:${coded.code}`,
        { device: device.id, bus: busId, code: coded.code, detail: coded.detail },
        'device poll failed',
      );
      // A device that answers with an exception is there (just misconfigured); only silence counts.
      if (coded.code === 'MODBUS_EXCEPTION') return;
      status.consecutiveFailures++;
      if (status.consecutiveFailures >= this.options.offlineAfterFailures && status.online !== false) {
        status.online = false;
        metrics.deviceOnline.set({ device: device.id }, 0);
        this.options.logger.warn({ device: device.id, bus: busId, code: coded.code }, 'device offline');
        sink.event(device.id, 'device_offline', {
          code: coded.code,
          message: (coded.detail ?? coded.message).slice(0, MAX_EVENT_TEXT),
        });
      }
    }
  }
}
