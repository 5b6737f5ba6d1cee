import { connect, type Socket } from 'node:net';
import mqttPacket, { type Packet } from 'mqtt-packet';

export interface RawPublisherOptions {
  clientId: string;
  username?: string | undefined;
  password?: string | undefined;
}

type Done = (error?: Error) => void;

const PUBLISH = 0x30;
const MAX_PACKET_ID = 0xffff;

/**
 * A publish-only MQTT 3.1.1 client for load generation. The load generator shares the box
 * with what it measures, and mqtt.js spent ~3 µs per batched point (over 100 µs per 7 KB
 * message) there. Here a PUBLISH is encoded by hand into one Buffer, the writes of one
 * burst leave as one writev (`burst`), and only what the broker sends (CONNACK, PUBACK) goes
 * through mqtt-packet's parser. A bench tool: clean session, no reconnect, keep-alive off.
 */
export class RawPublisher {
  private readonly awaitingAck = new Map<number, Done>();
  private nextPacketId = 1;

  private constructor(private readonly socket: Socket) {}

  static async connect(url: string, options: RawPublisherOptions): Promise<RawPublisher> {
    const { hostname, port } = new URL(url);
    const socket = connect({ host: hostname, port: Number(port || 1883), noDelay: true });
    const publisher = new RawPublisher(socket);
    const parser = mqttPacket.parser({ protocolVersion: 4 });
    const connected = new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.once('close', () => reject(new Error(`${url} closed the connection before CONNACK`)));
      parser.on('error', reject);
      parser.on('packet', (packet: Packet) => {
        if (packet.cmd === 'connack') {
          if (packet.returnCode === 0) resolve();
          else reject(new Error(`${url} refused the connection (CONNACK return code ${packet.returnCode})`));
        } else publisher.onPacket(packet);
      });
    });
    socket.on('data', (data: Buffer) => parser.parse(data));
    socket.once('connect', () =>
      socket.write(
        mqttPacket.generate({
          cmd: 'connect',
          protocolId: 'MQTT',
          protocolVersion: 4,
          clean: true,
          keepalive: 0,
          clientId: options.clientId,
          username: options.username,
          password: options.password === undefined ? undefined : Buffer.from(options.password),
        }),
      ),
    );
    await connected;
    socket.removeAllListeners('error');
    socket.on('error', (error) => publisher.failAll(error));
    socket.on('close', () => publisher.failAll(new Error('the broker closed the connection')));
    return publisher;
  }

  /**
   * Sends one PUBLISH. `done` runs on its PUBACK at QoS 1, once it is written at QoS 0, or
   * with an error if the connection goes first.
   */
  publish(topic: string, payload: Buffer, qos: 0 | 1, done: Done): void {
    const topicBytes = Buffer.byteLength(topic);
    const remaining = 2 + topicBytes + (qos === 1 ? 2 : 0) + payload.length;
    const packet = Buffer.allocUnsafe(1 + varintLength(remaining) + remaining);
    packet[0] = PUBLISH | (qos << 1);
    let offset = writeVarint(packet, 1, remaining);
    offset = packet.writeUInt16BE(topicBytes, offset);
    offset += packet.write(topic, offset, 'utf8');
    if (qos === 1) {
      const id = this.takePacketId();
      offset = packet.writeUInt16BE(id, offset);
      this.awaitingAck.set(id, done);
    }
    payload.copy(packet, offset);
    if (qos === 1) this.socket.write(packet);
    else this.socket.write(packet, (error) => done(error ?? undefined));
  }

  /** Runs `send` with the socket corked, so every PUBLISH it makes goes out in one write. */
  burst(send: () => void): void {
    this.socket.cork();
    try {
      send();
    } finally {
      process.nextTick(() => this.socket.uncork());
    }
  }

  onClose(listener: () => void): void {
    this.socket.once('close', listener);
  }

  /** Sends DISCONNECT and waits for the socket to close. */
  async end(): Promise<void> {
    if (this.socket.destroyed) return;
    const closed = new Promise<void>((resolve) => this.socket.once('close', () => resolve()));
    this.socket.end(mqttPacket.generate({ cmd: 'disconnect' }));
    await closed;
  }

  private takePacketId(): number {
    // Ids are reused after 65535; a bench keeps at most a few hundred in flight.
    let id = this.nextPacketId;
    while (this.awaitingAck.has(id)) id = id === MAX_PACKET_ID ? 1 : id + 1;
    this.nextPacketId = id === MAX_PACKET_ID ? 1 : id + 1;
    return id;
  }

  private onPacket(packet: Packet): void {
    if (packet.cmd !== 'puback' || packet.messageId === undefined) return;
    const done = this.awaitingAck.get(packet.messageId);
    this.awaitingAck.delete(packet.messageId);
    done?.();
  }

  private failAll(error: Error): void {
    const pending = [...this.awaitingAck.values()];
    this.awaitingAck.clear();
    for (const done of pending) done(error);
  }
}

function varintLength(value: number): number {
  return value < 0x80 ? 1 : value < 0x4000 ? 2 : value < 0x200000 ? 3 : 4;
}

/** MQTT's Remaining Length [MQTT-2.2.3]: 7 bits a byte, low first, high bit = more follows. */
function writeVarint(buffer: Buffer, offset: number, value: number): number {
  let rest = value;
  do {
    let byte = rest % 0x80;
    rest = Math.floor(rest / 0x80);
    if (rest > 0) byte |= 0x80;
    buffer[offset++] = byte;
  } while (rest > 0);
  return offset;
}
