import { createServer, type Server, type Socket } from 'node:net';
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
 * opens, so nothing a gateway publishes after a (re)start can slip past it; at stop()
 * the gateways' connections close first and the recorder leaves only once it has
 * recorded every message the broker took from them (and acknowledged).
 */
export class UpstreamBroker {
  readonly messages: ReceivedMessage[] = [];
  aedes: Aedes | undefined;
  private server: Server | undefined;
  private recorderServer: Server | undefined;
  private subscriber: MqttClient | undefined;
  private readonly publicSockets = new Set<Socket>();
  /** Messages clients published on v1/ topics to this broker instance, and how many of them the recorder has. */
  private taken = 0;
  private recorded = 0;
  port = 0;

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  /** Starts on `port` (to come back where gateways expect it after stop()), or a free one. */
  async start(port = 0): Promise<void> {
    const aedes = await Aedes.createBroker();
    this.aedes = aedes;
    this.taken = 0;
    this.recorded = 0;
    aedes.on('publish', (packet, client) => {
      if (client && packet.topic.startsWith('v1/')) this.taken++;
    });
    const recorderServer = createServer(aedes.handle);
    this.recorderServer = recorderServer;
    const recorderPort = await listen(recorderServer, 0);
    this.subscriber = await this.subscribeAt(
      `mqtt://127.0.0.1:${recorderPort}`,
      'v1/#',
      this.messages,
      () => this.recorded++,
    );
    const server = createServer((socket) => {
      this.publicSockets.add(socket);
      socket.on('close', () => this.publicSockets.delete(socket));
      aedes.handle(socket);
    });
    this.server = server;
    this.port = await listen(server, port);
  }

  /** A new client subscribing to `filter`; retained messages arrive with `retain: true`. */
  subscribe(filter: string, into: ReceivedMessage[]): Promise<MqttClient> {
    return this.subscribeAt(this.url, filter, into);
  }

  private async subscribeAt(
    url: string,
    filter: string,
    into: ReceivedMessage[],
    onRecorded?: () => void,
  ): Promise<MqttClient> {
    const client = connect(url, { reconnectPeriod: 100 });
    client.on('message', (topic, payload, packet) => {
      into.push({
        topic,
        payload: JSON.parse(jsonOf(payload).toString()) as Record<string, unknown>,
        retain: packet.retain,
      });
      onRecorded?.();
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
    if (!this.aedes) return;
    // The gateways go first: a message the broker acknowledged must not be missed by the
    // recorder (a gateway deletes its copy on the PUBACK).
    const server = this.server;
    const closed = server ? new Promise<void>((resolve) => server.close(() => resolve())) : undefined;
    for (const socket of this.publicSockets) socket.destroy();
    await closed;
    await waitFor('the recorder has every message the broker took', () => this.recorded >= this.taken, {
      timeoutMs: 10_000,
      intervalMs: 10,
    });
    await this.subscriber?.endAsync(true);
    this.subscriber = undefined;
    const aedes = this.aedes;
    this.aedes = undefined;
    if (aedes) await new Promise<void>((resolve) => aedes.close(() => resolve()));
    const recorderServer = this.recorderServer;
    if (recorderServer) await new Promise<void>((resolve) => recorderServer.close(() => resolve()));
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
