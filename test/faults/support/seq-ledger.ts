import mqtt from 'mqtt';
import { healthMessageSchema, type HealthMessage } from '../../../contracts/index.js';
import { publishedReadings } from '../../support/index.js';

/**
 * What the broker let through, as a subscriber sees it: every telemetry and event seq
 * per device, and the gateway's health reports. An admin subscriber stands for "what
 * the gateway published"; it reconnects (and resubscribes) after broker restarts.
 */
export class SeqLedger {
  /** device → seqs seen on its telemetry and event topics, or in the gateway's batches. */
  readonly seqs = new Map<string, Set<number>>();
  readonly health: HealthMessage[] = [];
  private client: mqtt.MqttClient | undefined;

  constructor(private readonly options: { url: string; password: string; site: string; clientId: string }) {}

  get messages(): number {
    let total = 0;
    for (const set of this.seqs.values()) total += set.size;
    return total;
  }

  async start(): Promise<void> {
    const { site } = this.options;
    const client = await mqtt.connectAsync(this.options.url, {
      username: 'admin',
      password: this.options.password,
      clientId: this.options.clientId,
      reconnectPeriod: 300,
      clean: true,
    });
    this.client = client;
    client.on('message', (topic, payload) => this.record(topic, payload));
    await client.subscribeAsync(
      [`v1/${site}/+/+/telemetry`, `v1/${site}/+/+/event`, `v1/${site}/+/batch`, `v1/${site}/+/health`],
      { qos: 1 },
    );
  }

  async stop(): Promise<void> {
    await this.client?.endAsync(true);
    this.client = undefined;
  }

  /** Seqs of one device, sorted. */
  seqsOf(device: string): number[] {
    return [...(this.seqs.get(device) ?? [])].sort((a, b) => a - b);
  }

  private record(topic: string, payload: Buffer): void {
    const parts = topic.split('/');
    if (parts.length === 4 && parts[3] === 'health') {
      const parsed = healthMessageSchema.safeParse(JSON.parse(payload.toString()));
      if (parsed.success) this.health.push(parsed.data);
      return;
    }
    for (const { device, seq } of publishedReadings(topic, payload)) {
      let set = this.seqs.get(device);
      if (!set) this.seqs.set(device, (set = new Set()));
      set.add(seq);
    }
  }
}
