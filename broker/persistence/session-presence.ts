/**
 * When each persistent client was last connected to a node of a cluster, shared by the
 * nodes so that none expires a session whose client is connected to another one. Each
 * node notes its own persistent clients at every expiry sweep and when one disconnects.
 */
export interface SessionPresence {
  /** Notes these clients as connected at `at` (ms since the epoch). */
  seen(clientIds: readonly string[], at: number): Promise<void>;
  /** When each of these was last noted, for those ever noted. */
  lastSeen(clientIds: readonly string[]): Promise<Map<string, number>>;
  /** Sessions that ended (expired): nothing to note any more. */
  forget(clientIds: readonly string[]): Promise<void>;
}

/** The few commands of an ioredis client used here. */
export interface PresenceRedis {
  hset(key: string, fields: Record<string, string>): Promise<unknown>;
  hmget(key: string, ...fields: string[]): Promise<Array<string | null>>;
  hdel(key: string, ...fields: string[]): Promise<unknown>;
}

/** One hash beside aedes-persistence-redis' keys: client id → last seen (ms). */
const PRESENCE_KEY = 'broker:sessions-seen';

export function redisSessionPresence(redis: PresenceRedis): SessionPresence {
  return {
    async seen(clientIds, at) {
      if (clientIds.length === 0) return;
      await redis.hset(PRESENCE_KEY, Object.fromEntries(clientIds.map((id) => [id, String(at)])));
    },
    async lastSeen(clientIds) {
      const seen = new Map<string, number>();
      if (clientIds.length === 0) return seen;
      const values = await redis.hmget(PRESENCE_KEY, ...clientIds);
      clientIds.forEach((id, i) => {
        const at = Number(values[i] ?? NaN);
        if (Number.isFinite(at)) seen.set(id, at);
      });
      return seen;
    },
    async forget(clientIds) {
      if (clientIds.length > 0) await redis.hdel(PRESENCE_KEY, ...clientIds);
    },
  };
}
