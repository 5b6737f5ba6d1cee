import {
  CLOCK_POLICY,
  type BatchMessage,
  type EventMessage,
  type Severity,
  type StatusMessage,
  type TelemetryMessage,
} from '../../contracts/index.js';
import type { Rule, ServiceCondition } from '../rules/rule-schema.js';
import { AlertBook, alertKey, pushTimeline, type AlertChange } from './alert-book.js';
import { newSilenceId } from './alert-id.js';
import {
  SERVICE_ZONE,
  type Alert,
  type AlertState,
  type NotificationIntent,
  type Silence,
} from './alert-schema.js';
import type { Clock } from './clock.js';
import { enginePolicySchema, type EnginePolicy } from './engine-policy.js';
import { AbsenceEvaluator, type AbsenceEvidence } from './evaluators/absence-evaluator.js';
import { CorrelationEvaluator } from './evaluators/correlation-evaluator.js';
import { rulesOfKind, type EvaluationContext } from './evaluators/evaluation-context.js';
import { EventEvaluator } from './evaluators/event-evaluator.js';
import { ThresholdEvaluator } from './evaluators/threshold-evaluator.js';
import { HeldValues } from './held-values.js';
import { WindowEvaluator } from './evaluators/window-evaluator.js';
import { LinkageEvaluator } from './evaluators/linkage-evaluator.js';
import { FlapGuard } from './flap-guard.js';
import { Inhibitions } from './inhibitions.js';
import { NotificationPolicy } from './notification-policy.js';
import { ObservedState } from './observed-state.js';
import { Settling } from './settling.js';
import { SilenceBook } from './silences.js';
import type { DeviceContext, SiteIndex } from './site-index.js';

/** Everything one input changed: persist it (journal), then notify and record history. */
export interface EngineOutput {
  changes: AlertChange[];
  notifications: NotificationIntent[];
  silencesAdded: Silence[];
  silencesRemoved: string[];
  /** Absence rules' evidence (last matching event per rule and device) to keep across restarts. */
  evidence: Array<{ key: string; at: number }>;
}

export interface AlertEngineOptions {
  rules: readonly Rule[];
  sites: SiteIndex;
  clock: Clock;
  policy?: Partial<EnginePolicy>;
  /** State replayed from the journal. */
  initial?: { alerts: readonly Alert[]; silences: readonly Silence[]; evidence?: AbsenceEvidence };
  onOutput?: (output: EngineOutput) => void;
  /**
   * Whether the input stream counts as connected from the start (the default, for pure
   * use); a service passes false and reports its broker link with `inputConnection()`.
   */
  inputConnectedAtStart?: boolean;
}

export type IngestOutcome = 'accepted' | 'unknown_device' | 'gateway_mismatch';

export interface AlertFilter {
  state?: AlertState | undefined;
  zone?: string | undefined;
  severity?: Severity | undefined;
  site?: string | undefined;
  ruleId?: string | undefined;
}

export type SilenceInput = Omit<Silence, 'id' | 'createdAt'>;

/**
 * The alerting core, pure logic over an injected clock: canonical messages go in as
 * they arrive, `tick()` runs the timers (absence, windows, reminders, escalation), and
 * every change comes out through `onOutput` in one piece per call.
 */
export class AlertEngine {
  readonly policy: EnginePolicy;
  private readonly book: AlertBook;
  private readonly silenceBook = new SilenceBook();
  private readonly observed = new ObservedState();
  private readonly threshold: ThresholdEvaluator;
  private readonly heldValues = new HeldValues();
  private readonly absence: AbsenceEvaluator;
  private readonly events: EventEvaluator;
  private readonly windows: WindowEvaluator;
  private readonly correlation: CorrelationEvaluator;
  private readonly linkage: LinkageEvaluator;
  private readonly inhibitions: Inhibitions;
  private readonly notifications: NotificationPolicy;
  /** Gateways whose clock was last found off by more than the clock policy allows. */
  private readonly skewedClocks = new Set<string>();
  private orphansRetired = false;
  private readonly sites: SiteIndex;
  private readonly clock: Clock;
  private silencesAdded: Silence[] = [];
  private silencesRemoved: string[] = [];

  constructor(private readonly options: AlertEngineOptions) {
    this.policy = enginePolicySchema.parse(options.policy ?? {});
    this.sites = options.sites;
    this.clock = options.clock;
    this.book = new AlertBook(
      new FlapGuard(this.policy.flap.maxChanges, this.policy.flap.windowS * 1000),
      this.policy.resolvedRetention,
    );
    this.book.load(options.initial?.alerts ?? []);
    this.silenceBook.load(options.initial?.silences ?? []);
    const context: EvaluationContext = {
      book: this.book,
      sites: options.sites,
      observed: this.observed,
      clock: options.clock,
      policy: this.policy,
      startedAt: options.clock.now(),
    };
    if (options.inputConnectedAtStart ?? true) this.observed.setInputConnected(true, context.startedAt);
    const rules = options.rules;
    this.threshold = new ThresholdEvaluator(rulesOfKind(rules, 'threshold'), context);
    this.absence = new AbsenceEvaluator(rulesOfKind(rules, 'absence'), context, options.initial?.evidence);
    this.events = new EventEvaluator(rulesOfKind(rules, 'event'), context);
    this.windows = new WindowEvaluator(rulesOfKind(rules, 'window'), context);
    this.correlation = new CorrelationEvaluator(rulesOfKind(rules, 'correlation'), rules, context);
    this.linkage = new LinkageEvaluator(rulesOfKind(rules, 'linkage'), context);
    this.inhibitions = new Inhibitions(rules);
    this.notifications = new NotificationPolicy(
      this.policy,
      this.silenceBook,
      this.book,
      new Settling(rules, this.book),
    );
  }

  get rules(): readonly Rule[] {
    return this.options.rules;
  }

  telemetry(site: string, gateway: string, deviceId: string, message: TelemetryMessage): IngestOutcome {
    const ts = this.checkClock(site, gateway, message.ts);
    const outcome = this.withDevice(site, gateway, deviceId, (device) =>
      this.applyTelemetry(device, { ...message, ts }),
    );
    this.finish();
    return outcome;
  }

  event(site: string, gateway: string, deviceId: string, message: EventMessage): IngestOutcome {
    const ts = this.checkClock(site, gateway, message.ts);
    const outcome = this.withDevice(site, gateway, deviceId, (device) =>
      this.applyEvent(device, { ...message, ts }),
    );
    this.finish();
    return outcome;
  }

  /** One poll cycle of many devices; returns the outcome per item. */
  batch(site: string, gateway: string, message: BatchMessage): IngestOutcome[] {
    const skewed = this.checkClock(site, gateway, message.ts) !== message.ts;
    const now = this.clock.now();
    const outcomes: IngestOutcome[] = [];
    for (const { device, ...item } of message.telemetry) {
      const ts = skewed ? now : item.ts;
      outcomes.push(this.withDevice(site, gateway, device, (d) => this.applyTelemetry(d, { ...item, ts })));
    }
    for (const { device, ...item } of message.events) {
      const ts = skewed ? now : item.ts;
      outcomes.push(this.withDevice(site, gateway, device, (d) => this.applyEvent(d, { ...item, ts })));
    }
    this.finish();
    return outcomes;
  }

  gatewayStatus(site: string, gateway: string, message: StatusMessage): void {
    const now = this.clock.now();
    // A will's timestamp is from when the gateway connected, not when it fired.
    if (message.state === 'online') this.checkClock(site, gateway, message.ts);
    const changed = this.observed.setGateway(site, gateway, message.state, message.ts);
    if (changed && message.state === 'online') {
      // Meters get a fresh grace period: they were silent because the gateway was.
      for (const device of this.sites.devicesOfGateway(site, gateway))
        this.observed.deviceSeen(site, device.id, now);
    }
    if (message.state === 'online') this.events.gatewayEvent(site, gateway, 'gateway_online', message.ts);
    else if (message.reason === 'shutdown') {
      // A stop the gateway announced (a restart, an upgrade) is judged by how long it lasts, and
      // only from when alerting could have heard it come back: a status queued while alerting
      // itself was down says nothing yet.
      const heardFrom = this.observed.inputConnectedSince() ?? now;
      this.events.gatewayEvent(site, gateway, 'gateway_stopped', Math.max(message.ts, heardFrom));
    } else this.events.gatewayEvent(site, gateway, 'gateway_offline', message.ts);
    this.finish();
  }

  /** The service's link to the broker came up (subscribed) or went down; absence is judged only while up. */
  inputConnection(connected: boolean): void {
    this.observed.setInputConnected(connected, this.clock.now());
  }

  tick(): void {
    const now = this.clock.now();
    if (!this.orphansRetired) this.retireOrphans(now);
    this.absence.tick();
    this.threshold.tick();
    this.events.tick();
    this.windows.tick();
    this.linkage.tick();
    this.book.retryHeld(now);
    for (const silence of this.silenceBook.expired(now)) {
      this.silenceBook.remove(silence.id);
      this.silencesRemoved.push(silence.id);
    }
    // Held notifications are judged on current incidents and inhibitions: one may have formed
    // on this tick's silences just as an alert's wait for it ends, or its hold may have ended.
    this.correlation.evaluate();
    this.inhibitions.update(this.book, now, true);
    this.finish(this.notifications.onTick(now));
  }

  acknowledge(id: string, by: string, comment = ''): Alert | undefined {
    const alert = this.book.acknowledge(id, by, comment, this.clock.now());
    this.finish();
    return alert ? structuredClone(alert) : undefined;
  }

  /** A person's note on an alert, kept in its timeline; undefined when there is no such alert. */
  addNote(id: string, by: string, text: string): Alert | undefined {
    const alert = this.book.get(id);
    if (!alert) return undefined;
    pushTimeline(alert, { at: this.clock.now(), type: 'note', by, detail: text });
    this.book.record(alert, 'notified');
    this.finish();
    return structuredClone(alert);
  }

  /**
   * The service saw one of its own conditions start (`active`) or end for `subject`
   * (e.g. a notification channel id): the enabled `service` rules for that condition
   * fire at once and resolve when it ends, like any alert.
   */
  serviceCondition(
    condition: ServiceCondition,
    site: string,
    subject: string,
    active: boolean,
    detail?: { zh: string; en: string },
  ): void {
    const now = this.clock.now();
    for (const rule of rulesOfKind(this.options.rules, 'service')) {
      if (rule.condition !== condition) continue;
      if (active) {
        this.book.activate(
          { rule, site, zone: SERVICE_ZONE, subject },
          { at: now, ...(detail ? { detail } : {}) },
          0,
        );
      } else {
        this.book.deactivate(alertKey(rule.id, site, subject), now);
      }
    }
    this.finish();
  }

  addSilence(input: SilenceInput): Silence {
    const now = this.clock.now();
    const silence: Silence = { ...input, id: newSilenceId(now), createdAt: now };
    this.silenceBook.add(silence);
    this.silencesAdded.push(silence);
    for (const alert of this.book.openAlerts()) {
      if (this.silenceBook.matching(alert, now).some((s) => s.id === silence.id)) {
        pushTimeline(alert, { at: now, type: 'silenced', by: silence.createdBy, detail: silence.id });
        this.book.record(alert, 'notified');
      }
    }
    this.finish();
    return silence;
  }

  removeSilence(id: string): Silence | undefined {
    const silence = this.silenceBook.remove(id);
    if (silence) this.silencesRemoved.push(id);
    this.finish();
    return silence;
  }

  silences(): Silence[] {
    return this.silenceBook.list();
  }

  alert(id: string): Alert | undefined {
    const alert = this.book.get(id);
    return alert ? structuredClone(alert) : undefined;
  }

  alerts(filter: AlertFilter = {}): Alert[] {
    return this.book
      .all()
      .filter(
        (a) =>
          (filter.state === undefined || a.state === filter.state) &&
          (filter.zone === undefined || a.zone === filter.zone) &&
          (filter.severity === undefined || a.severity === filter.severity) &&
          (filter.site === undefined || a.site === filter.site) &&
          (filter.ruleId === undefined || a.ruleId === filter.ruleId),
      )
      .sort((a, b) => b.startedAt - a.startedAt)
      .map((a) => structuredClone(a));
  }

  /** Whether a silence or maintenance window currently covers the alert. */
  isSilenced(alert: Alert): boolean {
    return this.silenceBook.matching(alert, this.clock.now()).length > 0;
  }

  private withDevice(
    site: string,
    gateway: string,
    deviceId: string,
    apply: (device: DeviceContext) => void,
  ): IngestOutcome {
    const device = this.sites.device(site, deviceId);
    if (!device) return 'unknown_device';
    if (device.gateway !== gateway) return 'gateway_mismatch';
    apply(device);
    return 'accepted';
  }

  private applyTelemetry(device: DeviceContext, message: TelemetryMessage): void {
    this.observed.setAnsweringBadly(device.site, device.id, false);
    this.observed.setReportedOffline(device.site, device.id, false);
    this.absence.seen(device);
    const whole = this.heldValues.complete(device, message);
    this.threshold.telemetry(device, whole);
    this.windows.telemetry(device, whole);
  }

  private applyEvent(device: DeviceContext, message: EventMessage): void {
    // The gateway's word that the device stopped answering is no sign of life from it.
    if (message.type !== 'device_offline') this.absence.seen(device);
    if (message.type === 'device_error' || message.type === 'device_online')
      this.observed.setAnsweringBadly(device.site, device.id, message.type === 'device_error');
    if (message.type === 'device_offline' || message.type === 'device_online') {
      this.observed.setReportedOffline(device.site, device.id, message.type === 'device_offline');
      this.heldValues.forget(device);
    }
    this.absence.event(device, message);
    this.events.deviceEvent(device, message);
    this.windows.deviceEvent(device, message);
    this.linkage.deviceEvent(device, message);
  }

  /**
   * Ingest refuses what a gateway sends with a clock too far ahead (or older than a
   * buffer replay can be), so the gateway's data is being lost: say so once, and say it
   * is over once a message arrives stamped close to now. Returns the time to judge the
   * message by: a time from the future is replaced by this service's clock, so a fire
   * alarm from a gateway with a wrong clock still counts, and its future timestamps do
   * not hold back the readings that follow once the clock is right.
   */
  private checkClock(site: string, gateway: string, ts: number): number {
    const now = this.clock.now();
    const offsetMs = ts - now;
    const key = `${site}/${gateway}`;
    const skewed =
      offsetMs > CLOCK_POLICY.maxFutureS * 1000 || -offsetMs > CLOCK_POLICY.maxAgeDays * 86_400_000;
    const live = Math.abs(offsetMs) <= CLOCK_POLICY.maxFutureS * 1000;
    if (skewed && !this.skewedClocks.has(key)) {
      this.skewedClocks.add(key);
      this.events.gatewayEvent(site, gateway, 'gateway_clock_skewed', now, {
        offset_s: Math.round(offsetMs / 1000),
      });
    } else if (live && this.skewedClocks.delete(key)) {
      this.events.gatewayEvent(site, gateway, 'gateway_clock_ok', now);
    }
    return offsetMs > CLOCK_POLICY.maxFutureS * 1000 ? now : ts;
  }

  /** Open alerts of rules that were removed or disabled since they fired resolve at the first tick. */
  private retireOrphans(now: number): void {
    this.orphansRetired = true;
    const live = new Set(this.options.rules.filter((r) => r.enabled).map((r) => r.id));
    for (const alert of this.book.openAlerts()) {
      if (live.has(alert.ruleId)) continue;
      this.book.retire(alert.key, now, 'rule removed or disabled');
    }
  }

  private finish(extraIntents: NotificationIntent[] = []): void {
    this.correlation.evaluate();
    this.inhibitions.update(this.book, this.clock.now(), false);
    const changes = this.book.takeChanges();
    const notifications = [...extraIntents, ...this.notifications.onChanges(changes, this.clock.now())];
    const output: EngineOutput = {
      changes: changes.map((c) => ({ transition: c.transition, alert: structuredClone(c.alert) })),
      notifications,
      silencesAdded: this.silencesAdded,
      silencesRemoved: this.silencesRemoved,
      evidence: this.absence.takeEvidence(),
    };
    this.silencesAdded = [];
    this.silencesRemoved = [];
    const empty =
      output.changes.length === 0 &&
      notifications.length === 0 &&
      output.silencesAdded.length === 0 &&
      output.silencesRemoved.length === 0 &&
      output.evidence.length === 0;
    if (!empty) this.options.onOutput?.(output);
  }
}
