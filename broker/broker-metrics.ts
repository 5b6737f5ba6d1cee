import { Counter, Gauge, type Registry } from 'prom-client';
import { zeroed } from '../runtime/index.js';

export type AuthFailureReason =
  | 'no_credentials'
  | 'unknown_user'
  | 'bad_password'
  | 'will_denied'
  | 'will_too_large'
  | 'will_qos2'
  | 'client_id_too_long'
  | 'client_id_taken'
  | 'credential_changed'
  | 'too_many_sessions'
  | 'login_rate_limited'
  | 'auth_busy'
  | 'internal_error';
export type AclAction = 'publish' | 'subscribe' | 'forward' | 'retain' | 'session';
export type PayloadStage = 'publish' | 'frame';

export interface BrokerMetrics {
  clientsConnected: Gauge;
  messagesPublished: Counter<'qos'>;
  authFailures: Counter<'reason'>;
  aclDenials: Counter<'action'>;
  payloadRejections: Counter<'stage'>;
  connectionsRefused: Counter<'reason'>;
  clientsRevoked: Counter;
  sessionsExpired: Counter;
  credentialsLoaded: Gauge;
  credentialsFileRejected: Gauge;
  socketsOpen: Gauge;
  persistentSessions: Gauge;
  storedSubscriptions: Gauge;
}

/** The `read` callbacks are called at scrape time, so the gauges never drift. */
export function createBrokerMetrics(
  registry: Registry,
  read: {
    clients: () => number;
    credentials: () => number;
    credentialsRejected: () => boolean;
    sockets: () => number;
    persistentSessions: () => number;
    /** Subscriptions the session store keeps for persistent sessions (what queues messages while a client is away). */
    storedSubscriptions: () => Promise<number | undefined>;
  },
): BrokerMetrics {
  const registers = [registry];
  return {
    clientsConnected: new Gauge({
      name: 'broker_clients_connected',
      help: 'MQTT clients connected now',
      registers,
      collect() {
        this.set(read.clients());
      },
    }),
    messagesPublished: zeroed(
      new Counter({
        name: 'broker_messages_published_total',
        help: 'Messages accepted from clients, by QoS',
        labelNames: ['qos'],
        registers,
      }),
      'qos',
      ['0', '1', '2'],
    ),
    authFailures: new Counter({
      name: 'broker_auth_failures_total',
      help: 'Refused connections, by reason',
      labelNames: ['reason'],
      registers,
    }),
    aclDenials: new Counter({
      name: 'broker_acl_denials_total',
      help: 'Publishes, subscriptions and deliveries (forward) refused by the topic ACL',
      labelNames: ['action'],
      registers,
    }),
    payloadRejections: new Counter({
      name: 'broker_payload_rejections_total',
      help: 'Messages refused for exceeding the payload limit (frame: cut off while still arriving)',
      labelNames: ['stage'],
      registers,
    }),
    connectionsRefused: new Counter({
      name: 'broker_connections_refused_total',
      help: 'Sockets closed as they were accepted: too many in total or from one address, or opened too fast',
      labelNames: ['reason'],
      registers,
    }),
    sessionsExpired: new Counter({
      name: 'broker_sessions_expired_total',
      help: 'Persistent sessions away longer than the expiry whose subscriptions were dropped',
      registers,
    }),
    clientsRevoked: new Counter({
      name: 'broker_clients_revoked_total',
      help: 'Connected clients disconnected because their credential was removed or changed',
      registers,
    }),
    credentialsLoaded: new Gauge({
      name: 'broker_credentials_loaded',
      help: 'Credentials in force',
      registers,
      collect() {
        this.set(read.credentials());
      },
    }),
    credentialsFileRejected: new Gauge({
      name: 'broker_credentials_file_rejected',
      help: '1 while the credentials file on disk is invalid and the previous credentials stay in force',
      registers,
      collect() {
        this.set(read.credentialsRejected() ? 1 : 0);
      },
    }),
    socketsOpen: new Gauge({
      name: 'broker_sockets_open',
      help: 'MQTT connections open now, whether they have sent CONNECT or not (a leak shows here first)',
      registers,
      collect() {
        this.set(read.sockets());
      },
    }),
    persistentSessions: new Gauge({
      name: 'broker_persistent_sessions',
      help: 'Persistent sessions with stored subscriptions (each collects messages while its client is away)',
      registers,
      collect() {
        this.set(read.persistentSessions());
      },
    }),
    storedSubscriptions: new Gauge({
      name: 'broker_stored_subscriptions',
      help: 'QoS 1 subscriptions the session store keeps for persistent sessions',
      registers,
      async collect() {
        const count = await read.storedSubscriptions();
        if (count !== undefined) this.set(count);
      },
    }),
  };
}
