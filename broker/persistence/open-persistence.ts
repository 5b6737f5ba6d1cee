import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { ClassicLevel } from 'classic-level';
import type { MQEmitter } from 'mqemitter';
import { createIndexedMemoryPersistence } from './indexed-memory-persistence.js';
import { MessageSyncs } from './message-syncs.js';
import type { BrokerPersistenceConfig } from './persistence-config.js';
import { sessionDatabase, whileStoringMessage } from './session-database.js';
import { redisSessionPresence, type PresenceRedis, type SessionPresence } from './session-presence.js';
import { checkStoreFormat } from './store-format.js';

/** What aedes takes as `persistence` (and `mq` for a cluster), and how to let go of it. */
export interface OpenedPersistence {
  persistence: object;
  /** Set for a cluster backend: messages published on one node reach subscribers on the others. */
  mq?: MQEmitter;
  /** After aedes closed: releases the database or the Redis connections. */
  close(): Promise<void>;
  /** Client ids with stored subscriptions (persistent sessions that collect messages), once aedes has set it up. */
  sessionIds(): Promise<string[]>;
  /** Set for a cluster backend: when each persistent client was last connected to any node. */
  presence?: SessionPresence;
  /** Set for the Redis backend: whether every connection to Redis is up (the broker stalls while one is not). */
  reachable?(): boolean;
  /** Set for the disk backend: a message's stores complete once queued, their syncs are awaited here before its PUBACK. */
  syncs?: MessageSyncs;
}

// None of these modules ships declarations; the shapes used here are typed inline.
const require = createRequire(import.meta.url);
type AsyncPersistence = {
  outgoingEnqueue(sub: object, packet: unknown): Promise<unknown>;
  outgoingEnqueueCombi(subs: unknown[], packet: unknown): Promise<unknown>;
  outgoingUpdate(client: { id: string }, packet: unknown): Promise<unknown>;
  addSubscriptions(client: { id: string }, subs: object): Promise<unknown>;
};
type AsyncPersistenceClass<Options> = new (options: Options) => AsyncPersistence;
type CallBackPersistenceClass = new <Options>(
  factory: (options: Options) => AsyncPersistence,
  options: Options,
) => object;
type RedisEmitter = MQEmitter & { state: { on(event: 'error', listener: (error: Error) => void): unknown } };
type RedisEmitterFactory = (options: { subConn: unknown; pubConn: unknown }) => RedisEmitter;
type RedisClient = PresenceRedis & {
  readonly status: string;
  duplicate(): RedisClient;
  smembers(key: string): Promise<string[]>;
  quit(): Promise<unknown>;
  disconnect(): void;
  on(event: 'error', listener: (error: Error) => void): unknown;
};
type RedisConstructor = new (url: string, options: Record<string, unknown>) => RedisClient;

/** `onError` hears connection errors of a Redis backend (it reconnects by itself). */
export async function openPersistence(
  config: BrokerPersistenceConfig,
  onError: (error: Error) => void = () => undefined,
): Promise<OpenedPersistence> {
  switch (config.backend) {
    case 'memory':
      return {
        persistence: createIndexedMemoryPersistence(),
        close: async () => undefined,
        sessionIds: async () => [],
      };
    case 'disk':
      return openDisk(config.dir);
    case 'redis':
      return openRedis(config.redisUrl!, onError);
  }
}

async function openDisk(dir: string): Promise<OpenedPersistence> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const db = new ClassicLevel<string, Buffer>(dir, { keyEncoding: 'utf8', valueEncoding: 'buffer' });
  await db.open();
  try {
    await checkStoreFormat(db, dir);
  } catch (error) {
    await db.close();
    throw error;
  }
  const sessions = sessionDatabase(db);
  const syncs = new MessageSyncs();
  return {
    persistence: createLevelPersistence(sessions, syncs),
    close: () => sessions.close(),
    sessionIds: () => levelSessionIds(db),
    syncs,
  };
}

/** aedes-persistence-level keys a stored subscription `subscriptions:{encodeURIComponent(clientId)}:{topic}`. */
async function levelSessionIds(db: ClassicLevel<string, Buffer>): Promise<string[]> {
  const ids = new Set<string>();
  for await (const key of db.keys({ gte: 'subscriptions:', lt: 'subscriptions;' })) {
    const encoded = key.slice('subscriptions:'.length).split(':')[0];
    if (encoded) ids.add(decodeURIComponent(encoded));
  }
  return [...ids];
}

/**
 * aedes-persistence-level on an opened (or opening) database, in the wrapper aedes takes;
 * with `syncs`, a message's stores complete once queued (MessageSyncs).
 */
export function createLevelPersistence(db: ClassicLevel<string, Buffer>, syncs?: MessageSyncs): object {
  const LevelPersistence = require('aedes-persistence-level/asyncPersistence.js') as AsyncPersistenceClass<
    ClassicLevel<string, Buffer>
  >;
  return wrapForAedes(LevelPersistence, db, syncs);
}

/**
 * How much of a persistent session's queue the Redis store hands over when its client
 * connects: the library reads it as `LRANGE queue 0 maxSessionDelivery`, and -1 is the
 * end of the list. The library's default, 1,000, sent only the oldest 1,001 messages;
 * the rest stayed queued, behind every live message, until the client's next connection
 * (moscajs/aedes#63). Ingest moving to another node while over a thousand readings
 * were queued for it (held unacknowledged, or published while it reconnected) thus got
 * the newest of them only at its next move, however much later (276 readings in
 * test/scale/broker-cluster). The disk and memory stores hand over the whole queue too.
 * Reading it costs the broker the queue's keys at once (about 60 bytes a message), a
 * fraction of what Redis holds for the same messages.
 */
const WHOLE_QUEUE = -1;

function openRedis(url: string, onError: (error: Error) => void): OpenedPersistence {
  const Redis = (require('ioredis') as { Redis: RedisConstructor }).Redis;
  // Commands wait while Redis is away instead of failing at once: a Redis restart
  // stalls the broker's deliveries rather than losing them. Without the client-info
  // handshake: ioredis 5.x sends it before its ready check, so a SUBSCRIBE sent in
  // between put the connection in subscriber mode, the check's INFO was refused and
  // the connection was dropped and made again (redis/ioredis#2037).
  const base = new Redis(url, { maxRetriesPerRequest: null, lazyConnect: false, disableClientInfo: true });
  const connections = [base, base.duplicate(), base.duplicate()];
  for (const connection of connections) {
    connection.on('error', onError);
    // mqemitter-redis quits its connections on close without handling the promise; one
    // already closed (Redis went away) rejected unhandled. Closed is what quit wants.
    const quit = connection.quit.bind(connection);
    connection.quit = () => quit().catch(() => 'OK');
  }
  const RedisPersistence = require('aedes-persistence-redis/asyncPersistence.js') as AsyncPersistenceClass<{
    conn: unknown;
    maxSessionDelivery: number;
  }>;
  const createRedisEmitter = require('mqemitter-redis') as RedisEmitterFactory;
  const mq = createRedisEmitter({ subConn: connections[1], pubConn: connections[2] });
  // mqemitter-redis repeats its connections' errors on `state`, an emitter that throws
  // when nobody listens: every failed reconnection while Redis restarted ended the
  // broker. onError has heard them from the connections already.
  mq.state.on('error', () => undefined);
  return {
    persistence: wrapForAedes(RedisPersistence, {
      conn: connections[0],
      maxSessionDelivery: WHOLE_QUEUE,
    }),
    mq,
    // aedes-persistence-redis keeps the ids of clients with subscriptions in this set.
    sessionIds: () => base.smembers('clients'),
    presence: redisSessionPresence(base),
    reachable: () => connections.every((connection) => connection.status === 'ready'),
    close: async () => {
      await Promise.all(connections.map((connection) => connection.quit()));
      for (const connection of connections) connection.disconnect();
    },
  };
}

/**
 * aedes' callback wrapper around an async persistence whose enqueues finish in the order
 * they were called. aedes hands a QoS 1 message to online subscribers once its enqueue
 * has finished, and drops one whose broker counter is below the last it delivered to that
 * client as a duplicate: with a store whose writes may complete out of order (LevelDB),
 * a message enqueued after another but stored first made the other look like a duplicate,
 * and it was not delivered until the subscriber reconnected (measured: 40–66 of 2000).
 * Likewise a message is written to a client once its packet id is stored
 * (outgoingUpdate): those finish in order per client, so messages keep their order.
 *
 * aedes stores a SUBSCRIBE's whole list once per filter in it, concurrently; a store
 * that announces subscriptions to other nodes (Redis) waits for its own announcement
 * under a key made from the first filter, so all but one of those calls waited for
 * ever and a persistent client subscribing to several filters never got its SUBACK.
 * Concurrent calls for the same list now share one store.
 */
function wrapForAedes<Options>(
  Persistence: AsyncPersistenceClass<Options>,
  options: Options,
  syncs?: MessageSyncs,
): object {
  const { CallBackPersistence } = require('aedes-persistence/callBackPersistence.js') as {
    CallBackPersistence: CallBackPersistenceClass;
  };
  return new CallBackPersistence((opts: Options) => adaptForAedes(new Persistence(opts), syncs), options);
}

function adaptForAedes(persistence: AsyncPersistence, syncs?: MessageSyncs): AsyncPersistence {
  const addSubscriptions = persistence.addSubscriptions.bind(persistence);
  const storing = new WeakMap<object, Promise<unknown>>();
  persistence.addSubscriptions = (client, subs) => {
    const running = storing.get(subs);
    if (running) return running;
    const done = addSubscriptions(client, subs).finally(() => storing.delete(subs));
    storing.set(subs, done);
    return done;
  };
  const enqueueOne = persistence.outgoingEnqueue.bind(persistence);
  // aedes queues a message it sends to one client itself (Client.publish) here: synced like any store.
  persistence.outgoingEnqueue = (sub, packet) =>
    whileStoringMessage(undefined, () => enqueueOne(sub, packet));
  const enqueue = persistence.outgoingEnqueueCombi.bind(persistence);
  const update = persistence.outgoingUpdate.bind(persistence);
  const enqueues = new CompletionOrder();
  const updates = new Map<string, CompletionOrder>();
  persistence.outgoingEnqueueCombi = (subs, packet) =>
    enqueues.add(
      syncs
        ? syncs.store(packet as { payload?: unknown }, () => enqueue(subs, packet))
        : enqueue(subs, packet),
    );
  persistence.outgoingUpdate = (client, packet) => {
    // One entry per persistent-session client (aedes skips this for clean sessions): a handful.
    let order = updates.get(client.id);
    if (!order) updates.set(client.id, (order = new CompletionOrder()));
    return order.add(update(client, packet));
  };
  return persistence;
}

/** Operations still run concurrently; each is reported done only after those added before it. */
class CompletionOrder {
  private previous: Promise<unknown> = Promise.resolve();

  add<T>(operation: Promise<T>): Promise<T> {
    const done = Promise.all([operation, this.previous]).then(([result]) => result);
    this.previous = done.catch(() => undefined);
    return done;
  }
}
