import { z } from 'zod';
import { configNumber } from '../../runtime/index.js';

export const PERSISTENCE_BACKENDS = ['disk', 'journal', 'memory', 'redis'] as const;

/** Under the working directory, beside the credentials file. */
export const DEFAULT_SESSIONS_DIR = 'data/broker/sessions';

/**
 * Where the broker keeps sessions: subscriptions of persistent clients, QoS 1 messages
 * queued for them, retained messages and wills.
 * - `journal` (default): sessions in memory, every change journalled to LevelDB in `dir`
 *   in group commits. A broker killed or restarted keeps what it acknowledged, and
 *   queues for a consumer (ingest) that is still reconnecting. Queued payloads stay in
 *   RAM up to `queueRamMb`; older ones are read back from disk when resent, so a
 *   consumer that is away costs about 750 bytes of RAM per queued message.
 * - `disk`: the same guarantee with everything in LevelDB (aedes-persistence-level):
 *   no RAM per queued message, but 3–4× the broker CPU per message.
 * - `memory`: lost on restart; for development and benchmarks.
 * - `redis`: shared by several broker nodes (a cluster, messages cross nodes through
 *   Redis pub/sub); Redis' own persistence (AOF) decides what survives Redis itself.
 */
export const brokerPersistenceSchema = z
  .strictObject({
    backend: z.enum(PERSISTENCE_BACKENDS).default('journal'),
    dir: z.string().min(1).default(DEFAULT_SESSIONS_DIR),
    /** `journal`: MiB of queued payloads kept in RAM. */
    queueRamMb: configNumber()
      .pipe(z.number().int('a whole number of MiB, e.g. 64').min(1, 'at least 1 MiB, e.g. 64').max(1_048_576))
      .default(64),
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
  BROKER_QUEUE_RAM_MB: 'persistence.queueRamMb',
  BROKER_REDIS_URL: 'persistence.redisUrl',
} as const;
