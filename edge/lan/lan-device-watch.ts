import type { Component, Logger } from '../../runtime/index.js';
import type { DeviceStatusBoard } from '../device-status.js';
import type { EdgeMetrics } from '../metrics.js';
import type { CanonicalSink } from '../upstream/canonical-publisher.js';

export interface WatchedLanDevice {
  id: string;
  /** Longest silence before the device counts as offline, seconds (profile default or the site's). */
  heartbeatS: number;
}

export interface LanDeviceWatchOptions {
  devices: readonly WatchedLanDevice[];
  board: DeviceStatusBoard;
  sink: CanonicalSink;
  metrics: EdgeMetrics;
  logger: Logger;
  /** How often silence is judged, ms. */
  checkEveryMs?: number;
  now?: () => number;
}

/** Code carried by the `device_offline` event of a LAN device that stopped reporting. */
export const HEARTBEAT_MISSED = 'HEARTBEAT_MISSED';

/**
 * Judges LAN (MQTT) devices the way pollers judge meters: a device that says nothing
 * for longer than its heartbeat is reported offline (`device_offline`, code
 * HEARTBEAT_MISSED), and its first message afterwards, like its first message after
 * the gateway starts, is reported as `device_online`. Any message counts: an event, a
 * status report or a keep-alive. Silence is counted from the gateway's start for a
 * device not heard from yet, so a device that never reports is reported too.
 */
export class LanDeviceWatch implements Component {
  private readonly lastSeen = new Map<string, number>();
  private readonly silent = new Set<string>();
  private readonly announced = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private readonly now: () => number;

  constructor(private readonly options: LanDeviceWatchOptions) {
    this.now = options.now ?? Date.now;
  }

  async start(): Promise<void> {
    const startedAt = this.now();
    for (const device of this.options.devices) this.lastSeen.set(device.id, startedAt);
    this.timer = setInterval(() => this.check(), this.options.checkEveryMs ?? 1000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** The device sent something; returns whether it was announced online by this message. */
  seen(deviceId: string, at = this.now()): boolean {
    if (!this.lastSeen.has(deviceId)) return false;
    this.lastSeen.set(deviceId, Math.max(at, this.lastSeen.get(deviceId) ?? 0));
    const wasSilent = this.silent.delete(deviceId);
    if (!wasSilent && this.announced.has(deviceId)) return false;
    this.announced.add(deviceId);
    if (wasSilent) this.options.logger.info({ device: deviceId }, 'LAN device reports again');
    this.options.sink.event(deviceId, 'device_online', {}, at);
    this.options.metrics.deviceOnline.set({ device: deviceId }, 1);
    return true;
  }

  isSilent(deviceId: string): boolean {
    return this.silent.has(deviceId);
  }

  /** Judges every device's silence now (the timer's work; callable from tests). */
  check(): void {
    const now = this.now();
    for (const device of this.options.devices) {
      if (this.silent.has(device.id)) continue;
      const since = this.lastSeen.get(device.id) ?? now;
      const silentMs = now - since;
      if (silentMs <= device.heartbeatS * 1000) continue;
      this.silent.add(device.id);
      this.announced.add(device.id);
      const status = this.options.board.get(device.id);
      if (status) status.online = false;
      this.options.metrics.deviceOnline.set({ device: device.id }, 0);
      const seconds = Math.round(silentMs / 1000);
      this.options.logger.warn({ device: device.id, silentS: seconds }, 'LAN device silent');
      this.options.sink.event(
        device.id,
        'device_offline',
        {
          code: HEARTBEAT_MISSED,
          message: `no message for ${seconds} s (heartbeat ${device.heartbeatS} s)`,
        },
        now,
      );
    }
  }
}
