import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import {
  componentLogger,
  createLogger,
  createMetricsRegistry,
  createServiceHttp,
  type Component,
  type Logger,
} from '../../runtime/index.js';
import { SiteRegistry } from '../../site/index.js';
import { registerAlertingApi } from '../api/register-api.js';
import { registerOperatorsPage } from '../page/register-page.js';
import { AlertEngine, type EngineOutput, type IngestOutcome } from '../engine/alert-engine.js';
import { systemClock, type Clock } from '../engine/clock.js';
import { SiteIndex } from '../engine/site-index.js';
import type { NotificationsConfig } from '../notify/channel-config.js';
import { ChannelHealth, type ChannelState } from '../notify/channel-health.js';
import { CHANNEL_TYPE_NAMES } from '../notify/channel-words.js';
import { Outbox } from '../notify/outbox.js';
import { channelIdOf, deliveriesFor, MQTT_CONTACT } from '../notify/routing.js';
import { InfluxHistory } from '../persistence/influx-history.js';
import { Journal } from '../persistence/journal.js';
import type { JournalRecord } from '../persistence/journal-records.js';
import type { JournalState } from '../persistence/journal.js';
import { loadRules } from '../rules/load-rules.js';
import { createAlertingMetrics, type AlertingMetrics } from './alerting-metrics.js';
import { apiTokenGrants, effectiveNotifications, httpScheme, type AlertingConfig } from './config.js';
import type { DecodeResult } from './decode-message.js';
import { MqttInput } from './mqtt-input.js';
import { openOperatorAccess, type OperatorAccess } from './operator-access.js';

export interface AlertingServiceOptions {
  logger?: Logger;
  registry?: Registry;
  clock?: Clock;
}

interface Running {
  engine: AlertEngine;
  journal: Journal;
  outbox: Outbox;
  history: InfluxHistory | undefined;
  http: FastifyInstance;
  mqtt: MqttInput;
  tick: NodeJS.Timeout;
  notifications: NotificationsConfig;
  metrics: AlertingMetrics;
  health: ChannelHealth;
  access: OperatorAccess;
}

/**
 * The alerting service: broker → validated canonical messages → engine → journal,
 * outbox (webhook, WeCom, DingTalk, Feishu, e-mail, MQTT) and InfluxDB history, with
 * the token-protected API next to /healthz, /readyz and /metrics.
 */
export class AlertingService implements Component {
  private running: Running | undefined;
  /**
   * Set while a broker message is evaluated: its engine output is written at once and
   * synced off the event loop, and the message is acknowledged once that sync is done.
   */
  private inputWrites: { pending: boolean } | undefined;
  private httpAddress: { host: string; port: number } | undefined;

  constructor(
    private readonly config: AlertingConfig,
    private readonly options: AlertingServiceOptions = {},
  ) {}

  get httpUrl(): string {
    if (!this.httpAddress) throw new Error('alerting is not started');
    return `${httpScheme(this.config)}://${this.httpAddress.host}:${this.httpAddress.port}`;
  }

  get engine(): AlertEngine {
    if (!this.running) throw new Error('alerting is not started');
    return this.running.engine;
  }

  get outbox(): Outbox {
    if (!this.running) throw new Error('alerting is not started');
    return this.running.outbox;
  }

  /** Every notification channel with its recent successes and failures. */
  get channels(): ChannelState[] {
    if (!this.running) throw new Error('alerting is not started');
    return this.running.health.list();
  }

  /** Subscribed to the broker and able to take messages. */
  get ready(): boolean {
    return this.running?.mqtt.ready ?? false;
  }

  async start(): Promise<void> {
    if (this.running) return;
    const config = this.config;
    const logger = this.options.logger ?? createLogger('alerting');
    const registry = this.options.registry ?? createMetricsRegistry('alerting');
    const clock = this.options.clock ?? systemClock;
    const metrics = createAlertingMetrics(registry, () => this.updateGauges());
    const registries = config.sites.files.map((file) => SiteRegistry.fromFile(file));
    const sites = new SiteIndex(registries);
    const rules = loadRules(config.rules.files, config.rules.overrides);
    const notifications = effectiveNotifications(config);

    const journal = new Journal({
      dir: config.dataDir,
      compactAfterLines: config.journal.compactAfterLines,
      keepResolved: config.engine.resolvedRetention,
      // Alerts are still judged and told meanwhile; the broker keeps the messages behind them
      // unacknowledged until their records are on disk.
      onWriteFailed: (error) =>
        logger.error(
          { err: error, dir: config.dataDir },
          '告警日志写不进磁盘（磁盘满或故障），记录暂存内存并重试 / journal write failed: kept in memory and retried',
        ),
      onWriteRecovered: () =>
        logger.warn({ dir: config.dataDir }, 'journal written again / 告警日志已恢复写入'),
    });
    const state = journal.open();
    if (journal.skipped > 0)
      logger.warn({ skipped: journal.skipped }, 'journal lines could not be read (torn write?)');

    const history = config.influx.url
      ? new InfluxHistory({
          url: config.influx.url,
          database: config.influx.database,
          username: config.influx.username,
          password: config.influx.password,
          logger: componentLogger(logger, 'alerting.history'),
          onWritten: (n) => metrics.history.inc({ outcome: 'written' }, n),
          onDropped: (n) => metrics.history.inc({ outcome: 'dropped' }, n),
          onFailed: () => metrics.history.inc({ outcome: 'write_failed' }),
        })
      : undefined;

    const mqtt = new MqttInput({
      url: config.mqtt.url,
      failoverUrls: config.mqtt.failoverUrls,
      clientId: config.mqtt.clientId,
      username: config.mqtt.username,
      password: config.mqtt.password,
      sites: registries.map((registry) => registry.siteId),
      gateways: registries.flatMap((registry) =>
        registry.site.gateways.map((g) => ({ site: registry.siteId, gateway: g.id })),
      ),
      logger: componentLogger(logger, 'alerting.mqtt'),
      onResult: (result) => this.handle(result),
      onConnection: (connected) => this.running?.engine.inputConnection(connected),
      onCaughtUp: () => this.running?.outbox.inputCaughtUp(),
    });
    const http = createServiceHttp({
      logger,
      registry,
      readiness: [
        { name: 'mqtt', check: () => mqtt.ready },
        { name: 'journal', check: () => journal.writable },
      ],
      https: config.http.https,
    });
    const address = { host: config.http.host, port: config.http.port };
    const health = this.channelHealth(notifications, state);
    const publicUrl = () => config.publicUrl ?? `${httpScheme(config)}://${address.host}:${address.port}`;
    const access = await openOperatorAccess(config, publicUrl, () => clock.now(), logger);
    const ruleMap = new Map(rules.map((r) => [r.id, r]));
    const outbox = new Outbox({
      journal,
      config: notifications,
      messages: {
        sites,
        rules: ruleMap,
        utcOffsetMinutes: config.engine.utcOffsetMinutes,
        actorLabel: access.actorLabel,
      },
      audience: access.audienceFor,
      publisher: () => mqtt,
      logger: componentLogger(logger, 'alerting.outbox'),
      health,
      metrics: {
        delivered: (channel) => metrics.deliveries.inc({ channel, outcome: 'delivered' }),
        attemptFailed: (channel) => metrics.deliveries.inc({ channel, outcome: 'attempt_failed' }),
        givenUp: (channel) => metrics.deliveries.inc({ channel, outcome: 'failed' }),
        superseded: (channel) => metrics.deliveries.inc({ channel, outcome: 'superseded' }),
      },
    });

    const engine = new AlertEngine({
      rules,
      sites,
      clock,
      policy: config.engine,
      initial: {
        alerts: [...state.alerts.values()],
        silences: [...state.silences.values()],
        evidence: state.evidence,
      },
      onOutput: (output) => this.persist(output),
      inputConnectedAtStart: false,
    });
    const tick = setInterval(() => engine.tick(), config.tickMs);
    this.running = {
      engine,
      journal,
      outbox,
      history,
      http,
      mqtt,
      tick,
      notifications,
      metrics,
      health,
      access,
    };
    const configured = new Set(health.list().map((c) => c.channelId));
    for (const alert of engine.alerts({ state: 'firing' })) {
      // A channel removed from the config cannot recover: its alert is over.
      if (alert.ruleKind === 'service' && !configured.has(alert.subject))
        engine.serviceCondition('notification_channel_failing', alert.site, alert.subject, false);
    }

    await registerAlertingApi(http, {
      tokens: apiTokenGrants(config),
      rateLimit: config.api.rateLimit,
      engine: () => engine,
      outbox: () => outbox,
      channels: () => health.list(),
      links: access.links,
      now: () => clock.now(),
      maxSilenceS: config.silences.maxDurationS,
    });
    const siteNames = new Map(registries.map((r) => [r.siteId, r.site.site.name]));
    const contactNames = new Map(notifications.contacts.map((c) => [c.id, c.name]));
    await registerOperatorsPage(http, {
      engine: () => engine,
      deliveries: () => outbox.list(),
      channels: () => health.list(),
      people: access.people,
      sessions: access.sessions,
      links: access.links,
      contactName: (id) => contactNames.get(id) ?? id,
      describe: { sites, rules: ruleMap },
      utcOffsetMinutes: config.engine.utcOffsetMinutes,
      sites: registries.map((r) => r.siteId),
      siteName: (site) => siteNames.get(site) ?? site,
      onDuty: (site) => access.duty.onDuty(site).flatMap((id) => access.people.get(id) ?? []),
      roster: access.roster,
      unknownOnRoster: access.unknownOnRoster,
      tokens: apiTokenGrants(config),
      usedLink: (nonce) => journal.state.usedLinks.get(nonce),
      markUsed: (nonce, expiresAt) => journal.append([{ t: 'link-used', nonce, expiresAt, at: clock.now() }]),
      maxSilenceS: config.silences.maxDurationS,
      secureCookies: httpScheme(config) === 'https' || publicUrl().startsWith('https://'),
      loginAttemptsPerMinute: config.page.loginAttemptsPerMinute,
      now: () => clock.now(),
      count: {
        login: (outcome) => metrics.pageLogins.inc({ outcome }),
        link: (action, outcome) => metrics.links.inc({ action, outcome }),
      },
    });
    await http.listen({ host: config.http.host, port: config.http.port });
    const bound = http.server.address();
    if (typeof bound === 'object' && bound) address.port = bound.port;
    this.httpAddress = address;

    history?.backfill([...state.alerts.values()]);
    history?.start();
    outbox.start();
    mqtt.start();
    logger.info(
      {
        http: this.httpUrl,
        mqtt: config.mqtt.url,
        rules: rules.length,
        openAlerts: engine.alerts().filter((a) => a.state !== 'resolved').length,
      },
      'alerting started',
    );
  }

  /**
   * `crash: true` is the stand-in for kill -9 in tests: sockets are dropped, nothing
   * more is written, the journal is not compacted.
   */
  async stop({ crash = false }: { crash?: boolean } = {}): Promise<void> {
    const running = this.running;
    if (!running) return;
    this.running = undefined;
    clearInterval(running.tick);
    if (crash) running.outbox.abandon();
    await running.mqtt.stop({ force: crash });
    if (!crash) await running.outbox.stop();
    await running.history?.stop({ flush: !crash });
    await running.http.close();
    if (!crash) running.journal.compact();
    running.journal.close();
    if (crash) await running.outbox.stop();
  }

  /** Channel failures in a row become a service alert (routed to the other channels); a success clears it. */
  private channelHealth(notifications: NotificationsConfig, state: JournalState): ChannelHealth {
    const contactName = new Map(notifications.contacts.map((c) => [c.id, c.name]));
    const health = new ChannelHealth(notifications.channelFailingAfter, {
      failing: (channel, site) =>
        this.running?.engine.serviceCondition(
          'notification_channel_failing',
          site,
          channel.channelId,
          true,
          channelFailureText(channel, contactName.get(channel.contactId) ?? channel.contactId),
        ),
      recovered: (channel, sites) => {
        for (const site of sites)
          this.running?.engine.serviceCondition(
            'notification_channel_failing',
            site,
            channel.channelId,
            false,
          );
      },
    });
    const contacts = notifications.publishMqtt
      ? [...notifications.contacts, MQTT_CONTACT]
      : notifications.contacts;
    for (const contact of contacts)
      contact.channels.forEach((channel, index) =>
        health.declare({
          channelId: channelIdOf(contact, channel, index),
          contactId: contact.id,
          channelType: channel.type,
        }),
      );
    const failing = new Map<string, string[]>();
    for (const alert of state.alerts.values()) {
      if (alert.ruleKind !== 'service' || alert.state === 'resolved') continue;
      failing.set(alert.subject, [...(failing.get(alert.subject) ?? []), alert.site]);
    }
    health.seed(state.deliveries.values(), failing);
    return health;
  }

  /** Evaluates one broker message; resolves once what it changed is on disk (then it may be acknowledged). */
  private handle(result: DecodeResult): Promise<void> | undefined {
    const running = this.running;
    if (!running) return undefined;
    const writes = { pending: false };
    this.inputWrites = writes;
    try {
      this.evaluate(running, result);
    } finally {
      this.inputWrites = undefined;
    }
    return writes.pending ? running.journal.synced() : undefined;
  }

  private evaluate(running: Running, result: DecodeResult): void {
    if (!result.ok) {
      running.metrics.messages.inc({
        kind: result.kind,
        outcome: result.reason === 'ignored' ? 'ignored' : 'invalid',
      });
      return;
    }
    const { engine, metrics } = running;
    const input = result.input;
    const count = (outcome: IngestOutcome) => metrics.messages.inc({ kind: input.kind, outcome });
    switch (input.kind) {
      case 'telemetry':
        count(engine.telemetry(input.site, input.gateway, input.device, input.message));
        break;
      case 'event':
        count(engine.event(input.site, input.gateway, input.device, input.message));
        break;
      case 'batch':
        for (const outcome of engine.batch(input.site, input.gateway, input.message)) count(outcome);
        break;
      case 'status':
        engine.gatewayStatus(input.site, input.gateway, input.message);
        count('accepted');
        break;
    }
  }

  /** Journals an engine output in one fsynced write (alerts and their outbox entries together), then notifies. */
  private persist(output: EngineOutput): void {
    const running = this.running;
    if (!running) return;
    const now = Date.now();
    const records: JournalRecord[] = [];
    const latest = new Map<string, EngineOutput['changes'][number]['alert']>();
    for (const change of output.changes) {
      if (change.transition === 'discarded') {
        latest.delete(change.alert.id);
        records.push({ t: 'alert-removed', id: change.alert.id });
      } else {
        latest.set(change.alert.id, change.alert);
      }
      running.metrics.transitions.inc({ rule: change.alert.ruleId, transition: change.transition });
    }
    for (const alert of latest.values()) records.push({ t: 'alert', v: alert });
    for (const silence of output.silencesAdded) records.push({ t: 'silence', v: silence });
    for (const id of output.silencesRemoved) records.push({ t: 'silence-removed', id });
    for (const { key, at } of output.evidence) records.push({ t: 'evidence', key, at });
    for (const intent of output.notifications) {
      for (const delivery of deliveriesFor(intent, running.notifications, now, running.access.duty)) {
        if (!running.journal.state.deliveries.has(delivery.key)) records.push({ t: 'delivery', v: delivery });
      }
    }
    // A message's output is synced after the notifications start, not before: were it lost
    // to a power cut, the unacknowledged message comes again and the alert fires again.
    const writes = this.inputWrites;
    if (writes && records.length > 0) writes.pending = true;
    running.journal.append(records, { sync: writes ? 'soon' : 'now' });
    for (const { alert, transition } of output.changes) {
      const at =
        transition === 'acknowledged'
          ? alert.ack?.at
          : transition === 'resolved'
            ? alert.resolvedAt
            : alert.firedAt;
      running.history?.record(alert, transition, at ?? alert.updatedAt);
    }
    if (output.notifications.length > 0) running.outbox.wake();
  }

  private updateGauges(): void {
    const running = this.running;
    if (!running) return;
    const { metrics, engine, outbox } = running;
    metrics.openAlerts.reset();
    for (const alert of engine.alerts()) {
      if (alert.state !== 'resolved')
        metrics.openAlerts.inc({ state: alert.state, severity: alert.severity });
    }
    metrics.channelFailing.reset();
    for (const channel of running.health.list())
      metrics.channelFailing.set(
        { channel: channel.channelId, type: channel.channelType },
        channel.failing ? 1 : 0,
      );
    metrics.outbox.reset();
    for (const status of ['pending', 'sending', 'failed'] as const)
      metrics.outbox.set({ status }, outbox.list([status]).length);
    metrics.outbox.set({ status: 'held_for_input' }, outbox.heldForInputCount);
  }
}

function channelFailureText(channel: ChannelState, contactName: string): { zh: string; en: string } {
  const type = CHANNEL_TYPE_NAMES[channel.channelType];
  const error = channel.lastError ?? '';
  return {
    zh: `${contactName} 的${type.zh}通道 ${channel.channelId} 连续 ${channel.consecutiveFailures} 次发送失败：${error}`,
    en: `${type.en} channel ${channel.channelId} of ${contactName} failed ${channel.consecutiveFailures} times in a row: ${error}`,
  };
}
