import type { IClientOptions, IPublishPacket, MqttClient } from 'mqtt';
import {
  connectTapped,
  mqttFailoverServers,
  PubackQueue,
  type Logger,
  type MqttPublishTap,
} from '../../runtime/index.js';

export interface IncomingPublish {
  readonly topic: string;
  readonly payload: Buffer;
  /** Call exactly once, when every point of the message is stored or dead-lettered. */
  settle(): void;
  isStale(): boolean;
}

export interface DeferredAckClientOptions {
  url: string;
  username?: string | undefined;
  password?: string | undefined;
  clientId: string;
  /** Other nodes of the broker cluster, tried in turn after `url` when a connection fails. */
  failoverUrls?: readonly string[];
  keepaliveS: number;
  filters: readonly string[];
  logger: Logger;
  onMessage: (message: IncomingPublish) => void;
  /** Back-pressure: a promise while ingest holds too many unwritten points, undefined when there is room. */
  waitForRoom: () => Promise<void> | undefined;
  onConnectionChange?: (connected: boolean) => void;
}

/** What every ingest connection asks of the broker: a persistent session that reconnects. */
export function persistentSessionOptions(options: DeferredAckClientOptions): IClientOptions {
  return {
    clean: false,
    keepalive: options.keepaliveS,
    reconnectPeriod: 1000,
    // mqtt.js 5 stops for good after one refused CONNACK otherwise (a credentials file briefly missing on the broker).
    reconnectOnConnackError: true,
    connectTimeout: 10_000,
    username: options.username,
    password: options.password,
    // Each connection subscribes again itself at every CONNACK. mqtt.js' own resubscribing
    // skips a session the broker says it kept, and while it is on, mqtt.js also drops a
    // SUBSCRIBE to filters it already holds: mosquitto 2.0.11 restarted said "session present"
    // without ingest's shared subscriptions, and nothing reached ingest again.
    resubscribe: false,
    // mqtt.js logs through `debug`, whose every call gathers its arguments into an array even
    // when nothing is logged: several calls per message, a fifth of what ingest allocated under
    // load. Passed on only when someone asked for debug output.
    ...(process.env.DEBUG ? {} : { log: ignoreLog }),
    // mqtt-packet's default pre-builds 65,536 two-byte Buffers (~6 MiB of live heap that every
    // full collection marks again) to save one small allocation per PUBACK's packet id.
    writeCache: false,
    ...mqttFailoverServers(options.url, options.failoverUrls ?? []),
  };
}

const ignoreLog = (): void => undefined;

/** The packet id of a QoS 0 message, which has none and is not acknowledged. */
const NO_ID = -1;

/** One connection to the broker: its messages' PUBACKs go on it, in order, or nowhere. */
class Connection {
  readonly acks: PubackQueue<HeldPublish>;

  constructor(
    readonly generation: number,
    readonly tap: MqttPublishTap,
    readonly client: DeferredAckClient,
  ) {
    this.acks = new PubackQueue((pubacks) => {
      if (!tap.destroyed) tap.write(pubacks);
    });
  }
}

/**
 * A received PUBLISH as the handler sees it, from the moment it arrives until its PUBACK:
 * one object per message with its methods on the prototype. Ingest holds thousands of these
 * until InfluxDB has their points; as closures (settle, isStale) with their scopes they were
 * several objects each.
 */
class HeldPublish implements IncomingPublish {
  settled = false;
  /**
   * The payload as where it is in the socket read's memory, not as a view: a Buffer view is
   * one of the largest objects a held message had (~100 bytes, copied by every young-generation
   * collection until the write), and the handler reads the payload once when the message
   * arrives and again only to dead-letter it.
   */
  private readonly bytes: ArrayBufferLike;
  private readonly byteOffset: number;
  private readonly byteLength: number;

  constructor(
    readonly topic: string,
    payload: Buffer,
    /** NO_ID for QoS 0. */
    readonly messageId: number,
    private readonly connection: Connection,
  ) {
    this.bytes = payload.buffer;
    this.byteOffset = payload.byteOffset;
    this.byteLength = payload.byteLength;
  }

  /** A view of the payload's bytes (not a copy), made each time it is asked for. */
  get payload(): Buffer {
    return Buffer.from(this.bytes, this.byteOffset, this.byteLength);
  }

  settle(): void {
    if (this.settled) return;
    this.settled = true;
    if (this.messageId !== NO_ID) this.connection.acks.settled(this);
  }

  isStale(): boolean {
    return this.messageId !== NO_ID && this.connection.generation < this.connection.client.redeliveredBelow;
  }
}

/**
 * An MQTT 3.1.1 client (persistent session) that sends each PUBACK only once the message's
 * points are stored.
 *
 * Why not `customHandleAcks`: mqtt.js only honours it with protocolVersion 5, which aedes
 * does not speak. Its 3.1.1 equivalent, `handleMessage`, hands over a connection's messages
 * one at a time, the next only after the last one's PUBACK: waiting there for each message's
 * write would write one message at a time. So mqtt.js keeps the session (CONNECT, SUBSCRIBE,
 * keepalive, reconnects) and never sees a PUBLISH: each connection is an `MqttPublishTap`,
 * which hands every PUBLISH to the write pipeline as it arrives, and a `PubackQueue` sends
 * the PUBACKs in arrival order ([MQTT-4.6.0-2]), each after its own message is stored (or
 * dead-lettered). QoS 2 is refused (ingest subscribes at QoS 1).
 *
 * Back-pressure: the socket is read while at most `maxBufferedPoints` are unwritten. Past
 * that the message is parked (it and those after it reach the handler, in order, once there
 * is room) and the socket stops being read; TCP fills up and the broker keeps the rest
 * queued for this session. Unread, PINGRESP does not arrive either, so a long InfluxDB
 * outage ends in a keepalive timeout and a reconnect; the unacknowledged messages are then
 * redelivered and their stale copies dropped from memory, which keeps memory bounded. Only
 * when the broker reports the session present: a broker that was restarted (aedes keeps
 * sessions in memory) redelivers nothing, so the closed connection's messages are written
 * anyway. Their PUBACKs are never sent: on the next connection their packet ids would name
 * other messages.
 */
export class DeferredAckClient {
  private client: MqttClient | undefined;
  private generation = 0;
  /**
   * Messages of connections before this generation will be redelivered: the broker said
   * so (session present) on a later CONNACK. Until then a closed connection's messages
   * are still written: a broker that restarted lost the session with them, and what
   * ingest holds is then the only copy.
   */
  redeliveredBelow = 0;
  private connection: Connection | undefined;
  /** Messages of the current connection that arrived while there was no room, in arrival order. */
  private parked: HeldPublish[] = [];
  private waitingForRoom = false;
  private stopping = false;

  constructor(private readonly options: DeferredAckClientOptions) {}

  get connected(): boolean {
    return this.client?.connected ?? false;
  }

  /** True while the connection's socket is not read because ingest holds too much (for tests and metrics). */
  get readingPaused(): boolean {
    return this.connection?.tap.readingPaused ?? false;
  }

  start(): void {
    const { options } = this;
    this.stopping = false;
    const { servers: _servers, ...session } = persistentSessionOptions(options);
    const client = connectTapped({
      url: options.url,
      failoverUrls: options.failoverUrls ?? [],
      client: { ...session, clientId: options.clientId },
      onConnection: (tap) => {
        const connection = new Connection(this.generation, tap, this);
        this.connection = connection;
        return (packet) => this.take(connection, packet);
      },
    });
    this.client = client;

    let wasConnected = false;
    client.on('connect', (connack) => {
      wasConnected = true;
      if (connack.sessionPresent) this.redeliveredBelow = this.generation;
      options.logger.info(
        { url: options.url, sessionPresent: connack.sessionPresent },
        'connected to the broker',
      );
      options.onConnectionChange?.(true);
      // Subscribing again on a present session is harmless and covers a broker that lost it.
      client.subscribe([...options.filters], { qos: 1 }, (error) => {
        if (error) options.logger.error({ err: error }, 'subscribe failed');
      });
    });
    client.on('close', () => {
      // Every message read so far belongs to the closed connection: its PUBACK must never be sent on the next one.
      this.generation++;
      this.connection?.acks.close();
      this.parked = [];
      options.onConnectionChange?.(false);
      if (!this.stopping && wasConnected) options.logger.warn('broker connection closed; reconnecting');
      wasConnected = false;
    });
    // While the broker is away mqtt.js reports the same error every reconnect attempt: log each kind once.
    let lastError = '';
    client.on('connect', () => (lastError = ''));
    client.on('error', (error) => {
      const level = error.message === lastError ? 'debug' : 'warn';
      lastError = error.message;
      options.logger[level]({ err: error }, 'MQTT client error');
    });
  }

  /** Publishes QoS 1 without waiting; mqtt.js keeps it in its outgoing store across reconnects. */
  publish(topic: string, payload: string): void {
    this.client?.publish(topic, payload, { qos: 1 }, (error) => {
      if (error && !this.stopping) this.options.logger.warn({ err: error, topic }, 'publish failed');
    });
  }

  async stop(): Promise<void> {
    const client = this.client;
    if (!client) return;
    this.stopping = true;
    this.generation++;
    this.connection?.acks.close();
    this.client = undefined;
    this.connection = undefined;
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => client.end(true, {}, () => resolve()), 2000);
      client.end(false, {}, () => {
        clearTimeout(force);
        resolve();
      });
    });
    client.removeAllListeners();
  }

  /** A PUBLISH as it arrives: handed to the handler at once when there is room, else parked. */
  private take(connection: Connection, packet: IPublishPacket): void {
    // Not copied: a view into a socket read. Messages are held in arrival order and released
    // about together, so the views keep little more than their own bytes alive.
    const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
    const messageId = packet.qos > 0 ? (packet.messageId ?? 0) : NO_ID;
    const message = new HeldPublish(packet.topic, payload, messageId, connection);
    if (messageId !== NO_ID) connection.acks.add(message);
    // Once one message is parked, those after it wait behind it: the handler sees arrival order.
    if (this.parked.length > 0 || this.lacksRoom()) {
      this.parked.push(message);
      connection.tap.pauseReading();
    } else this.handOver(message);
  }

  /**
   * False when there is room for more points now. Otherwise true, and once there is room
   * the parked messages are handed over in order and the socket is read again.
   */
  private lacksRoom(): boolean {
    const room = this.options.waitForRoom();
    if (!room) return false;
    if (!this.waitingForRoom) {
      this.waitingForRoom = true;
      void room.then(() => {
        this.waitingForRoom = false;
        this.unpark();
      });
    }
    return true;
  }

  private unpark(): void {
    while (this.parked.length > 0) {
      if (this.lacksRoom()) return;
      this.handOver(this.parked.shift() as HeldPublish);
    }
    this.connection?.tap.resumeReading();
  }

  private handOver(message: HeldPublish): void {
    try {
      this.options.onMessage(message);
    } catch (error) {
      // A bug must not hold every later acknowledgement hostage; the handler dead-letters what it can.
      this.options.logger.error({ err: error, topic: message.topic }, 'message handler failed');
      message.settle();
    }
  }
}
