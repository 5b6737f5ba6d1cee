import { createServer, type Server, type Socket } from 'node:net';
import { Aedes } from 'aedes';

/** A bare aedes on a free loopback port: a real MQTT broker over TCP, anonymous. */
export class BareBroker {
  private aedes: Aedes | undefined;
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  port = 0;

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const aedes = await Aedes.createBroker();
    const server = createServer((socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      aedes.handle(socket);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    this.port = typeof address === 'object' && address ? address.port : 0;
    this.aedes = aedes;
    this.server = server;
  }

  /** Told each QoS 1 message a subscriber acknowledged, as its PUBACK reaches the broker. */
  onAcknowledged(listener: (topic: string, payload: Buffer) => void): void {
    this.aedes?.on('ack', (packet) => {
      if (packet && 'topic' in packet) listener(packet.topic, Buffer.from(packet.payload));
    });
  }

  /** Resolves once the client has a subscription the broker routes to (its SUBSCRIBE handled). */
  subscribed(clientId: string): Promise<void> {
    const aedes = this.aedes;
    if (!aedes) return Promise.reject(new Error('the broker is not started'));
    return new Promise((resolve) => {
      const listener = (_subscriptions: unknown, client: { id: string } | null) => {
        if (client?.id !== clientId) return;
        aedes.off('subscribe', listener);
        resolve();
      };
      aedes.on('subscribe', listener);
    });
  }

  /** Cuts every client's TCP connection (as a network fault would); sessions and their queued messages stay. */
  dropConnections(): void {
    for (const socket of this.sockets) socket.destroy();
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    await new Promise<void>((resolve) => (this.aedes ? this.aedes.close(() => resolve()) : resolve()));
  }
}

/**
 * Topic filter matching as aedes routes: `+` is one level, `#` the rest. Unlike
 * [MQTT-4.7.1-3], aedes 1.2 never matches `+` against an empty level, so a message on
 * `v1/site//status` reaches no subscriber (the project's broker refuses such a PUBLISH
 * in its ACL, broker/auth/topic-syntax.ts).
 */
export function topicMatches(filter: string, topic: string): boolean {
  const filterLevels = filter.split('/');
  const topicLevels = topic.split('/');
  for (let i = 0; i < filterLevels.length; i++) {
    const level = filterLevels[i];
    if (level === '#') return true;
    if (i >= topicLevels.length) return false;
    if (level === '+' ? topicLevels[i] === '' : level !== topicLevels[i]) return false;
  }
  return filterLevels.length === topicLevels.length;
}
