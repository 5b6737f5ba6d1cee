import { createServer, type Server } from 'node:net';
import { Aedes } from 'aedes';
import { connect, type MqttClient } from 'mqtt';
import { decodeBatchPayload } from '../../../contracts/index.js';
import { waitFor } from '../../../runtime/index.js';

export interface ReceivedMessage {
  topic: string;
  payload: Record<string, unknown>;
  retain: boolean;
}

/**
 * A bare aedes standing in for the central broker, with a subscriber that records
 * everything. The recorder connects through a private listener before the public port
 * opens, so nothing a gateway publishes after a (re)start can slip past it.
 */
export class UpstreamBroker {
  readonly messages: ReceivedMessage[] = [];
  aedes: Aedes | undefined;
  private server: Server | undefined;
  private recorderServer: Server | undefined;
  private subscriber: MqttClient | undefined;
  port = 0;

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  /** Starts on `port` (to come back where gateways expect it after stop()), or a free one. */
  async start(port = 0): Promise<void> {
    const aedes = await Aedes.createBroker();
    this.aedes = aedes;
    const recorderServer = createServer(aedes.handle);
    this.recorderServer = recorderServer;
    const recorderPort = await listen(recorderServer, 0);
    this.subscriber = await this.subscribeAt(`mqtt://127.0.0.1:${recorderPort}`, 'v1/#', this.messages);
    const server = createServer(aedes.handle);
    this.server = server;
    this.port = await listen(server, port);
  }

  /** A new client subscribing to `filter`; retained messages arrive with `retain: true`. */
  subscribe(filter: string, into: ReceivedMessage[]): Promise<MqttClient> {
    return this.subscribeAt(this.url, filter, into);
  }

  private async subscribeAt(url: string, filter: string, into: ReceivedMessage[]): Promise<MqttClient> {
    const client = connect(url, { reconnectPeriod: 100 });
    client.on('message', (topic, payload, packet) => {
      into.push({
        topic,
        payload: JSON.parse(jsonOf(payload).toString()) as Record<string, unknown>,
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

  /** Stops the broker: gateways see the uplink gone; `messages` is kept. */
  async stop(): Promise<void> {
    await this.subscriber?.endAsync(true);
    this.subscriber = undefined;
    const aedes = this.aedes;
    this.aedes = undefined;
    if (aedes) await new Promise<void>((resolve) => aedes.close(() => resolve()));
    for (const server of [this.server, this.recorderServer]) {
      if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    this.server = undefined;
    this.recorderServer = undefined;
  }
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

/** A batch may travel gzip-compressed (contracts/batch-encoding.ts); tests read its JSON. */
function jsonOf(payload: Buffer): Buffer {
  const decoded = decodeBatchPayload(payload, 16 * 1024 * 1024);
  if (!decoded.ok) throw new Error(`undecodable payload: ${decoded.reason}`);
  return decoded.json;
}
