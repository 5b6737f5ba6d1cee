import mqtt, { type IClientOptions, type IPublishPacket, type MqttClient } from 'mqtt';
import { isRetainableTopic, topicFilters, topics } from '../../contracts/index.js';
import { mqttFailoverServers, ReadAhead, type Logger } from '../../runtime/index.js';
import type { AlertPublisher } from '../notify/channels/mqtt-sender.js';
import { CatchUpMarker } from './catch-up-marker.js';
import { decodeCanonical, type DecodeResult } from './decode-message.js';

export interface MqttInputOptions {
  url: string;
  /** Other nodes of the broker cluster, tried in turn after `url`. */
  failoverUrls?: readonly string[];
  /** The persistent session's id; the readings connection takes `{clientId}-readings`. */
  clientId: string;
  username?: string | undefined;
  password?: string | undefined;
  /** The sites this service watches; it subscribes per site, as the broker grants a site-scoped service. */
  sites: readonly string[];
  /**
   * The gateways of those sites (site file). When the broker kept no session, nothing was
   * queued, but each one's retained status tells how it stands now: `onCaughtUp` waits for them.
   */
  gateways?: ReadonlyArray<{ site: string; gateway: string }>;
  logger: Logger;
  /** Evaluates a message; a promise returned holds back its acknowledgement until it settles. */
  onResult: (result: DecodeResult) => Promise<void> | undefined;
  /** Told true once both connections are subscribed, false as soon as either drops. */
  onConnection?: (connected: boolean) => void;
  /**
   * Told once, when every message the broker queued for the events session while alerting
   * was down has been evaluated (catch-up-marker.ts), or, when it kept no session, once every
   * gateway's retained status has been.
   */
  onCaughtUp?: () => void;
}

/** What alerting subscribes to on each of its two connections. */
export interface AlertingSubscriptions {
  /** Events, gateway status (wills among them) and batches: persistent session, QoS 1. */
  events: string[];
  /** Per-device telemetry: clean session, QoS 0. */
  readings: string[];
}

/**
 * Every stream of the given sites except gateway health (no rule reads it), split by
 * what missing a message would cost. An event happens once: a fire alarm, a forced
 * door, a gateway's will, an emergency light's self-test; a batch carries the gateway's
 * info events (a fire panel's reset, a door closed, a fault cleared) beside its
 * readings, so it counts as events. A per-device telemetry message carries readings
 * only: state the meter reports again at its next poll.
 */
export function alertingSubscriptions(sites: readonly string[]): AlertingSubscriptions {
  const streams = sites.flatMap((site) =>
    topicFilters.siteStreams(site).filter((filter) => !filter.endsWith('/health')),
  );
  const readings = streams.filter((filter) => filter.endsWith('/telemetry'));
  const events = streams.filter((filter) => !readings.includes(filter));
  // The catch-up marker comes back through the events session (catch-up-marker.ts).
  if (sites[0] !== undefined) events.push(topics.alertingCatchUp(sites[0]));
  return { events, readings };
}

/**
 * The broker connections, two so that a fire alarm never waits behind readings:
 * - events: a persistent session (clean = false, fixed client id) with QoS 1
 *   subscriptions, so events published while alerting restarts wait for it. Each message
 *   is evaluated as soon as it arrives (`ReadAhead`), in the order the broker sent them;
 *   mqtt.js acknowledges it once `handleMessage` calls back, one message at a time: here
 *   once what it changed is on disk, so an acknowledged event has been evaluated and
 *   persisted (and its notifications started), and a fire alarm is judged without
 *   waiting for the syncs of the events before it.
 * - readings: a clean session at QoS 0. At thousands of readings a second, a persistent
 *   QoS 1 subscription made the broker store and sync each reading for alerting (the
 *   session store's ceiling) and alerting acknowledge each; a fire alarm queued behind
 *   them in the store and on the one socket (bench/README.md, issue 26). Readings
 *   published while this connection is down are not replayed: thresholds are judged
 *   again on the next reading (ingest stores every reading for the boards either way),
 *   and silence is not judged while either connection is down (`onConnection`), then
 *   counted from the reconnect, so a restart raises no false meter-silent alert.
 * Readings and events of one device travel on different connections, so their relative
 * order is not kept; what depends on it (a device answering badly, then well) is set
 * right by the next reading.
 *
 * At a start the events session connects only once its catch-up marker is queued
 * (catch-up-marker.ts), and `onCaughtUp` is told when it reads the marker back. Retained
 * messages come after the SUBACK with no end marker in MQTT 3.1.1: only a gateway's status
 * is retained, and a status published while alerting was down is queued like any event.
 * A session the broker did not keep (expired, a new client id) had nothing queued, and the
 * marker found no subscription: then the retained statuses are all there is, and
 * `onCaughtUp` waits until one has come from every gateway the site file declares.
 */
export class MqttInput implements AlertPublisher {
  private events: MqttClient | undefined;
  private readings: MqttClient | undefined;
  private readonly subscribed = { events: false, readings: false };
  private reported = false;
  private caughtUp = false;
  private stopped = false;
  private marker: CatchUpMarker | undefined;
  /** Status topics still to be read before `onCaughtUp`, when the broker kept no session. */
  private statusesAwaited: Set<string> | undefined;

  constructor(private readonly options: MqttInputOptions) {}

  get ready(): boolean {
    return (
      this.subscribed.events &&
      this.subscribed.readings &&
      this.events?.connected === true &&
      this.readings?.connected === true
    );
  }

  start(): void {
    const { clientId, sites, logger } = this.options;
    const filters = alertingSubscriptions(sites);
    const startEvents = () => {
      if (this.stopped) return;
      this.events = this.connect('events', { clientId, clean: false }, filters.events, 1, (client) =>
        // A session from a release that took readings on it keeps that subscription: drop it,
        // or the broker goes on storing every reading for this session.
        client.unsubscribe(filters.readings, (error) => {
          if (error) logger.warn({ err: error.message }, 'unsubscribe of readings failed');
        }),
      );
    };
    const site = sites[0];
    if (site === undefined) {
      this.markCaughtUp();
      startEvents();
    } else {
      this.marker = new CatchUpMarker(site);
      void this.marker
        .queue(
          this.options.url,
          this.clientOptions({ clientId: `${clientId}-catch-up`, clean: true }),
          logger,
        )
        .then(startEvents);
    }
    this.readings = this.connect(
      'readings',
      { clientId: `${clientId}-readings`, clean: true },
      filters.readings,
      0,
    );
  }

  async publish(topic: string, payload: string): Promise<void> {
    const client = this.events;
    if (!client?.connected) throw new Error('not connected to the broker');
    await client.publishAsync(topic, payload, { qos: 1 });
  }

  /** `force` drops the connections at once (a crash stand-in); otherwise in-flight packets finish first. */
  async stop({ force = false }: { force?: boolean } = {}): Promise<void> {
    this.stopped = true;
    this.marker?.cancel();
    const clients = [this.events, this.readings];
    this.events = undefined;
    this.readings = undefined;
    this.subscribed.events = false;
    this.subscribed.readings = false;
    await Promise.all(clients.map((client) => client?.endAsync(force)));
  }

  private connect(
    name: 'events' | 'readings',
    session: Pick<IClientOptions, 'clientId' | 'clean'>,
    filters: readonly string[],
    qos: 0 | 1,
    onSessionPresent?: (client: MqttClient) => void,
  ): MqttClient {
    const { url, logger } = this.options;
    const client = mqtt.connect(url, {
      ...this.clientOptions(session),
      reconnectPeriod: 1_000,
      // a refused login (credentials briefly missing on the broker) must not end retrying for good
      reconnectOnConnackError: true,
    });
    client.on('connect', (connack) => {
      logger.info(
        { url, connection: name, sessionPresent: connack.sessionPresent },
        'connected to the broker',
      );
      if (connack.sessionPresent) onSessionPresent?.(client);
      // No session kept: nothing was queued for it, the marker included; what stands now
      // comes as the gateways' retained statuses.
      else if (name === 'events') this.awaitStatuses();
      client.subscribe(Object.fromEntries(filters.map((f) => [f, { qos }])), (error, granted) => {
        if (error) {
          logger.error({ err: error, connection: name }, 'subscribe failed');
          return;
        }
        const refused = (granted ?? []).filter((g) => g.qos === 128).map((g) => g.topic);
        if (refused.length > 0) logger.error({ refused }, 'broker refused subscriptions (check the ACL)');
        this.subscribed[name] = refused.length === 0;
        this.report();
      });
    });
    client.on('close', () => {
      this.subscribed[name] = false;
      this.report();
    });
    client.on('error', (error) => logger.warn({ err: error.message, connection: name }, 'MQTT error'));
    // Each message is taken as it arrives; mqtt.js' documented hook for handling with
    // back-pressure then holds its PUBACK (QoS 1), and the next one's, until it is synced.
    const ahead = new ReadAhead(client, (packet) => this.takeOn(client, packet));
    client.handleMessage = (packet, callback) => {
      const { stream, written } = ahead.claim(packet)?.taken ?? this.takeOn(client, packet);
      // Called back only on the connection the message came on: mqtt.js would send a closed
      // connection's PUBACK on the next one, where the broker sends the unacknowledged message
      // again under the same packet id, and the PUBACK would clear that copy before it is synced.
      const onItsConnection = () => client.stream === stream && client.connected;
      if (written === undefined) {
        if (onItsConnection()) callback();
        return;
      }
      written.then(
        () => onItsConnection() && callback(),
        (error: unknown) =>
          onItsConnection() && callback(error instanceof Error ? error : new Error(String(error))),
      );
    };
    return client;
  }

  /** Where and as whom every connection logs in. */
  private clientOptions(session: Pick<IClientOptions, 'clientId' | 'clean'>): IClientOptions {
    const { url, failoverUrls = [], username, password } = this.options;
    return {
      ...mqttFailoverServers(url, failoverUrls),
      ...session,
      protocolVersion: 4,
      connectTimeout: 10_000,
      // Each connection subscribes again itself at every CONNACK; with mqtt.js' resubscribing
      // on, that SUBSCRIBE was dropped for filters it already held, and a broker that kept
      // the session but not its subscriptions (mosquitto 2.0.11 after a restart) sent nothing.
      resubscribe: false,
      ...(username !== undefined ? { username } : {}),
      ...(password !== undefined ? { password } : {}),
    };
  }

  private markCaughtUp(): void {
    if (this.caughtUp) return;
    this.caughtUp = true;
    this.statusesAwaited = undefined;
    this.options.onCaughtUp?.();
  }

  private awaitStatuses(): void {
    if (this.caughtUp) return;
    const { gateways = [] } = this.options;
    this.statusesAwaited = new Set(gateways.map(({ site, gateway }) => topics.status(site, gateway)));
    if (this.statusesAwaited.size === 0) this.markCaughtUp();
  }

  /** A status has been evaluated: the last one awaited means alerting knows how every gateway stands. */
  private statusRead(topic: string): void {
    const awaited = this.statusesAwaited;
    if (awaited?.delete(topic) && awaited.size === 0) this.markCaughtUp();
  }

  /** Takes a message, with the connection (mqtt.js' stream) it came on. */
  private takeOn(
    client: MqttClient,
    packet: IPublishPacket,
  ): { stream: MqttClient['stream']; written: Promise<void> | undefined } {
    return { stream: client.stream, written: this.take(packet) };
  }

  /** Evaluates a message; a promise returned holds its acknowledgement until it settles. */
  private take(packet: IPublishPacket): Promise<void> | undefined {
    if (CatchUpMarker.isMarker(packet)) {
      if (this.marker?.isOurs(packet)) this.markCaughtUp();
      return undefined;
    }
    // A retained event is an old one replayed: only a gateway's status is meant to be retained.
    if (packet.retain && !isRetainableTopic(packet.topic)) return undefined;
    const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
    const written = this.options.onResult(decodeCanonical(packet.topic, payload));
    this.statusRead(packet.topic);
    return written;
  }

  /** Tells `onConnection` when both connections became subscribed, or one of them dropped. */
  private report(): void {
    const connected = this.subscribed.events && this.subscribed.readings;
    if (connected === this.reported) return;
    this.reported = connected;
    this.options.onConnection?.(connected);
  }
}
