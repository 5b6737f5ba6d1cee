export * from './managed-influxd.js';
export { ManagedRedis } from './managed-redis.js';
export type { ManagedRedisOptions } from './managed-redis.js';
export * from './service-process.js';
export * from './village-stack.js';
export { privateDir } from './private-dir.js';
export { ManagedMosquitto, type ManagedMosquittoOptions } from './managed-mosquitto.js';
export { NotificationInbox, formatInboxEntry, type InboxEntry } from './notification-inbox.js';
