import type { DecodedReading } from '../../devices/index.js';
import type { Logger } from '../../runtime/index.js';
import { backoffMs, delay as sleep } from '../../runtime/index.js';
import type { DeviceStatus } from '../device-status.js';
import type { EdgeMetrics } from '../metrics.js';
import type { RateLimitedLog } from '../rate-limited-log.js';
import type { CanonicalSink } from '../upstream/canonical-publisher.js';
import { EdgeError } from '../errors.js';
import type { DeviceReader, PolledDevice } from '../poll/device-reader.js';
import type { PollClock } from '../poll/poll-clock.js';
import type { BusScheduler } from './bus-scheduler.js';

export interface DevicePollerOptions {
  device: PolledDevice;
  busId: string;
  /** How this device is read (Modbus blocks, DL/T 645 data identifiers). */
  reader: DeviceReader;
  scheduler: BusScheduler;
  /** The bus' clock: the device waits there for its next poll (closed when the bus stops). */
  clock: PollClock;
  /** The bus' timeout; the device's own `timeoutMs` wins. */
  timeoutMs: number;
  retries: number;
  retryBackoffMs: number;
  offlineAfterFailures: number;
  offlinePollIntervalS: number;
  status: DeviceStatus;
  sink: CanonicalSink;
  metrics: EdgeMetrics;
  warnings: RateLimitedLog;
  logger: Logger;
}

const MAX_EVENT_TEXT = 256;

/** Whether a reading holds a value, without listing its keys (a poll's worth of garbage). */
function hasAnyValue(values: Record<string, number>): boolean {
  for (const _ in values) return true;
  return false;
}

/**
 * Polls one device, of any polled protocol, on its own interval through its bus' scheduler. A failed poll of an
 * online device is retried after a back-off during which the bus serves others. A
 * device that stops answering is reported offline after N consecutive failed polls and
 * then polled at the slower offline rate without retries, so it costs its bus at most
 * one timeout per offline interval.
 */
export class DevicePoller {
  private abort: AbortController | undefined;
  private loop: Promise<void> | undefined;
  /** Label sets made once: a poll counts a transaction per block, the poll and its duration. */
  private readonly busLabels: { bus: string };
  private readonly okLabels: { bus: string; result: 'ok' };
  private readonly countTransaction: () => void;

  constructor(private readonly options: DevicePollerOptions) {
    const { busId, metrics } = options;
    this.busLabels = { bus: busId };
    this.okLabels = { bus: busId, result: 'ok' };
    this.countTransaction = () => metrics.transactionsTotal.inc(this.busLabels);
  }

  async start(): Promise<void> {
    this.abort = new AbortController();
    this.loop = this.run(this.abort.signal);
  }

  /** Aborts at once (before its first await); the loop ends once the bus' clock is closed or wakes it. */
  async stop(): Promise<void> {
    this.abort?.abort();
    await this.loop;
    this.abort = undefined;
    this.loop = undefined;
  }

  private async run(signal: AbortSignal): Promise<void> {
    const { clock } = this.options;
    let due = clock.time();
    while (!signal.aborted) {
      await this.pollOnce(signal);
      const { device, offlinePollIntervalS } = this.options;
      const intervalS =
        this.options.status.online === false
          ? Math.max(device.pollIntervalS, offlinePollIntervalS)
          : device.pollIntervalS;
      // Fixed-rate schedule; polls missed while the bus was busy are skipped, not bunched.
      due = Math.max(due + intervalS * 1000, clock.time());
      await clock.until(due);
    }
  }

  /** One reading with its retries; resolves with the reading or throws the last error. */
  private async readWithRetries(
    signal: AbortSignal,
  ): Promise<{ reading: DecodedReading; latencyMs: number }> {
    const { device, busId, metrics, status, reader } = this.options;
    const timeoutMs = device.timeoutMs ?? this.options.timeoutMs;
    const attempts = status.online === false ? 1 : 1 + this.options.retries;
    let lastError: EdgeError | undefined;
    for (let attempt = 0; attempt < attempts && !signal.aborted; attempt++) {
      if (attempt > 0) {
        metrics.retriesTotal.inc({ bus: busId });
        const base = this.options.retryBackoffMs;
        await sleep(backoffMs(attempt - 1, base, base * 16), signal);
        if (signal.aborted) break;
      }
      try {
        return await this.options.scheduler.run(async () => {
          const started = performance.now();
          const reading = await reader.read(timeoutMs, this.countTransaction);
          return { reading, latencyMs: performance.now() - started };
        });
      } catch (error) {
        lastError = reader.codeError(error, `device ${device.id}`);
        if (reader.isFinal(lastError.code)) break;
      }
    }
    throw lastError ?? reader.codeError(new Error('poll cancelled'), `device ${device.id}`);
  }

  private async pollOnce(signal: AbortSignal): Promise<void> {
    const { device, busId, status, metrics, sink, reader } = this.options;
    const ts = Date.now();
    try {
      const { reading, latencyMs } = await this.readWithRetries(signal);
      if (signal.aborted) return;
      // An answer in which nothing decodes is no reading: the meter is there but useless.
      const anyValue = hasAnyValue(reading.values);
      if (!anyValue && reading.errors.length > 0) {
        throw new EdgeError('READING_UNUSABLE', `device ${device.id}: ${reading.errors[0]?.reason ?? ''}`);
      }
      metrics.pollsTotal.inc(this.okLabels);
      metrics.pollDuration.observe(this.busLabels, latencyMs / 1000);
      status.successCount++;
      status.consecutiveFailures = 0;
      status.lastLatencyMs = Math.round(latencyMs * 10) / 10;
      status.lastSeenTs = Date.now();
      const wasOnline = status.online === true;
      if (status.online === false || status.answeringBadly) {
        this.options.logger.info({ device: device.id, bus: busId }, 'device answers again');
        sink.event(device.id, 'device_online', {});
      }
      // The gauge keeps its value: set when the device comes (back) online, not at every poll.
      if (!wasOnline) metrics.deviceOnline.set({ device: device.id }, 1);
      status.online = true;
      status.answeringBadly = false;
      status.consecutiveBadAnswers = 0;
      if (reading.errors.length > 0) {
        metrics.fieldErrorsTotal.inc({ profile: device.profile }, reading.errors.length);
        this.options.warnings.warn(
          `fields:${device.id}`,
          { device: device.id, errors: reading.errors },
          'fields left out of the reading',
        );
      }
      if (anyValue) {
        status.lastValues = reading.values;
        status.lastValuesTs = ts;
        sink.telemetry(device.id, reading.values, ts);
      }
    } catch (error) {
      if (signal.aborted) return;
      const coded = reader.codeError(error, `device ${device.id}`);
      metrics.pollsTotal.inc({ bus: busId, result: 'error' });
      metrics.pollErrorsTotal.inc({ bus: busId, code: coded.code });
      status.errorCount++;
      status.lastError = { code: coded.code, message: coded.message, ts: Date.now() };
      this.options.warnings.warn(
        `poll:${device.id}:${coded.code}`,
        { device: device.id, bus: busId, code: coded.code, detail: coded.detail },
        'device poll failed',
      );
      // A device answering with an exception or garbled frames is there, but useless:
      // reported as a device error, not as silence, so the technician looks at the meter.
      if (!reader.isSilence(coded.code)) {
        status.consecutiveBadAnswers++;
        if (status.consecutiveBadAnswers >= this.options.offlineAfterFailures && !status.answeringBadly) {
          status.answeringBadly = true;
          this.options.logger.warn(
            { device: device.id, bus: busId, code: coded.code },
            'device answers badly',
          );
          sink.event(device.id, 'device_error', {
            code: coded.code,
            message: (coded.detail ?? coded.message).slice(0, MAX_EVENT_TEXT),
          });
        }
        return;
      }
      status.consecutiveBadAnswers = 0;
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
