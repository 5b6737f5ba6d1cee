import { connect, type MqttClient } from 'mqtt';
import { encodeBatchPayload, gatewayClientId, parseTopic, topics } from '../../contracts/index.js';
import { mqttFailoverServers, settleWithin, type Logger } from '../../runtime/index.js';
import type { EdgeConfig } from '../config/edge-config-schema.js';
import type { EdgeMetrics } from '../metrics.js';
import type { ForwardLink } from '../buffer/forwarder.js';
import { statusMessage } from './status-message.js';

export interface UpstreamClientOptions {
  config: EdgeConfig;
  logger: Logger;
  metrics: EdgeMetrics;
  startedAt: number;
  /** Messages waiting upstream (the disk buffer), reported in the status message. */
  bufferDepth?: () => number;
}

const STOP_ACK_TIMEOUT_MS = 2_000;

/**
 * The gateway's one connection to the central broker. Its will is a retained offline
 * status, so the platform learns of a dead gateway (or a village power cut) from the
 * broker. Everything but the status comes from the disk buffer's forwarder, which
 * publishes only while a session is up; mqtt.js re-sends what was in flight when a
 * connection dropped before it reports the next session ready.
 */
export class UpstreamClient implements ForwardLink {
  private client: MqttClient | undefined;
  private readonly statusTopic: string;
  private readonly sessionListeners = new Set<(ready: boolean) => void>();

  constructor(private readonly options: UpstreamClientOptions) {
    this.statusTopic = topics.status(options.config.site, options.config.gateway);
  }

  get connected(): boolean {
    return this.client?.connected ?? false;
  }

  /** Messages waiting upstream: the disk buffer's depth when there is one, else mqtt.js' queue. */
  bufferDepth(): number {
    if (this.options.bufferDepth) return this.options.bufferDepth();
    const client = this.client;
    if (!client) return 0;
    return client.queue.length + Object.keys(client.outgoing).length;
  }

  onSession(listener: (ready: boolean) => void): () => void {
    this.sessionListeners.add(listener);
    return () => this.sessionListeners.delete(listener);
  }

  publishRaw(topic: string, body: string, done: (error?: Error) => void): void {
    const client = this.client;
    if (!client) return done(new Error('upstream client stopped'));
    // The buffer keeps JSON; a batch is encoded as it leaves, so the setting applies to a backlog too.
    const payload =
      parseTopic(topic)?.kind === 'batch'
        ? encodeBatchPayload(body, this.options.config.publish.batchEncoding)
        : body;
    client.publish(topic, payload, { qos: 1 }, (error) => done(error ?? undefined));
  }

  async start(): Promise<void> {
    const { config, logger, metrics } = this.options;
    const upstream = config.upstream;
    const client = connect(upstream.url, {
      clientId: upstream.clientId ?? gatewayClientId(config.site, config.gateway),
      username: upstream.username,
      password: upstream.password,
      keepalive: upstream.keepaliveS,
      reconnectPeriod: upstream.reconnectMs,
      // a refused login (credentials file briefly missing on the broker) must not end retrying for good
      reconnectOnConnackError: true,
      connectTimeout: 10_000,
      protocolVersion: 4,
      // mqtt-packet's default pre-builds 65,536 two-byte Buffers (~6 MiB of a gateway's heap)
      // to save one small allocation per packet id written.
      writeCache: false,
      will: { topic: this.statusTopic, payload: this.willPayload(), qos: 1, retain: true },
      ...mqttFailoverServers(upstream.url, upstream.failoverUrls),
    });
    this.client = client;
    let connections = 0;
    client.on('connect', () => {
      metrics.upstreamConnected.set(1);
      logger.info({ url: upstream.url }, 'upstream connected');
      this.publishStatus('online', connections++ === 0 ? 'startup' : 'reconnect');
      for (const listener of this.sessionListeners) listener(true);
    });
    client.on('close', () => {
      metrics.upstreamConnected.set(0);
      for (const listener of this.sessionListeners) listener(false);
      // The will goes out with the next CONNECT: refresh its timestamp for that session.
      if (client.options.will) client.options.will.payload = this.willPayload();
    });
    client.on('offline', () =>
      logger.warn({ url: upstream.url }, 'upstream offline; messages wait in the disk buffer'),
    );
    client.on('error', (error) => logger.warn({ err: error, url: upstream.url }, 'upstream error'));
  }

  publish(topic: string, payload: unknown, retain = false): void {
    const client = this.client;
    if (!client) return;
    client.publish(topic, JSON.stringify(payload), { qos: 1, retain }, (error) => {
      if (error) this.options.logger.warn({ err: error, topic }, 'upstream publish failed');
    });
  }

  async stop(): Promise<void> {
    const client = this.client;
    if (!client) return;
    this.client = undefined;
    if (client.connected) {
      const status = statusMessage('offline', 'shutdown', this.options.startedAt, 0);
      await settleWithin(
        client.publishAsync(this.statusTopic, JSON.stringify(status), { qos: 1, retain: true }),
        STOP_ACK_TIMEOUT_MS,
        noAnswer,
      ).catch((error: unknown) =>
        this.options.logger.warn({ err: error }, 'offline status not acknowledged'),
      );
      await settleWithin(client.endAsync(), STOP_ACK_TIMEOUT_MS, noAnswer).catch(() => client.end(true));
    } else {
      client.end(true);
    }
    client.removeAllListeners();
    client.on('error', () => undefined);
    this.sessionListeners.clear();
    this.options.metrics.upstreamConnected.set(0);
  }

  private publishStatus(state: 'online' | 'offline', reason: 'startup' | 'reconnect' | 'shutdown'): void {
    this.publish(
      this.statusTopic,
      statusMessage(state, reason, this.options.startedAt, this.bufferDepth()),
      true,
    );
  }

  private willPayload(): string {
    return JSON.stringify(statusMessage('offline', 'lwt', this.options.startedAt, 0));
  }
}

const noAnswer = () => new Error(`no answer within ${STOP_ACK_TIMEOUT_MS} ms`);
