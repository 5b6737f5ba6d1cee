import { createServer, type Server, type Socket } from 'node:net';
import { Aedes, type AedesOptions, type AuthenticateError, type AuthErrorCode, type Client } from 'aedes';
import {
  brokerLimitsSchema,
  ConnectionAdmission,
  guardFrameSize,
  LOGIN_REFUSAL_CODES,
  PasswordCheckGate,
  type LoginRefusal,
} from '../../broker/index.js';
import type { Logger } from '../../runtime/index.js';
import type { EdgeConfig, MqttDeviceConfig } from '../config/edge-config-schema.js';
import type { EdgeMetrics } from '../metrics.js';
import type { RateLimitedLog } from '../rate-limited-log.js';
import { LanAcl, type LanGrant } from './lan-acl.js';
import { readLanCredentials, type LanCredential } from './lan-credentials.js';

export interface LanBrokerOptions {
  lan: EdgeConfig['lan'];
  devices: readonly MqttDeviceConfig[];
  credentialsFile: string;
  metrics: EdgeMetrics;
  warnings: RateLimitedLog;
  logger: Logger;
}

// CONNACK return codes (MQTT 3.1.1, 3.2.2.3).
const SERVER_UNAVAILABLE = 3 as AuthErrorCode;
const NOT_AUTHORIZED = 5 as AuthErrorCode;

/**
 * A village LAN has tens of devices, each connecting once, some behind one address (an
 * NVR, an IoT hub): one password check at a time (a few hundred ms of a core the
 * polling needs on a Pi-class board), and an address guessing passwords is refused
 * without a check after ten failures a minute.
 */
const LAN_LIMITS = brokerLimitsSchema.parse({
  maxConnections: 512,
  maxConnectionsPerAddress: 128,
  connectsPerSecondPerAddress: 20,
  failedLoginsPerMinutePerAddress: 10,
  concurrentPasswordChecks: 1,
  waitingPasswordChecks: 128,
});
const CONNECT_TIMEOUT_MS = 10_000;
/**
 * Messages aedes' emitter (mqemitter) hands to subscribers at once; the rest wait in its
 * queue, first come first served. The bridge holds a QoS 1 message's callback until its
 * group commit is written (vendor-bridge.ts), so at aedes' default of 100 a device sending
 * 300 at once made every other device's message wait behind them for three more commits
 * (about a second). A held message does no work, and waiting in the queue would not take
 * less memory, so the bound is set well above what a village's LAN sends within one commit.
 */
const MESSAGES_AT_ONCE = 10_000;
/**
 * QoS 2 messages one connection may leave waiting for their PUBREL (aedes' default is 1,000,
 * 64 MiB of a gateway's memory at `lan.maxPacketBytes`); a device sends one at a time.
 */
const QOS2_WAITING_PER_CONNECTION = 16;
/** Prefix of an anonymous client's session id; `(` is not allowed in usernames. */
const ANONYMOUS = '(anonymous)';

type Refusal =
  | LoginRefusal
  | 'no_credentials'
  | 'will_denied'
  | 'publish_denied'
  | 'subscribe_denied'
  | 'oversized_packet'
  | 'connection_limit';

/**
 * The in-process MQTT broker LAN devices publish to (the gateway reads it in-process,
 * vendor-bridge.ts). Deny by default: per-device credentials hashed like the central
 * broker's, each publishing only on its devices' vendor topics (lan-acl.ts), no
 * subscriptions, packets over `maxPacketBytes` cut off as they arrive, and connection
 * and login limits from the central broker. Anonymous clients only with
 * `allowAnonymous`. Every client's session is kept under its username, so no device
 * can take over another's connection (or have its will published).
 */
export class LanBroker {
  private broker: Aedes | undefined;
  private server: Server | undefined;
  private boundPort = 0;
  private readonly sockets = new Set<Socket>();

  constructor(private readonly options: LanBrokerOptions) {}

  get aedes(): Aedes {
    if (!this.broker) throw new Error('LAN broker is not started');
    return this.broker;
  }

  get port(): number {
    return this.boundPort;
  }

  async start(): Promise<void> {
    const { lan, logger } = this.options;
    const credentials = await readLanCredentials(this.options.credentialsFile);
    const acl = new LanAcl(this.options.devices);
    const grants = this.grantsOf(credentials, acl);
    this.warnAboutAccess(credentials.length);

    const broker = await Aedes.createBroker({
      connectTimeout: CONNECT_TIMEOUT_MS,
      concurrency: MESSAGES_AT_ONCE,
      maxInflightInbound: QOS2_WAITING_PER_CONNECTION,
      ...this.hooks(acl, grants),
    });
    broker.on('clientError', (client, error) =>
      logger.debug({ client: client.id, err: error }, 'LAN client error'),
    );
    this.broker = broker;
    const admission = new ConnectionAdmission(LAN_LIMITS);
    const server = createServer((socket) => {
      const verdict = admission.admit(socket.remoteAddress);
      if (!verdict.ok) {
        this.refused('connection_limit', { remote: socket.remoteAddress, reason: verdict.reason });
        socket.destroy();
        return;
      }
      this.sockets.add(socket);
      socket.once('close', () => {
        verdict.release();
        this.sockets.delete(socket);
      });
      broker.handle(socket);
      guardFrameSize(socket, lan.maxPacketBytes, (length) =>
        this.refused('oversized_packet', { remote: socket.remoteAddress, length, limit: lan.maxPacketBytes }),
      );
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(lan.port, lan.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (error) => logger.error({ err: error }, 'LAN broker socket error'));
    const address = server.address();
    this.boundPort = typeof address === 'object' && address ? address.port : lan.port;
    logger.info(
      {
        host: lan.host,
        port: this.boundPort,
        credentials: credentials.length,
        anonymous: lan.allowAnonymous,
      },
      'LAN broker listening',
    );
  }

  async stop(): Promise<void> {
    const server = this.server;
    const broker = this.broker;
    this.server = undefined;
    this.broker = undefined;
    const closed = server ? new Promise<void>((resolve) => server.close(() => resolve())) : undefined;
    if (broker) await new Promise<void>((resolve) => broker.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  private grantsOf(
    credentials: readonly LanCredential[],
    acl: LanAcl,
  ): Map<string, { hash: string; grant: LanGrant }> {
    const grants = new Map<string, { hash: string; grant: LanGrant }>();
    for (const credential of credentials) {
      const { grant, unknown } = acl.grantFor(credential.devices);
      if (unknown.length > 0) {
        this.options.logger.warn(
          { username: credential.username, devices: unknown },
          'LAN credential names devices this gateway does not have; they grant nothing / 凭据中的设备不在网关配置中',
        );
      }
      grants.set(credential.username, { hash: credential.hash, grant });
    }
    return grants;
  }

  private warnAboutAccess(credentials: number): void {
    const { lan, devices, logger } = this.options;
    if (lan.allowAnonymous) {
      logger.warn(
        { host: lan.host, port: lan.port },
        'LAN broker accepts anonymous devices (lan.allowAnonymous): anyone on the LAN may publish as any configured device / 局域网允许匿名接入',
      );
    } else if (credentials === 0 && devices.length > 0) {
      logger.warn(
        { file: this.options.credentialsFile },
        'no LAN credentials: LAN devices cannot connect; add them with `edge/cli.ts lan add` / 尚无局域网设备凭据',
      );
    }
  }

  private hooks(
    acl: LanAcl,
    grants: ReadonlyMap<string, { hash: string; grant: LanGrant }>,
  ): Pick<AedesOptions, 'preConnect' | 'authenticate' | 'authorizePublish' | 'authorizeSubscribe'> {
    const { lan } = this.options;
    const sessions = new WeakMap<Client, LanGrant>();
    const wills = new WeakMap<Client, { topic: string; payload: Buffer }>();
    const logins = new PasswordCheckGate(LAN_LIMITS);

    const login = async (client: Client, username: string | undefined, password: Buffer | undefined) => {
      if (username === undefined || username === '') {
        if (!lan.allowAnonymous) return refusal('no_credentials', NOT_AUTHORIZED);
        return { ok: true as const, grant: acl.anonymousGrant(), owner: ANONYMOUS };
      }
      const entry = grants.get(username);
      const outcome = await logins.login({
        remoteAddress: (client.conn as { remoteAddress?: string }).remoteAddress,
        username,
        password,
        hash: entry?.hash,
        wanted: () => !client.closed,
      });
      if (outcome !== 'ok') return refusal(outcome, LOGIN_REFUSAL_CODES[outcome]);
      if (!entry) return refusal('unknown_user', LOGIN_REFUSAL_CODES.unknown_user);
      return { ok: true as const, grant: entry.grant, owner: username };
    };

    return {
      preConnect: (client, packet, callback) => {
        // Nobody subscribes on the LAN, so a persistent session keeps only QoS 2 messages
        // waiting for a PUBREL, in the gateway's memory and across reconnects: a device
        // reconnecting and withholding PUBRELs held 264 MB after six connections.
        packet.clean = true;
        if (packet.will) {
          const payload = packet.will.payload;
          wills.set(client, {
            topic: packet.will.topic,
            payload: Buffer.isBuffer(payload) ? payload : Buffer.from(payload),
          });
        }
        callback(null, true);
      },
      authenticate: (client, username, password, done) => {
        login(client, username, password).then(
          (outcome) => {
            if (!outcome.ok) {
              this.refused(outcome.reason, {
                clientId: client.id.slice(0, 64),
                username: username?.slice(0, 64),
              });
              return done(authError(outcome.reason, outcome.code), false);
            }
            const will = wills.get(client);
            if (will && !acl.mayPublish(outcome.grant, will.topic, will.payload).allowed) {
              this.refused('will_denied', { username: outcome.owner, topic: will.topic.slice(0, 256) });
              return done(authError('will_denied', NOT_AUTHORIZED), false);
            }
            // Each credential's sessions apart: no device can take over another's connection.
            (client as { id: string }).id = `${outcome.owner}/${client.id}`;
            sessions.set(client, outcome.grant);
            done(null, true);
          },
          (error: unknown) => {
            this.options.logger.error({ err: error }, 'LAN authentication failed unexpectedly');
            done(authError('internal_error', SERVER_UNAVAILABLE), false);
          },
        );
      },
      authorizePublish: (client, packet, callback) => {
        const grant = client ? sessions.get(client) : undefined;
        const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
        const decision = grant
          ? acl.mayPublish(grant, packet.topic, payload)
          : { allowed: false as const, reason: 'no session' };
        if (decision.allowed) return callback(null);
        this.refused('publish_denied', {
          clientId: client?.id,
          topic: packet.topic.slice(0, 256),
          reason: decision.reason,
        });
        callback(new Error(`publish to ${packet.topic} denied: ${decision.reason}`));
      },
      authorizeSubscribe: (client, subscription, callback) => {
        this.refused('subscribe_denied', { clientId: client.id, topic: subscription.topic.slice(0, 256) });
        callback(null, null);
      },
    };
  }

  private refused(reason: Refusal, fields: Record<string, unknown>): void {
    this.options.metrics.lanRefusedTotal.inc({ reason });
    this.options.warnings.warn(
      `lan:${reason}`,
      { ...fields, reason },
      'LAN client refused / 局域网客户端被拒绝',
    );
  }
}

function refusal(reason: Refusal, code: AuthErrorCode): { ok: false; reason: Refusal; code: AuthErrorCode } {
  return { ok: false, reason, code };
}

function authError(reason: string, code: AuthErrorCode): AuthenticateError {
  return Object.assign(new Error(`LAN authentication refused: ${reason}`), { returnCode: code });
}
