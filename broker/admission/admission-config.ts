import { z } from 'zod';
import { configNumber } from '../../runtime/index.js';

const count = (fallback: number, max: number) =>
  configNumber().pipe(z.number().int().min(1).max(max)).default(fallback);

/**
 * What one address, and everyone together, may cost the broker before a login is even
 * checked. A password check is scrypt (16 MiB, tens of ms on libuv's thread pool, which
 * the session store needs for every QoS 1 message): unbounded, ~100 CONNECTs/s stalled
 * the whole pipeline. The defaults leave room for a county's gateways reconnecting at
 * once after a broker restart (they retry on "server unavailable").
 */
export const brokerLimitsSchema = z
  .strictObject({
    /** Sockets open at once, all addresses together, whether they have sent CONNECT or not. */
    maxConnections: count(10_000, 1_000_000),
    /** Sockets open at once from one address (an IPv6 /64). */
    maxConnectionsPerAddress: count(256, 1_000_000),
    /** New connections one address may open per second on average; five seconds' worth at once. */
    connectsPerSecondPerAddress: count(20, 100_000),
    /**
     * New connections per second, all addresses together; five seconds' worth at once (a
     * county's gateways reconnecting after a restart fit in the burst, and retry). A flood
     * spread over many addresses is then closed at accept instead of costing a CONNECT each.
     */
    connectsPerSecond: count(200, 1_000_000),
    /** Failed logins one address may make per minute (as many at once) before it is refused unchecked. */
    failedLoginsPerMinutePerAddress: count(30, 100_000),
    /**
     * Failed logins for one username per minute, from every address where it has not logged
     * in before (as many at once): a botnet guessing a gateway's password from hundreds of
     * addresses gets a few checks, not hundreds a second. Where the username has logged in,
     * it keeps a budget of its own.
     */
    failedLoginsPerMinutePerUser: count(30, 100_000),
    /** Password checks running at once; keep it below libuv's pool (4 threads) so the session store gets its share. */
    concurrentPasswordChecks: count(2, 64),
    /** Logins waiting for a check; beyond this a CONNECT is answered "server unavailable" at once. */
    waitingPasswordChecks: count(100, 100_000),
    /** Persistent sessions with subscriptions one credential may keep (a service needs one per worker, a gateway none). */
    persistentSessionsPerUser: count(16, 100_000),
    /**
     * A persistent session whose client has been away this long stops collecting messages
     * (its subscriptions are dropped; what it had queued waits for it). Default 14 days:
     * longer than any outage ingest or alerting should ride out.
     */
    sessionExpirySeconds: count(14 * 24 * 3600, 10 * 365 * 24 * 3600),
  })
  .prefault({});

export type BrokerLimits = z.infer<typeof brokerLimitsSchema>;

export const brokerLimitsEnvMap = {
  BROKER_MAX_CONNECTIONS: 'limits.maxConnections',
  BROKER_MAX_CONNECTIONS_PER_ADDRESS: 'limits.maxConnectionsPerAddress',
  BROKER_CONNECTS_PER_SECOND_PER_ADDRESS: 'limits.connectsPerSecondPerAddress',
  BROKER_CONNECTS_PER_SECOND: 'limits.connectsPerSecond',
  BROKER_FAILED_LOGINS_PER_MINUTE_PER_ADDRESS: 'limits.failedLoginsPerMinutePerAddress',
  BROKER_FAILED_LOGINS_PER_MINUTE_PER_USER: 'limits.failedLoginsPerMinutePerUser',
  BROKER_CONCURRENT_PASSWORD_CHECKS: 'limits.concurrentPasswordChecks',
  BROKER_WAITING_PASSWORD_CHECKS: 'limits.waitingPasswordChecks',
  BROKER_PERSISTENT_SESSIONS_PER_USER: 'limits.persistentSessionsPerUser',
  BROKER_SESSION_EXPIRY_SECONDS: 'limits.sessionExpirySeconds',
} as const;
