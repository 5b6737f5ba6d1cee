import { backoffMs, type Logger } from '../../runtime/index.js';
import type { Journal, JournalSync } from '../persistence/journal.js';
import type { ChannelConfig, NotificationsConfig } from './channel-config.js';
import type { ChannelHealth } from './channel-health.js';
import { DingtalkSender } from './channels/dingtalk-sender.js';
import { EmailSender } from './channels/email-sender.js';
import { FeishuSender } from './channels/feishu-sender.js';
import { MqttSender, type AlertPublisher } from './channels/mqtt-sender.js';
import { WebhookSender } from './channels/webhook-sender.js';
import { WecomSender } from './channels/wecom-sender.js';
import type { Delivery, DeliveryStatus } from './delivery-schema.js';
import { alarmOf, alertToTell, mayEndUnsent, recoveryTurn, supersededBecause } from './held-alarm.js';
import { renderMessage, type MessageAudience, type MessageContext } from './message-text.js';
import { channelOf } from './routing.js';

export interface OutboxMetrics {
  delivered(channel: string): void;
  attemptFailed(channel: string): void;
  givenUp(channel: string): void;
  superseded(channel: string): void;
}

export interface OutboxOptions {
  journal: Journal;
  config: NotificationsConfig;
  messages: MessageContext;
  publisher: () => AlertPublisher | undefined;
  logger: Logger;
  metrics?: OutboxMetrics;
  /** The links a delivery's message carries (the alert on the page, one-tap links for its people) and whom it may @-mention. */
  audience?: (delivery: Delivery) => MessageAudience;
  /** Told of every attempt's outcome, to report channels that keep failing. */
  health?: ChannelHealth;
  /** Attempts in flight at once on one channel (4): a slow channel holds back only its own entries. */
  concurrency?: number;
}

/** The entry's contact or channel was removed from the config: not the channel's fault. */
class ChannelGoneError extends Error {}

/**
 * Delivers outbox entries from the journal: each attempt is journalled as "sending"
 * before and "delivered" (or rescheduled with backoff, finally "failed") after, all
 * under the entry's idempotency key. Nothing is dropped: failures stay visible.
 */
export class Outbox {
  private timer: NodeJS.Timeout | undefined;
  /** Entries being attempted → their channel. */
  private readonly inFlight = new Map<string, string>();
  private running = false;
  private abandoned = false;
  private readonly webhook: WebhookSender;
  private readonly wecom: WecomSender;
  private readonly dingtalk: DingtalkSender;
  private readonly feishu: FeishuSender;
  private readonly email: EmailSender;
  private readonly mqtt: MqttSender;
  private idle: Promise<void> = Promise.resolve();
  /**
   * Entries journalled before this start, held until the input has caught up with what the
   * broker queued meanwhile (`inputCaughtUp`) or `catchUpMaxMs` has passed.
   */
  private heldForInput: Set<string> | undefined;
  private caughtUp = false;
  private catchUpTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: OutboxOptions) {
    const timeout = options.config.timeoutMs;
    this.webhook = new WebhookSender(timeout);
    this.wecom = new WecomSender(timeout);
    this.dingtalk = new DingtalkSender(timeout);
    this.feishu = new FeishuSender(timeout);
    this.email = new EmailSender(options.config.smtp, timeout);
    this.mqtt = new MqttSender(options.publisher);
  }

  start(): void {
    this.running = true;
    this.holdForInput();
    this.wake();
  }

  /** Entries from before this start still held for the input to catch up. */
  get heldForInputCount(): number {
    return this.heldForInput?.size ?? 0;
  }

  /**
   * The input has read everything the broker queued for alerting while it was down: what
   * was held for it goes out as its alert now stands (held-alarm.ts).
   */
  inputCaughtUp(): void {
    if (this.caughtUp) return;
    this.caughtUp = true;
    if (this.heldForInput)
      this.options.logger.info(
        { held: this.heldForInput.size },
        'input caught up: sending what was held / 已读完重启期间的消息，发送暂缓的通知',
      );
    this.releaseHeld();
  }

  /**
   * At a restart, notifications journalled before it may be told by messages the broker
   * queued meanwhile (a fire alarm that has since cleared): they wait for the input, for
   * at most `catchUpMaxMs`, so that a broker that never answers cannot hold a fire alarm.
   */
  private holdForInput(): void {
    const maxMs = this.options.config.catchUpMaxMs;
    if (this.caughtUp || this.heldForInput || maxMs === 0) return;
    const { unsent } = this.options.journal.state;
    if (unsent.size === 0) return;
    this.heldForInput = new Set(unsent);
    this.options.logger.info(
      { held: unsent.size, maxMs },
      'holding notifications from before the restart until the input catches up / 重启前未发出的通知等待读完重启期间的消息',
    );
    this.catchUpTimer = setTimeout(() => {
      this.options.logger.warn(
        { held: this.heldForInput?.size ?? 0, maxMs },
        'input did not catch up in time: sending what was held as it stands / 未能及时读完重启期间的消息，按现状发送暂缓的通知',
      );
      this.releaseHeld();
    }, maxMs);
    this.catchUpTimer.unref();
  }

  private releaseHeld(): void {
    this.stopCatchUpTimer();
    if (!this.heldForInput) return;
    this.heldForInput = undefined;
    this.wake();
  }

  private stopCatchUpTimer(): void {
    if (this.catchUpTimer) clearTimeout(this.catchUpTimer);
    this.catchUpTimer = undefined;
  }

  private stopRetryTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  async stop(): Promise<void> {
    this.running = false;
    this.stopRetryTimer();
    this.stopCatchUpTimer();
    await this.idle;
    await this.email.close();
  }

  /** A crash stand-in: stops at once and writes nothing more, whatever is in flight. */
  abandon(): void {
    this.running = false;
    this.abandoned = true;
    this.stopRetryTimer();
    this.stopCatchUpTimer();
  }

  list(statuses?: readonly DeliveryStatus[]): Delivery[] {
    return [...this.options.journal.state.deliveries.values()]
      .filter((d) => statuses === undefined || statuses.includes(d.status))
      .sort((a, b) => b.createdAt - a.createdAt);
  }

  /** Puts a failed entry back in the queue (from the API). */
  retry(key: string): Delivery | undefined {
    const delivery = this.options.journal.state.deliveries.get(key);
    if (!delivery || delivery.status !== 'failed') return delivery;
    this.save(
      {
        ...delivery,
        status: 'pending',
        attempts: 0,
        nextAttemptAt: Date.now(),
        updatedAt: Date.now(),
      },
      'now',
    );
    this.wake();
    return this.options.journal.state.deliveries.get(key);
  }

  /** Looks for due entries now (after new ones were journalled, or a retry time came). */
  wake(): void {
    if (!this.running) return;
    this.stopRetryTimer();
    const now = Date.now();
    const concurrency = this.options.concurrency ?? 4;
    const { deliveries, alerts } = this.options.journal.state;
    // Per channel, not in all: an alarm's WeCom card must not wait behind a slow SMTP server's
    // or the broker's answers to the entries before it.
    const busy = new Map<string, number>();
    for (const channel of this.inFlight.values()) busy.set(channel, (busy.get(channel) ?? 0) + 1);
    const hasSlot = (delivery: Delivery) => (busy.get(delivery.channelId) ?? 0) < concurrency;
    const { due, nextAttemptAt } = this.dueEntries(now, hasSlot);
    for (const delivery of due) {
      // Its channel filled with older entries: it goes when one of their attempts ends (a wake).
      if (!hasSlot(delivery) && !mayEndUnsent(delivery)) continue;
      const alarm = delivery.reason === 'firing' ? undefined : alarmOf(delivery, deliveries);
      const because = supersededBecause(delivery, alerts.get(delivery.alert.id), alarm);
      if (because) {
        this.superseded(delivery, because);
        continue;
      }
      const turn = recoveryTurn(delivery, alarm);
      if (turn === 'wait') continue; // its alarm's attempt wakes this again
      if (turn === 'told' && alarm) {
        this.toldBy(delivery, alarm);
        continue;
      }
      if (!hasSlot(delivery)) continue;
      busy.set(delivery.channelId, (busy.get(delivery.channelId) ?? 0) + 1);
      this.attempt(delivery);
    }
    if (nextAttemptAt !== undefined) {
      this.timer = setTimeout(() => this.wake(), Math.max(10, nextAttemptAt - now));
      this.timer.unref();
    }
  }

  /**
   * The unsent entries due now, oldest first, leaving out at once those that need a slot on
   * a channel that has none, and when the first of the others comes due. A wake follows
   * every alarm and every attempt, and a slow channel can hold hundreds of entries (the
   * MQTT bus, each attempt waiting for the broker's PUBACK: ~800 in bench alert-latency),
   * so this is one pass that makes no list of them all and reads no alarm for them.
   */
  private dueEntries(
    now: number,
    hasSlot: (delivery: Delivery) => boolean,
  ): { due: Delivery[]; nextAttemptAt: number | undefined } {
    const { unsent, deliveries } = this.options.journal.state;
    const held = this.heldForInput;
    const due: Delivery[] = [];
    let nextAttemptAt: number | undefined;
    for (const key of unsent) {
      if (this.inFlight.has(key) || held?.has(key)) continue;
      const delivery = deliveries.get(key) as Delivery;
      if (!this.cardTried(delivery)) continue;
      if (delivery.nextAttemptAt > now)
        nextAttemptAt = Math.min(nextAttemptAt ?? Infinity, delivery.nextAttemptAt);
      else if (hasSlot(delivery) || mayEndUnsent(delivery)) due.push(delivery);
    }
    return { due: due.sort((a, b) => a.createdAt - b.createdAt), nextAttemptAt };
  }

  /**
   * A mention follows its card ("see the card above"): it waits until the card was
   * delivered or has failed once (then the @ goes out anyway: waking someone matters most).
   */
  private cardTried(delivery: Delivery): boolean {
    if (delivery.part !== 'mention') return true;
    const card = this.options.journal.state.deliveries.get(delivery.key.replace(/\/mention$/, ''));
    return (
      card === undefined ||
      card.status === 'delivered' ||
      card.status === 'failed' ||
      card.status === 'superseded' ||
      card.lastError !== undefined
    );
  }

  /** A recovery its held alarm told (held-alarm.ts): done, as that message was. */
  private toldBy(recovery: Delivery, alarm: Delivery): void {
    this.save({
      ...recovery,
      status: 'delivered',
      deliveredAt: alarm.deliveredAt,
      updatedAt: Date.now(),
      toldBy: alarm.key,
    });
  }

  /** A reminder or escalation its alert's acknowledgement or recovery made untrue (held-alarm.ts): not sent, on record why. */
  private superseded(delivery: Delivery, because: NonNullable<Delivery['supersededBecause']>): void {
    this.save({ ...delivery, status: 'superseded', supersededBecause: because, updatedAt: Date.now() });
    this.options.metrics?.superseded(delivery.channelType);
    this.options.logger.info(
      { key: delivery.key, channel: delivery.channelId, because },
      because === 'alert-acknowledged'
        ? 'notification not sent: its alert had been acknowledged / 告警已被确认，此通知不再发送'
        : 'notification not sent: its alert had resolved / 告警已恢复，此通知不再发送',
    );
  }

  private attempt(delivery: Delivery): void {
    this.inFlight.set(delivery.key, delivery.channelId);
    const sending: Delivery = {
      ...delivery,
      // What the message tells is journalled with it: the alert as it stands for a held alarm.
      alert: alertToTell(delivery, this.options.journal.state.alerts.get(delivery.alert.id)),
      status: 'sending',
      attempts: delivery.attempts + 1,
      updatedAt: Date.now(),
    };
    this.save(sending);
    const run = this.send(sending)
      .then(
        () => {
          const now = Date.now();
          this.save({
            ...sending,
            status: 'delivered',
            deliveredAt: now,
            updatedAt: now,
            lastError: undefined,
          });
          this.options.metrics?.delivered(sending.channelType);
          if (!this.abandoned) this.options.health?.succeeded(sending, now);
        },
        (error: unknown) => this.failed(sending, error),
      )
      .finally(() => {
        this.inFlight.delete(delivery.key);
        if (this.running) this.wake();
      });
    this.idle = Promise.all([this.idle, run.catch(() => undefined)]).then(() => undefined);
  }

  private failed(delivery: Delivery, error: unknown): void {
    const { config, logger, metrics } = this.options;
    const message = error instanceof Error ? error.message : String(error);
    const now = Date.now();
    this.options.metrics?.attemptFailed(delivery.channelType);
    if (!this.abandoned && !(error instanceof ChannelGoneError))
      this.options.health?.failed(delivery, now, message);
    if (delivery.attempts >= config.maxAttempts) {
      this.save({ ...delivery, status: 'failed', lastError: message, updatedAt: now });
      metrics?.givenUp(delivery.channelType);
      logger.error(
        { key: delivery.key, channel: delivery.channelId, attempts: delivery.attempts, err: message },
        'notification failed for good / 通知发送失败',
      );
      return;
    }
    const wait = backoffMs(delivery.attempts - 1, config.retryBaseMs, config.retryMaxMs);
    this.save({
      ...delivery,
      status: 'pending',
      lastError: message,
      nextAttemptAt: now + wait,
      updatedAt: now,
    });
    logger.warn(
      {
        key: delivery.key,
        channel: delivery.channelId,
        attempt: delivery.attempts,
        retryInMs: wait,
        err: message,
      },
      'notification attempt failed',
    );
  }

  private async send(delivery: Delivery): Promise<void> {
    const channel = channelOf(delivery, this.options.config);
    if (!channel)
      throw new ChannelGoneError(
        `channel ${delivery.channelId} of contact ${delivery.contactId} is no longer configured`,
      );
    const message = renderMessage(
      delivery.alert,
      delivery.reason,
      delivery.language,
      this.options.messages,
      this.options.audience?.(delivery),
    );
    await this.sendTo(channel, delivery, message);
  }

  private sendTo(
    channel: ChannelConfig,
    delivery: Delivery,
    message: ReturnType<typeof renderMessage>,
  ): Promise<void> {
    switch (channel.type) {
      case 'webhook':
        return this.webhook.send(channel, delivery, message);
      case 'wecom':
        return this.wecom.send(channel, delivery, message);
      case 'dingtalk':
        return this.dingtalk.send(channel, delivery, message);
      case 'feishu':
        return this.feishu.send(channel, delivery, message);
      case 'email':
        return this.email.send(channel, delivery, message);
      case 'mqtt':
        return this.mqtt.send(channel, delivery, message);
    }
  }

  /**
   * A delivery's progress is synced to disk off the event loop: were the record lost in a
   * power cut, the entry would only be sent again under the same idempotency key, while
   * a synchronous fsync here held up every message behind it, the next alarm included.
   * A retry asked for through the API is synced before the API answers.
   */
  private save(delivery: Delivery, sync: JournalSync = 'soon'): void {
    if (this.abandoned) return;
    this.options.journal.append([{ t: 'delivery', v: delivery }], { sync });
  }
}
