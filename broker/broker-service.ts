import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { Aedes } from 'aedes';
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import {
  CodedError,
  componentLogger,
  createLogger,
  createMetricsRegistry,
  createServiceHttp,
  type Component,
  type Logger,
} from '../runtime/index.js';
import { ConnectionAdmission } from './admission/connection-admission.js';
import { PasswordCheckGate } from './admission/password-check-gate.js';
import { createAuthenticate, createPreConnect } from './auth/authenticate.js';
import { createAuthorizePublish } from './auth/authorize-publish.js';
import { createAuthorizeForward } from './auth/authorize-forward.js';
import { createAuthorizeSubscribe } from './auth/authorize-subscribe.js';
import { ClientIdOwners } from './auth/client-id-binding.js';
import { PersistentSessions } from './auth/persistent-sessions.js';
import { RefusalLog } from './auth/refusal-log.js';
import { RetainedPolicy } from './auth/retained-policy.js';
import { FilterCap } from './auth/filter-cap.js';
import { keepOnlyGrantedFilters } from './auth/granted-filters.js';
import type { HookContext } from './auth/hook-context.js';
import { revokeStaleSessions } from './auth/revoke-sessions.js';
import { SessionRegistry } from './auth/session-registry.js';
import { createBrokerMetrics } from './broker-metrics.js';
import { DEFAULT_CONNECT_TIMEOUT_MS, type BrokerConfig } from './config.js';
import { CredentialStore } from './credentials/credential-store.js';
import { batchWritesPerTurn } from './batched-writes.js';
import { guardFrameSize } from './frame-guard.js';
import { withClientCertificateCheck } from './tls/certificate-authenticate.js';
import { openPersistence, type OpenedPersistence } from './persistence/open-persistence.js';
import type { SessionPresence } from './persistence/session-presence.js';
import { MqttTlsListener } from './tls/mqtt-tls-listener.js';

export interface BrokerServiceOptions {
  logger?: Logger;
  registry?: Registry;
}

/** Room for the topic (up to 64 KiB) and packet id around the largest allowed payload. */
const FRAME_OVERHEAD_BYTES = 65_536 + 16;

/**
 * The central MQTT broker: aedes over plain TCP and/or TLS (optionally with client
 * certificates, tls/) with credentials, a topic ACL and a payload limit, plus
 * /healthz, /readyz and /metrics (HTTP or HTTPS).
 */
export class BrokerService implements Component {
  private aedes: Aedes | undefined;
  private mqttServer: Server | undefined;
  private tlsListener: MqttTlsListener | undefined;
  private http: FastifyInstance | undefined;
  private store: CredentialStore | undefined;
  private persistence: OpenedPersistence | undefined;
  private readonly sockets = new Set<Socket>();
  private mqttAddress: AddressInfo | undefined;
  private expirySweep: NodeJS.Timeout | undefined;
  private httpAddress: AddressInfo | undefined;

  constructor(
    private readonly config: BrokerConfig,
    private readonly options: BrokerServiceOptions = {},
  ) {}

  /** The port MQTT listens on (the real one when configured as 0); 0 before start. */
  get mqttPort(): number {
    return this.mqttAddress?.port ?? 0;
  }

  get httpPort(): number {
    return this.httpAddress?.port ?? 0;
  }

  /** The port MQTT over TLS listens on; 0 before start or without `tls`. */
  get mqttsPort(): number {
    return this.tlsListener?.port ?? 0;
  }

  get mqttsUrl(): string {
    return `mqtts://${connectableHost(this.config.tls?.host ?? '127.0.0.1')}:${this.mqttsPort}`;
  }

  get mqttUrl(): string {
    return `mqtt://${connectableHost(this.config.mqtt.host)}:${this.mqttPort}`;
  }

  get httpUrl(): string {
    const scheme = this.config.http.https ? 'https' : 'http';
    return `${scheme}://${connectableHost(this.config.http.host)}:${this.httpPort}`;
  }

  /** Re-reads the credentials file now instead of waiting for the watcher. */
  async reloadCredentials(): Promise<void> {
    await this.store?.reload();
  }

  async start(): Promise<void> {
    try {
      await this.startParts();
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  private async startParts(): Promise<void> {
    const logger = this.options.logger ?? createLogger('broker');
    const registry = this.options.registry ?? createMetricsRegistry('broker');
    const sessions = new SessionRegistry();
    const store = new CredentialStore({
      file: this.config.credentialsFile,
      logger: componentLogger(logger, 'broker.credentials'),
      onReload: () => revokeStaleSessions(context),
    });
    const metrics = createBrokerMetrics(registry, {
      clients: () => this.aedes?.connectedClients ?? 0,
      credentials: () => store.size,
      credentialsRejected: () => store.rejection !== undefined,
      sockets: () => this.sockets.size,
      persistentSessions: () => context.persistentSessions.size,
      storedSubscriptions: async () => {
        const store = this.persistence?.persistence as
          { countOffline?: () => Promise<{ subsCount: number }> } | undefined;
        return store?.countOffline ? (await store.countOffline()).subsCount : undefined;
      },
    });
    const context: HookContext = {
      store,
      sessions,
      clientIds: new ClientIdOwners(store),
      persistentSessions: new PersistentSessions({
        perUser: this.config.limits.persistentSessionsPerUser,
        expiryMs: this.config.limits.sessionExpirySeconds * 1000,
      }),
      retained: new RetainedPolicy(store),
      logins: new PasswordCheckGate(this.config.limits),
      metrics,
      logger: componentLogger(logger, 'broker.auth'),
      refusals: new RefusalLog(componentLogger(logger, 'broker.auth')),
      allowAnonymous: this.config.allowAnonymous,
      maxPayloadBytes: this.config.maxPayloadBytes,
      filters: new FilterCap(),
      forgetStoredFilter: () => undefined,
    };

    this.store = store;
    await store.start();
    if (!this.config.allowAnonymous && store.size === 0) {
      throw new CodedError('CONFIG_INVALID', missingCredentialsMessage(this.config.credentialsFile));
    }
    if (this.config.allowAnonymous) {
      logger.warn(
        'DEV MODE: anonymous clients may connect and publish anywhere (allowAnonymous=true) / 开发模式：允许匿名连接',
      );
    }

    const persistence = await openPersistence(this.config.persistence, (error) =>
      logger.warn({ err: error }, 'session store (Redis) connection error; retrying'),
    );
    this.persistence = persistence;
    const storedFilters = keepOnlyGrantedFilters(persistence.persistence, context);
    context.forgetStoredFilter = storedFilters.forget;
    const aedes = await Aedes.createBroker({
      connectTimeout: this.config.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      persistence: persistence.persistence,
      ...(persistence.mq ? { mq: persistence.mq } : {}),
      preConnect: createPreConnect(context),
      authenticate: withClientCertificateCheck(
        createAuthenticate(context),
        context,
        this.config.tls?.requireClientCert ?? false,
      ),
      authorizePublish: createAuthorizePublish(context),
      authorizeSubscribe: createAuthorizeSubscribe(context),
      authorizeForward: createAuthorizeForward(context),
      // A client's QoS 1 message was handed to the online subscribers once stored; its PUBACK
      // (sent after this hook) waits until that store is on disk (MessageSyncs).
      published: (packet, client, done) => {
        const synced = client && packet.qos > 0 ? persistence.syncs?.synced(packet) : undefined;
        if (!synced) return done(null);
        synced.then(
          () => done(null),
          (error: unknown) => done(error instanceof Error ? error : new Error(String(error))),
        );
      },
    });
    this.aedes = aedes;
    const presence = persistence.presence;
    aedes.on('clientDisconnect', (client) => {
      sessions.disconnected(client);
      context.persistentSessions.disconnected(client.id);
      if (presence && !client.clean) {
        presence
          .seen([client.id], Date.now())
          .catch((error: unknown) =>
            logger.warn({ err: error, clientId: client.id }, 'could not note when a persistent client left'),
          );
      }
    });
    aedes.on('clientReady', (client) => context.persistentSessions.connected(client.id));
    context.persistentSessions.restore(
      (await persistence.sessionIds()).map((clientId) => ({
        clientId,
        username: context.clientIds.usernameOf(clientId) ?? '(no owner)',
      })),
    );
    this.expirySweep = startExpirySweep(
      context,
      storedFilters.clean,
      this.config.limits.sessionExpirySeconds,
      presence,
    );
    aedes.on('clientError', (client, error) =>
      logger.debug({ clientId: client.id, err: error }, 'client error'),
    );
    aedes.on('connectionError', (client, error) =>
      logger.debug({ clientId: client.id, err: error }, 'connection error'),
    );

    const maxFrame = this.config.maxPayloadBytes + FRAME_OVERHEAD_BYTES;
    const admission = new ConnectionAdmission(this.config.limits);
    /** Every raw socket, on either listener, before a byte of it is read (or its TLS handshake). */
    const admit = (socket: Socket): boolean => {
      const verdict = admission.admit(socket.remoteAddress);
      if (verdict.ok) {
        socket.once('close', verdict.release);
        return true;
      }
      metrics.connectionsRefused.inc({ reason: verdict.reason });
      logger.debug({ remote: socket.remoteAddress, reason: verdict.reason }, 'connection refused');
      return false;
    };
    const acceptConnection = (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
      batchWritesPerTurn(socket);
      aedes.handle(socket);
      guardFrameSize(socket, maxFrame, (length) => {
        metrics.payloadRejections.inc({ stage: 'frame' });
        context.refusals.warn(
          { remote: socket.remoteAddress, length, limit: maxFrame },
          'oversized MQTT packet: connection dropped',
        );
      });
    };
    const server = createServer((socket) => {
      if (admit(socket)) acceptConnection(socket);
      else socket.destroy();
    });
    this.mqttServer = server;
    if (this.config.mqtt.enabled !== false) {
      this.mqttAddress = await listen(server, this.config.mqtt.host, this.config.mqtt.port);
    }
    if (this.config.tls) {
      this.tlsListener = new MqttTlsListener({
        tls: this.config.tls,
        accept: acceptConnection,
        admit,
        logger: componentLogger(logger, 'broker.tls'),
        onHandshakeFailure: () => metrics.authFailures.inc({ reason: 'tls_handshake' }),
      });
      await this.tlsListener.start();
    }
    const plainReady = () => this.config.mqtt.enabled === false || server.listening;
    const tlsReady = () => this.tlsListener === undefined || this.tlsListener.listening;

    const http = createServiceHttp({
      logger,
      registry,
      readiness: [
        { name: 'mqtt', check: () => plainReady() && tlsReady() && !aedes.closed },
        // A rejected edit of the credentials file leaves the old credentials in force: not ready until fixed.
        { name: 'credentials', check: () => store.rejection === undefined },
        // Redis away: publishes wait for it, so a cluster's load balancer should send clients elsewhere.
        { name: 'session_store', check: () => persistence.reachable?.() ?? true },
      ],
      https: this.config.http.https,
    });
    this.http = http;
    await http.listen({ host: this.config.http.host, port: this.config.http.port });
    const httpAddress = http.server.address();
    this.httpAddress = typeof httpAddress === 'object' && httpAddress ? httpAddress : undefined;
    logger.info(
      {
        mqtt: this.config.mqtt.enabled === false ? 'off' : this.mqttUrl,
        ...(this.tlsListener
          ? { mqtts: this.mqttsUrl, requireClientCert: this.config.tls?.requireClientCert }
          : {}),
        http: this.httpUrl,
        credentials: store.size,
        persistence: this.config.persistence.backend,
      },
      'broker listening',
    );
  }

  async stop(): Promise<void> {
    clearInterval(this.expirySweep);
    this.expirySweep = undefined;
    const server = this.mqttServer;
    const closed = server?.listening
      ? new Promise<void>((resolve) => server.close(() => resolve()))
      : undefined;
    const aedes = this.aedes;
    if (aedes) await new Promise<void>((resolve) => aedes.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
    await this.tlsListener?.stop();
    this.tlsListener = undefined;
    await this.http?.close();
    await this.store?.stop();
    await this.persistence?.close();
    this.persistence = undefined;
    this.aedes = undefined;
    this.mqttServer = undefined;
    this.http = undefined;
    this.store = undefined;
    this.mqttAddress = undefined;
    this.httpAddress = undefined;
  }
}

/**
 * Drops the subscriptions of persistent sessions away longer than the expiry, checked a
 * few times per expiry (at most hourly). In a cluster a session is away only while its
 * client is connected to no node: each sweep notes this node's clients as seen, and a
 * session another node saw within the expiry is kept (a node knows only its own
 * clients, and one restarted counts every stored session as away from its start: it
 * expired ingest's session while ingest was connected to the other node, and what was
 * published during ingest's next reconnect was queued for no one).
 */
function startExpirySweep(
  context: HookContext,
  clean: (clientId: string) => Promise<unknown>,
  expirySeconds: number,
  presence: SessionPresence | undefined,
): NodeJS.Timeout {
  const sessions = context.persistentSessions;
  const expire = (clientId: string) => {
    sessions.forgotten(clientId);
    clean(clientId)
      .then(() => presence?.forget([clientId]))
      .then(
        () => {
          context.metrics.sessionsExpired.inc();
          context.logger.info({ clientId }, 'persistent session expired: it no longer collects messages');
        },
        (error: unknown) =>
          context.logger.warn({ err: error, clientId }, 'could not expire a persistent session'),
      );
  };
  let sweeping = false;
  const sweep = async () => {
    if (presence) {
      await presence.seen(sessions.connectedIds(), Date.now());
      const away = sessions.expired();
      if (away.length > 0) {
        for (const [clientId, at] of await presence.lastSeen(away)) sessions.seenElsewhere(clientId, at);
      }
    }
    for (const clientId of sessions.expired()) expire(clientId);
  };
  const run = () => {
    if (sweeping) return;
    sweeping = true;
    // Without the cluster's word on where a client is, nothing expires this round.
    sweep()
      .catch((error: unknown) =>
        context.logger.warn({ err: error }, 'persistent-session expiry sweep failed'),
      )
      .finally(() => (sweeping = false));
  };
  const timer = setInterval(run, Math.min((expirySeconds * 1000) / 4, 3_600_000));
  timer.unref();
  return timer;
}

function listen(server: Server, host: string, port: number): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

function connectableHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

function missingCredentialsMessage(file: string): string {
  return [
    `no credentials in ${file}; the broker refuses every client without them.`,
    `凭据文件为空或不存在，请先添加凭据 / add one first, e.g.:`,
    `  npx tsx broker/cli.ts add ingest --role ingest --site '*' --file ${file}`,
    `or, for local development only, set BROKER_ALLOW_ANONYMOUS=true.`,
  ].join('\n');
}
