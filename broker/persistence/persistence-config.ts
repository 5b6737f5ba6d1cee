import { z } from 'zod';

export const PERSISTENCE_BACKENDS = ['disk', 'memory', 'redis'] as const;

/** Under the working directory, beside the credentials file. */
export const DEFAULT_SESSIONS_DIR = 'data/broker/sessions';

/**
 * Where the broker keeps sessions: subscriptions of persistent clients, QoS 1 messages
 * queued for them, retained messages and wills.
 * - `disk` (default): LevelDB in `dir` through aedes-persistence-level, every write the
 *   PUBACK waits for synced to the disk (open-persistence.ts): a broker killed, restarted
 *   or without power keeps what it acknowledged, and queues for a consumer (ingest) that
 *   is still reconnecting. Of a queue, at most the last 16 MB written stay in RAM as
 *   well, so a delivery and its PUBACK need no read from disk (session-database.ts).
 * - `memory`: lost on restart; for development and benchmarks.
 * - `redis`: shared by several broker nodes (a cluster, messages cross nodes through
 *   Redis pub/sub); Redis' own persistence (AOF) decides what survives Redis itself.
 * The `journal` store of earlier releases was removed: it did not sync what a PUBACK
 * promised, and the library's store, synced, costs a county's broker a fraction of a core.
 */
export const brokerPersistenceSchema = z
  .strictObject({
    backend: z
      .enum(PERSISTENCE_BACKENDS, {
        error: (issue) =>
          issue.input === 'journal'
            ? 'the journal store was removed: use disk (the default), which syncs what it acknowledges'
            : `one of ${PERSISTENCE_BACKENDS.join(', ')}`,
      })
      .default('disk'),
    dir: z.string().min(1).default(DEFAULT_SESSIONS_DIR),
    redisUrl: z
      .string()
      .regex(/^rediss?:\/\//, 'a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379')
      .optional(),
  })
  .refine((persistence) => persistence.backend !== 'redis' || persistence.redisUrl !== undefined, {
    message: 'backend redis needs redisUrl (BROKER_REDIS_URL), e.g. redis://127.0.0.1:6379',
    path: ['redisUrl'],
  });

export type BrokerPersistenceConfig = z.infer<typeof brokerPersistenceSchema>;

export const brokerPersistenceEnvMap = {
  BROKER_PERSISTENCE: 'persistence.backend',
  BROKER_PERSISTENCE_DIR: 'persistence.dir',
  BROKER_REDIS_URL: 'persistence.redisUrl',
} as const;
