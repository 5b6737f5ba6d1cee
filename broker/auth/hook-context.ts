import type { Client } from 'aedes';
import type { Logger } from '../../runtime/index.js';
import type { BrokerMetrics } from '../broker-metrics.js';
import type { PasswordCheckGate } from '../admission/password-check-gate.js';
import type { CredentialStore } from '../credentials/credential-store.js';
import type { ClientIdOwners } from './client-id-binding.js';
import type { FilterCap } from './filter-cap.js';
import type { PersistentSessions } from './persistent-sessions.js';
import type { RefusalLog } from './refusal-log.js';
import type { RetainedPolicy } from './retained-policy.js';
import type { SessionRegistry } from './session-registry.js';

/** What every hook needs; built once by the service. */
export interface HookContext {
  store: CredentialStore;
  sessions: SessionRegistry;
  /** What logins may cost: failed logins per address, password checks at once. */
  logins: PasswordCheckGate;
  /** What may be retained, and which retained messages are still handed out. */
  retained: RetainedPolicy;
  /** Persistent sessions that collect messages, per credential. */
  persistentSessions: PersistentSessions;
  /** Which credential each client id belongs to. */
  clientIds: ClientIdOwners;
  metrics: BrokerMetrics;
  logger: Logger;
  /** Warnings about refused clients, bounded in lines per second. */
  refusals: RefusalLog;
  /** Dev mode: clients without a username are let in as an anonymous admin. */
  allowAnonymous: boolean;
  maxPayloadBytes: number;
  /** How many filters each connection may hold. */
  filters: FilterCap;
  /** Drops a filter from a persistent client's stored session (set once the session store is open). */
  forgetStoredFilter: (client: Client, topic: string) => void;
}

export function payloadBytes(payload: Buffer | string): number {
  return typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length;
}
