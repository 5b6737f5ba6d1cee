import { createServer, type Server } from 'node:net';
import { Aedes } from 'aedes';
import { connect, type MqttClient } from 'mqtt';
import { waitFor } from '../../../stack/index.js';

export interface ReceivedMessage {
  topic: string;
  payload: Record<string, unknown>;
  retain: boolean;
}

/** A bare aedes standing in for the central broker, with a subscriber that records everything. */
export class UpstreamBroker {
  readonly messages: ReceivedMessage[] = [];
  aedes: Aedes | undefined;
  private server: Server | undefined;
  private subscriber: MqttClient | undefined;
  port = 0;

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const aedes = await Aedes.createBroker();
    const server = createServer(aedes.handle);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    this.port = typeof address === 'object' && address ? address.port : 0;
    this.aedes = aedes;
    this.server = server;
    this.subscriber = await this.subscribe('v1/#', this.messages);
  }

  /** A new client subscribing to `filter`; retained messages arrive with `retain: true`. */
  async subscribe(filter: string, into: ReceivedMessage[]): Promise<MqttClient> {
    const client = connect(this.url, { reconnectPeriod: 100 });
    client.on('message', (topic, payload, packet) => {
      into.push({
        topic,
        payload: JSON.parse(payload.toString()) as Record<string, unknown>,
        retain: packet.retain,
      });
    });
    await new Promise<void>((resolve) => client.once('connect', () => resolve()));
    await client.subscribeAsync(filter, { qos: 1 });
    return client;
  }

  on(topic: string): ReceivedMessage[] {
    return this.messages.filter((m) => m.topic === topic);
  }

  waitFor(
    description: string,
    predicate: (m: ReceivedMessage) => boolean,
    timeoutMs = 10_000,
  ): Promise<ReceivedMessage> {
    return waitFor(description, () => this.messages.find(predicate), { timeoutMs, intervalMs: 20 });
  }

  async stop(): Promise<void> {
    await this.subscriber?.endAsync(true);
    const aedes = this.aedes;
    if (aedes) await new Promise<void>((resolve) => aedes.close(() => resolve()));
    const server = this.server;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
