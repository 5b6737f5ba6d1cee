import { connect, type IClientOptions, type IPublishPacket, type MqttClient } from 'mqtt';
import { mqttFailoverServers, ReadAhead, type Logger } from '../../runtime/index.js';

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

/** What every ingest connection asks of the broker: a persistent session that reconnects and resubscribes. */
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
    resubscribe: true,
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

/**
 * A received PUBLISH as the handler sees it, from the moment it is read ahead until mqtt.js
 * may acknowledge it: one object per message with its methods on the prototype. Ingest holds
 * thousands of these until InfluxDB has their points; as closures (settle, isStale) with their
 * scopes they were several objects each.
 */
class HeldPublish implements IncomingPublish {
  settled = false;
  /**
   * mqtt.js' `handleMessage` callback (it sends the PUBACK), once mqtt.js has reached this
   * message and it is not settled yet. Held as it is, not in a closure of our own: that was a
   * function and a scope more per message.
   */
  sendAck: (() => void) | undefined = undefined;
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
    readonly generation: number,
    readonly needsAck: boolean,
    private readonly client: DeferredAckClient,
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
    const sendAck = this.sendAck;
    this.sendAck = undefined;
    if (sendAck) this.client.acknowledge(this, sendAck);
  }

  isStale(): boolean {
    return this.needsAck && this.generation < this.client.redeliveredBelow;
  }
}

/**
 * An mqtt.js client (MQTT 3.1.1, persistent session) that sends each PUBACK only
 * once the message's points are stored.
 *
 * Why not `customHandleAcks`: mqtt.js only honours it with protocolVersion 5, which
 * aedes does not speak. Its 3.1.1 equivalent, `handleMessage`, sends the PUBACK when
 * its callback runs, and mqtt.js hands over a connection's messages one at a time,
 * the next only after that callback. Waiting there for each message's write would
 * write one message at a time, so each PUBLISH is read ahead as it arrives
 * (`ReadAhead`, public API only) and handed to the write pipeline at once;
 * `handleMessage` only claims it and calls back once its points are stored (or
 * dead-lettered). mqtt.js thus sends the PUBACKs in arrival order ([MQTT-4.6.0-2]),
 * each after its own message is stored.
 *
 * Back-pressure: the socket is read on past mqtt.js' own buffer (16 KiB, a few dozen
 * messages, too few to batch writes) while at most `maxBufferedPoints` are unwritten.
 * Past that a message read ahead is parked (it and those after it reach the handler, in
 * order, once there is room) and the socket is left paused; mqtt.js holds the head
 * message's callback until it is stored, TCP fills up and the broker keeps the rest
 * queued for this session. While held, mqtt.js cannot read PINGRESP either, so a long
 * InfluxDB outage ends in a keepalive timeout and a reconnect; the unacknowledged
 * messages are then redelivered and their stale copies dropped from memory, which keeps
 * memory bounded. Only when the broker reports the session present: a broker that was
 * restarted (aedes keeps sessions in memory) redelivers nothing, so the closed
 * connection's messages are written anyway. Their PUBACKs are never sent: mqtt.js would
 * queue one for the next connection, where its packet id names another message.
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
  private ahead: ReadAhead<HeldPublish> | undefined;
  /** Messages of the current connection read ahead while there was no room, in arrival order. */
  private parked: HeldPublish[] = [];
  private waitingForRoom = false;
  private corked = false;
  private stopping = false;

  constructor(private readonly options: DeferredAckClientOptions) {}

  get connected(): boolean {
    return this.client?.connected ?? false;
  }

  start(): void {
    const { options } = this;
    this.stopping = false;
    const clientOptions: IClientOptions = {
      ...persistentSessionOptions(options),
      clientId: options.clientId,
      protocolVersion: 4,
    };
    const client = connect(options.url, clientOptions);
    this.client = client;
    // Reads on while the pipeline has room: `maxBufferedPoints`, not mqtt.js' 16 KiB, bounds what is held.
    const ahead = new ReadAhead(
      client,
      (packet) => this.take(packet),
      () => this.parked.length === 0 && !this.lacksRoom(),
    );
    this.ahead = ahead;
    client.handleMessage = (packet, callback) =>
      this.acknowledgeOnceStored((ahead.claim(packet) ?? { taken: this.take(packet) }).taken, callback);

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
    this.client = undefined;
    this.ahead = undefined;
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
  private take(packet: IPublishPacket): HeldPublish {
    // Not copied: a view into a socket read. Messages are held in arrival order and released
    // about together, so the views keep little more than their own bytes alive.
    const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
    const message = new HeldPublish(packet.topic, payload, this.generation, (packet.qos ?? 0) > 0, this);
    // Once one message is parked, those after it wait behind it: the handler sees arrival order.
    if (this.parked.length > 0 || this.lacksRoom()) this.parked.push(message);
    else this.handOver(message);
    return message;
  }

  /**
   * False when there is room for more points now. Otherwise true, and once there is room
   * the parked messages are handed over in order and the socket reads on (mqtt.js itself
   * would resume it only once every message in its buffer is stored).
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
    this.ahead?.resume();
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

  /** mqtt.js has reached this message (handed over, or parked until there is room): call back once it is stored. */
  private acknowledgeOnceStored(message: HeldPublish, callback: () => void): void {
    // QoS 0: nothing to acknowledge, and the next message need not wait for this one's write.
    if (!message.needsAck) {
      callback();
      return;
    }
    if (message.settled) this.acknowledge(message, callback);
    else message.sendAck = callback;
  }

  /** A settled message that mqtt.js has reached: `sendAck` sends its PUBACK, on its own connection only. */
  acknowledge(message: HeldPublish, sendAck: () => void): void {
    // mqtt.js would queue a closed connection's PUBACK for the next one, where its packet id means another message.
    if (!this.isCurrent(message)) return;
    this.coalescePubacks();
    sendAck();
  }

  /**
   * PUBACKs of messages stored together leave in one socket write: mqtt.js sends each
   * from a tick of its own, which would make each PUBACK a system call of its own.
   */
  private coalescePubacks(): void {
    const stream = this.client?.stream;
    if (!stream || this.corked) return;
    this.corked = true;
    stream.cork();
    setImmediate(() => {
      this.corked = false;
      stream.uncork();
    });
  }

  private isCurrent(message: HeldPublish): boolean {
    return !this.stopping && message.generation === this.generation && this.client?.connected === true;
  }
}
