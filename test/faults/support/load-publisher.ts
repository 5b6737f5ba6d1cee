import mqtt from 'mqtt';
import { topics } from '../../../contracts/index.js';

/** Seqs of the extra publisher start here, far above any seq the gateway reaches in a test. */
export const LOAD_SEQ_BASE = 1_000_000_000;

export interface LoadDevice {
  id: string;
  /** Valid fields of the device's profile, sent unchanged in every message. */
  values: Record<string, number>;
}

export interface LoadPublisherOptions {
  url: string;
  site: string;
  gateway: string;
  /** The gateway's own credentials: the broker lets it publish only under its topics. */
  password: string;
  clientId: string;
  devices: readonly LoadDevice[];
  messagesPerS: number;
  /**
   * Timestamps start here and grow by 1 ms per message, so no two load messages share a
   * device and time, and (hours in the past) none meets a real reading of the gateway.
   */
  tsBase: number;
  /** At most this many messages without PUBACK; the publisher pauses above it (as a real gateway would). */
  maxInflight?: number;
}

/**
 * Extra telemetry as the gateway user, QoS 1, at a fixed rate in 10 ms ticks. Pauses
 * while the broker is away; mqtt.js resends what was in flight after reconnecting.
 * Records every seq sent and every seq the broker acknowledged.
 */
export class LoadPublisher {
  readonly published = new Map<string, Set<number>>();
  readonly acked = new Map<string, Set<number>>();
  private client: mqtt.MqttClient | undefined;
  private timer: NodeJS.Timeout | undefined;
  private counter = 0;
  private inflight = 0;
  private carry = 0;

  constructor(private readonly options: LoadPublisherOptions) {}

  get publishedCount(): number {
    return this.counter;
  }

  get ackedCount(): number {
    let total = 0;
    for (const set of this.acked.values()) total += set.size;
    return total;
  }

  async start(): Promise<void> {
    this.client = await mqtt.connectAsync(this.options.url, {
      username: this.options.gateway,
      password: this.options.password,
      clientId: this.options.clientId,
      reconnectPeriod: 300,
      clean: true,
    });
    this.resume();
  }

  /** Stops sending new messages (what is in flight still completes). */
  pause(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  resume(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.tick(), 10);
  }

  /** Pauses, waits until every sent message is acknowledged, then disconnects. */
  async stop(drainTimeoutMs = 60_000): Promise<void> {
    this.pause();
    const deadline = Date.now() + drainTimeoutMs;
    while (this.inflight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    await this.client?.endAsync(true);
    this.client = undefined;
  }

  private tick(): void {
    const client = this.client;
    const { devices, messagesPerS, maxInflight = 2000 } = this.options;
    if (!client?.connected || this.inflight >= maxInflight || devices.length === 0) return;
    this.carry += messagesPerS / 100;
    const n = Math.floor(this.carry);
    this.carry -= n;
    for (let i = 0; i < n; i++) {
      const device = devices[this.counter % devices.length] as LoadDevice;
      const seq = LOAD_SEQ_BASE + this.counter;
      const ts = this.options.tsBase + this.counter;
      this.counter++;
      add(this.published, device.id, seq);
      this.inflight++;
      const payload = JSON.stringify({ ts, seq, values: device.values });
      client.publish(
        topics.telemetry(this.options.site, this.options.gateway, device.id),
        payload,
        { qos: 1 },
        (error) => {
          this.inflight--;
          if (!error) add(this.acked, device.id, seq);
        },
      );
    }
  }
}

function add(map: Map<string, Set<number>>, device: string, seq: number): void {
  let set = map.get(device);
  if (!set) map.set(device, (set = new Set()));
  set.add(seq);
}
