import { connect, type IClientOptions, type IPublishPacket, type MqttClient, type Packet } from 'mqtt';
import { mqttFailoverServers, type Logger } from '../../runtime/index.js';
import { AckQueue, type AckTicket } from './ack-queue.js';

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
    // mqtt-packet's default pre-builds 65,536 two-byte Buffers (~6 MiB of live heap that every
    // full collection marks again) to save one small allocation per PUBACK's packet id.
    writeCache: false,
    ...mqttFailoverServers(options.url, options.failoverUrls ?? []),
  };
}

/** What every message of one client shares: its acknowledgements and which generations will be redelivered. */
interface AckSession {
  readonly acks: AckQueue<HeldPublish>;
  /**
   * Messages of connections before this generation will be redelivered: the broker said
   * so (session present) on a later CONNACK. Until then a closed connection's messages
   * are still written: a broker that restarted lost the session with them, and what
   * ingest holds is then the only copy.
   */
  redeliveredBelow: number;
}

/**
 * A received PUBLISH as the handler sees it and as the acknowledgement queue tracks it: one
 * object per message with its methods on the prototype. Ingest holds thousands of these until
 * InfluxDB has their points; as closures (settle, isStale, the PUBACK's sender) with their
 * scopes they were several objects each.
 */
class HeldPublish implements IncomingPublish, AckTicket {
  settled = false;
  puback: object | undefined = undefined;

  constructor(
    readonly topic: string,
    readonly payload: Buffer,
    readonly generation: number,
    readonly needsAck: boolean,
    private readonly session: AckSession,
  ) {}

  settle(): void {
    if (!this.settled) this.session.acks.settle(this);
  }

  isStale(): boolean {
    return this.needsAck && this.generation < this.session.redeliveredBelow;
  }
}

type SendPacket = (
  packet: Packet,
  cb?: (error?: Error) => void,
  cbStorePut?: () => void,
  noStore?: boolean,
) => void;

/**
 * An mqtt.js client (MQTT 3.1.1, persistent session) that sends each PUBACK only
 * once the message's points are stored.
 *
 * Why not `customHandleAcks`: mqtt.js only honours it with protocolVersion 5, which
 * aedes does not speak. Its 3.1.1 equivalent, `handleMessage`, sends the PUBACK
 * when its callback runs, but mqtt.js handles incoming packets one at a time and
 * waits for that callback, so holding it to batch writes would stall the client on
 * one message. Instead the callback runs at once (the next PUBLISH flows in) and the
 * PUBACK that mqtt.js then produces is intercepted and queued in an `AckQueue`,
 * which sends it in arrival order once the points are in InfluxDB. This relies on
 * mqtt.js' internal `_sendPacket` (checked against mqtt 5.16; the tests catch a
 * change).
 *
 * Back-pressure: when more than `maxBufferedPoints` are unwritten, the `handleMessage`
 * callback itself is held. mqtt.js then stops reading the socket, TCP fills up and
 * the broker keeps the rest queued for this session. While held, mqtt.js cannot read
 * PINGRESP either, so a long InfluxDB outage ends in a keepalive timeout and a
 * reconnect; the unacknowledged messages are then redelivered and their stale
 * copies dropped from memory, which keeps memory bounded. Only when the broker
 * reports the session present: a broker that was restarted (aedes keeps sessions in
 * memory) redelivers nothing, so the closed connection's messages are written anyway
 * (their PUBACKs are never sent).
 */
export class DeferredAckClient {
  private client: MqttClient | undefined;
  private generation = 0;
  private readonly session: AckSession = {
    acks: new AckQueue<HeldPublish>(
      (ticket) => this.isCurrent(ticket),
      (puback) => this.sendPuback(puback),
    ),
    redeliveredBelow: 0,
  };
  private stopping = false;
  private intercepting: HeldPublish | undefined;
  /** Sends a PUBACK on the current connection (tickets of earlier ones are never sent). */
  private sendPuback: (puback: object) => void = () => undefined;

  constructor(private readonly options: DeferredAckClientOptions) {}

  get connected(): boolean {
    return this.client?.connected ?? false;
  }

  get pendingAcks(): number {
    return this.session.acks.size;
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
    this.interceptPubacks(client);
    client.handleMessage = (packet, callback) => this.onPublish(packet, callback);

    let wasConnected = false;
    client.on('connect', (connack) => {
      wasConnected = true;
      if (connack.sessionPresent) this.session.redeliveredBelow = this.generation;
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
      // Every PUBACK still pending belongs to the closed connection and must never be sent on the next one.
      this.generation++;
      this.session.acks.release();
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
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => client.end(true, {}, () => resolve()), 2000);
      client.end(false, {}, () => {
        clearTimeout(force);
        resolve();
      });
    });
    client.removeAllListeners();
  }

  private isCurrent(ticket: AckTicket): boolean {
    return !this.stopping && ticket.generation === this.generation;
  }

  private onPublish(packet: IPublishPacket, callback: (error?: Error) => void): void {
    // Not copied: a view into a socket read. Messages are held in arrival order and released
    // about together, so the views keep little more than their own bytes alive.
    const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
    const message = new HeldPublish(
      packet.topic,
      payload,
      this.generation,
      (packet.qos ?? 0) > 0,
      this.session,
    );
    this.session.acks.push(message);
    try {
      this.options.onMessage(message);
    } catch (error) {
      // A bug must not hold every later acknowledgement hostage; the handler dead-letters what it can.
      this.options.logger.error({ err: error, topic: packet.topic }, 'message handler failed');
      message.settle();
    }
    const proceed = () => {
      this.intercepting = message;
      try {
        callback();
      } finally {
        this.intercepting = undefined;
      }
    };
    const room = this.options.waitForRoom();
    if (room) void room.then(proceed);
    else proceed();
  }

  /** mqtt.js produces the PUBACK synchronously inside the `handleMessage` callback; capture it there. */
  private interceptPubacks(client: MqttClient): void {
    const internals = client as unknown as { _sendPacket: SendPacket };
    const original = internals._sendPacket.bind(client);
    this.sendPuback = (puback) => {
      if (client.connected) original(puback as Packet);
    };
    internals._sendPacket = (packet, cb, cbStorePut, noStore) => {
      const ticket = this.intercepting;
      if (packet.cmd === 'puback' && ticket) {
        this.intercepting = undefined;
        this.session.acks.setPuback(ticket, packet);
        cb?.();
        return;
      }
      original(packet, cb, cbStorePut, noStore);
    };
  }
}
