import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import { persistentSessionOptions, type DeferredAckClientOptions } from './deferred-ack-client.js';

/** MQTT 5 reason code of a PUBACK that accepts the message. */
const SUCCESS = 0;

/** What one connection of the pool knows about its own redeliveries. */
interface ConnectionState {
  /** Bumped on every close: a message of an older generation can no longer be acknowledged. */
  generation: number;
  /** Messages of generations below this will be redelivered (the broker kept the session). */
  redeliveredBelow: number;
}

interface PoolMember {
  client: MqttClient;
  state: ConnectionState;
}

export interface SharedSubscriptionClientOptions extends DeferredAckClientOptions {
  /** `$share/{group}/…`: every worker of the group gets a share of the messages, none gets one twice. */
  shareGroup: string;
  /** Connections of this worker in the group. */
  connections: number;
}

/** A week: a worker that is away that long has its session (and what is queued for it) kept. */
const SESSION_EXPIRY_S = 7 * 24 * 3600;

/** A session being retired is ended once it has handed over nothing for this long. */
const RETIRE_QUIET_MS = 2000;

/** Sessions looked for and retired at once. */
const RETIRE_BATCH = 32;

/** The most connections a worker may have (config.ts): sessions above its count are looked for up to here. */
const MAX_CONNECTIONS = 256;

/**
 * Ingest on an MQTT 5 broker (mosquitto 2, EMQX, VerneMQ, HiveMQ): each message is
 * acknowledged through mqtt.js' public `customHandleAcks` once its points are stored, and
 * the workers share one subscription (`$share/{group}/{filter}`), so the broker hands each
 * message to one worker and a second worker adds capacity with no partition to configure.
 *
 * mqtt.js reads a connection's next packet only after the previous PUBACK is sent, so
 * one connection holds one message at a time. A worker therefore opens `connections`
 * connections in the group (its own client ids `{clientId}-{i}`, persistent sessions);
 * the write pipeline batches what they hold together. A connection that closes never
 * sends the PUBACKs of its old messages: the broker redelivers them to the session.
 * Sessions above the connection count (the worker had more before) are retired at start:
 * the broker would keep dealing them a share that nothing writes.
 */
export class SharedSubscriptionClient {
  private members: PoolMember[] = [];
  /** Connections retiring sessions left above the connection count. */
  private readonly retiring = new Set<MqttClient>();
  private stopping = false;
  private held = 0;

  constructor(private readonly options: SharedSubscriptionClientOptions) {}

  get connected(): boolean {
    return this.members.length > 0 && this.members.every((m) => m.client.connected);
  }

  get pendingAcks(): number {
    return this.held;
  }

  /** Every connection holds a message: none can take another until something is written. */
  get saturated(): boolean {
    return this.members.length > 0 && this.held >= this.members.length;
  }

  start(): void {
    this.stopping = false;
    const filters = this.options.filters.map((filter) => `$share/${this.options.shareGroup}/${filter}`);
    for (let i = 0; i < this.options.connections; i++) this.members.push(this.open(i, filters));
    void this.retireAbove(this.options.connections, filters);
  }

  /** Publishes QoS 1 on the first connection (dead letters). */
  publish(topic: string, payload: string): void {
    this.members[0]?.client.publish(topic, payload, { qos: 1 }, (error) => {
      if (error && !this.stopping) this.options.logger.warn({ err: error, topic }, 'publish failed');
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    for (const client of this.retiring) client.end(true);
    this.retiring.clear();
    const members = this.members;
    this.members = [];
    await Promise.all(
      members.map(
        (member) =>
          new Promise<void>((resolve) => {
            member.state.generation++;
            const force = setTimeout(() => member.client.end(true, {}, () => resolve()), 2000);
            member.client.end(false, {}, () => {
              clearTimeout(force);
              resolve();
            });
          }),
      ),
    );
    for (const member of members) member.client.removeAllListeners();
  }

  /** Connection options of session `index`: persistent, MQTT 5, the PUBACK sent once the message is stored. */
  private sessionOptions(index: number, state: ConnectionState, onSettled?: () => void): IClientOptions {
    const { options } = this;
    return {
      ...persistentSessionOptions(options),
      clientId: `${options.clientId}-${index}`,
      protocolVersion: 5,
      properties: { sessionExpiryInterval: SESSION_EXPIRY_S },
      customHandleAcks: (topic, payload, _packet, done) => {
        const generation = state.generation;
        this.held++;
        this.deliver(state, generation, topic, payload, () => {
          this.held--;
          // A PUBACK of a closed connection would name a packet id of the next one: never sent.
          if (generation === state.generation && !this.stopping) done(SUCCESS);
          onSettled?.();
        });
      },
    };
  }

  /**
   * Sessions of this worker above its connection count (a larger count before) are still
   * dealt a share of the group's messages. Each is taken over, leaves the group, has what it
   * was dealt written, and is ended; the first index without a session ends the search.
   */
  private async retireAbove(first: number, filters: readonly string[]): Promise<void> {
    // In parallel, a batch at a time: each waits RETIRE_QUIET_MS before it ends its session.
    for (let from = first; from < MAX_CONNECTIONS && !this.stopping; from += RETIRE_BATCH) {
      const indices = Array.from(
        { length: Math.min(RETIRE_BATCH, MAX_CONNECTIONS - from) },
        (_, i) => from + i,
      );
      const retired = await Promise.all(indices.map((index) => this.retire(index, filters)));
      if (!retired.every(Boolean)) return;
    }
  }

  /** Resolves true once session `index` is retired, false when there was none (or it cannot be reached). */
  private retire(index: number, filters: readonly string[]): Promise<boolean> {
    const { logger } = this.options;
    const state: ConnectionState = { generation: 0, redeliveredBelow: 0 };
    let holding = 0;
    let quiet: NodeJS.Timeout | undefined;
    let ending = false;
    return new Promise((resolve) => {
      const end = (retired: boolean) => {
        ending = true;
        clearTimeout(quiet);
        // Expiry 0 on DISCONNECT ends the session with the connection (MQTT 5).
        client.end(false, { properties: { sessionExpiryInterval: 0 } }, () => {
          this.retiring.delete(client);
          client.removeAllListeners();
          resolve(retired);
        });
      };
      const waitForQuiet = () => {
        clearTimeout(quiet);
        if (holding === 0) quiet = setTimeout(() => end(true), RETIRE_QUIET_MS);
      };
      const options = this.sessionOptions(index, state, () => {
        holding--;
        waitForQuiet();
      });
      const handle = options.customHandleAcks!;
      options.customHandleAcks = (topic, payload, packet, done) => {
        holding++;
        clearTimeout(quiet);
        handle(topic, payload, packet, done);
      };
      const client = connect(this.options.url, { ...options, reconnectPeriod: 0, resubscribe: false });
      this.retiring.add(client);
      client.once('connect', (connack) => {
        if (!connack.sessionPresent) {
          end(false);
          return;
        }
        logger.info({ clientId: options.clientId }, 'retiring a session above the connection count');
        client.unsubscribe([...filters], () => waitForQuiet());
      });
      client.once('close', () => {
        // Closed before it was retired (broker away, stopping): the session stays for the next start.
        if (!ending && this.retiring.delete(client)) {
          clearTimeout(quiet);
          resolve(false);
        }
      });
      client.on('error', (error) =>
        logger.warn({ err: error, clientId: options.clientId }, 'retiring failed'),
      );
    });
  }

  private open(index: number, filters: readonly string[]): PoolMember {
    const { options } = this;
    const state: ConnectionState = { generation: 0, redeliveredBelow: 0 };
    const clientOptions = this.sessionOptions(index, state);
    const client = connect(options.url, clientOptions);
    // QoS 0 messages skip customHandleAcks: there is nothing to acknowledge.
    client.on('message', (topic, payload, packet) => {
      if ((packet.qos ?? 0) === 0) this.deliver(state, state.generation, topic, payload, () => undefined);
    });
    client.on('connect', (connack) => {
      if (connack.sessionPresent) state.redeliveredBelow = state.generation;
      options.logger.info(
        { clientId: clientOptions.clientId, sessionPresent: connack.sessionPresent },
        'connected to the broker',
      );
      options.onConnectionChange?.(this.connected);
      client.subscribe([...filters], { qos: 1 }, (error) => {
        if (error) options.logger.error({ err: error }, 'subscribe failed');
      });
    });
    client.on('close', () => {
      state.generation++;
      options.onConnectionChange?.(false);
    });
    let lastError = '';
    client.on('error', (error) => {
      const level = error.message === lastError ? 'debug' : 'warn';
      lastError = error.message;
      options.logger[level]({ err: error }, 'MQTT client error');
    });
    return { client, state };
  }

  private deliver(
    state: ConnectionState,
    generation: number,
    topic: string,
    payload: Buffer,
    settle: () => void,
  ): void {
    let settled = false;
    const once = () => {
      if (settled) return;
      settled = true;
      settle();
    };
    const proceed = () => {
      try {
        this.options.onMessage({
          topic,
          payload,
          settle: once,
          isStale: () => generation < state.redeliveredBelow,
        });
      } catch (error) {
        this.options.logger.error({ err: error, topic }, 'message handler failed');
        once();
      }
    };
    const room = this.options.waitForRoom();
    if (room) void room.then(proceed);
    else proceed();
  }
}
