import { statfs } from 'node:fs/promises';
import { healthMessageSchema, topics, type HealthMessage } from '../contracts/index.js';
import type { Logger } from '../runtime/index.js';
import type { DeviceStatusBoard } from './device-status.js';

export interface HealthReporterOptions {
  site: string;
  gateway: string;
  intervalS: number;
  dataDir: string;
  startedAt: number;
  board: DeviceStatusBoard;
  bufferDepth: () => number;
  bufferDropped: () => number;
  publish: (topic: string, payload: HealthMessage) => void;
  logger: Logger;
}

/** Publishes the gateway's own health (CPU, memory, disk, buffer, poll counts) every `intervalS`. */
export class HealthReporter {
  private timer: NodeJS.Timeout | undefined;
  private lastCpu = process.cpuUsage();
  private lastAt = performance.now();

  constructor(private readonly options: HealthReporterOptions) {}

  async start(): Promise<void> {
    this.lastCpu = process.cpuUsage();
    this.lastAt = performance.now();
    this.timer = setInterval(() => void this.report(), this.options.intervalS * 1000);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  async snapshot(): Promise<HealthMessage> {
    const now = performance.now();
    const cpu = process.cpuUsage(this.lastCpu);
    const elapsedUs = Math.max(1, (now - this.lastAt) * 1000);
    this.lastCpu = process.cpuUsage();
    this.lastAt = now;
    let pollOk = 0;
    let pollError = 0;
    const latencies: number[] = [];
    for (const status of this.options.board.all()) {
      if (status.protocol === 'mqtt') continue;
      pollOk += status.successCount;
      pollError += status.errorCount;
      if (status.online && status.lastLatencyMs !== undefined) latencies.push(status.lastLatencyMs);
    }
    const counts = this.options.board.counts();
    return healthMessageSchema.parse({
      ts: Date.now(),
      // Percent of one core, as `top` shows a process.
      cpu_pct: Math.round(((cpu.user + cpu.system) / elapsedUs) * 1000) / 10,
      memory_rss_bytes: process.memoryUsage.rss(),
      ...(await this.diskFree()),
      buffer_depth: this.options.bufferDepth(),
      buffer_dropped_count: this.options.bufferDropped(),
      ...(latencies.length > 0
        ? { poll_latency_ms: Math.round((latencies.reduce((a, b) => a + b, 0) / latencies.length) * 10) / 10 }
        : {}),
      uptime_s: Math.max(0, (Date.now() - this.options.startedAt) / 1000),
      poll_ok_count: pollOk,
      poll_error_count: pollError,
      devices_online: counts.online,
      devices_offline: counts.offline,
    });
  }

  private async report(): Promise<void> {
    try {
      const message = await this.snapshot();
      if (!this.timer) return;
      this.options.publish(topics.health(this.options.site, this.options.gateway), message);
    } catch (error) {
      this.options.logger.warn({ err: error }, 'cannot build health message');
    }
  }

  private async diskFree(): Promise<{ disk_free_bytes?: number }> {
    try {
      const stats = await statfs(this.options.dataDir);
      return { disk_free_bytes: stats.bavail * stats.bsize };
    } catch {
      return {};
    }
  }
}
