import { connect, type Socket } from 'node:net';
import mqttPacket, { type IPublishPacket, type Packet } from 'mqtt-packet';

export interface HeldMessage {
  topic: string;
  payload: string;
  messageId: number;
  dup: boolean;
}

/**
 * A bare MQTT 3.1.1 subscriber (mqtt-packet over a socket) that sends a PUBACK only
 * when told to, like ingest holding acks until its write is done. mqtt.js cannot
 * do that over 3.1.1 without stalling on the first unacknowledged message.
 */
export class HeldAckSubscriber {
  readonly received: HeldMessage[] = [];
  private readonly unacked: number[] = [];
  private readonly waiters: Array<{ check: () => boolean; resolve: () => void }> = [];
  private readonly socket: Socket;
  private connack: ((sessionPresent: boolean) => void) | undefined;
  private suback: (() => void) | undefined;
  private pingresp: (() => void) | undefined;

  private constructor(socket: Socket) {
    this.socket = socket;
    const parser = mqttPacket.parser({ protocolVersion: 4 });
    parser.on('packet', (packet: Packet) => this.onPacket(packet));
    socket.on('data', (chunk) => parser.parse(chunk));
  }

  /** Connects with a persistent session (clean = false); resolves with CONNACK's sessionPresent. */
  static async connect(
    port: number,
    login: { clientId: string; username: string; password: string },
  ): Promise<{ subscriber: HeldAckSubscriber; sessionPresent: boolean }> {
    const socket = connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const subscriber = new HeldAckSubscriber(socket);
    const sessionPresent = new Promise<boolean>((resolve) => (subscriber.connack = resolve));
    subscriber.send({
      cmd: 'connect',
      protocolId: 'MQTT',
      protocolVersion: 4,
      clean: false,
      keepalive: 0,
      clientId: login.clientId,
      username: login.username,
      password: Buffer.from(login.password),
    });
    return { subscriber, sessionPresent: await sessionPresent };
  }

  async subscribe(filter: string): Promise<void> {
    const done = new Promise<void>((resolve) => (this.suback = resolve));
    this.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: filter, qos: 1 }] });
    await done;
  }

  /** Resolves once at least `count` messages have arrived. */
  receivedAtLeast(count: number): Promise<void> {
    return this.when(() => this.received.length >= count);
  }

  /** Acknowledges the oldest `count` held messages (all when omitted), then waits for a PINGRESP so the broker has handled them. */
  async ack(count = this.unacked.length): Promise<void> {
    for (const messageId of this.unacked.splice(0, count)) this.send({ cmd: 'puback', messageId });
    const pong = new Promise<void>((resolve) => (this.pingresp = resolve));
    this.send({ cmd: 'pingreq' });
    await pong;
  }

  /** Drops the connection without DISCONNECT, as a crashed client would. */
  async drop(): Promise<void> {
    if (this.socket.closed) return;
    const closed = new Promise<void>((resolve) => this.socket.once('close', () => resolve()));
    this.socket.destroy();
    await closed;
  }

  private onPacket(packet: Packet): void {
    if (packet.cmd === 'connack') this.connack?.(packet.sessionPresent);
    else if (packet.cmd === 'suback') this.suback?.();
    else if (packet.cmd === 'pingresp') this.pingresp?.();
    else if (packet.cmd === 'publish') this.onPublish(packet);
    for (const waiter of [...this.waiters]) {
      if (waiter.check()) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  }

  private onPublish(packet: IPublishPacket): void {
    const messageId = packet.messageId as number;
    this.received.push({
      topic: packet.topic,
      payload: packet.payload.toString(),
      messageId,
      dup: packet.dup,
    });
    this.unacked.push(messageId);
  }

  private when(check: () => boolean): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ check, resolve }));
  }

  private send(packet: Packet): void {
    this.socket.write(mqttPacket.generate(packet));
  }
}
