import type { Rule } from '../rules/rule-schema.js';
import { newAlertId } from './alert-id.js';
import { TIMELINE_LIMIT, type Alert, type TimelineEntry } from './alert-schema.js';
import type { FlapGuard } from './flap-guard.js';

/** Who an alert is about; `subject` is unique per rule and site (a device field, a door, a zone). */
export interface AlertSubject {
  rule: Rule;
  site: string;
  zone: string;
  subject: string;
  building?: string | undefined;
  device?: string | undefined;
  gateway?: string | undefined;
  field?: string | undefined;
}

export interface Observation {
  at: number;
  value?: number | undefined;
  threshold?: string | undefined;
  detail?: { zh: string; en: string } | undefined;
  /** Count one more occurrence of a discrete event (deduplicated into the open alert). */
  occurrence?: boolean;
}

export type Transition = 'pending' | 'firing' | 'resolved' | 'discarded' | 'acknowledged' | 'notified';

export interface AlertChange {
  transition: Transition;
  alert: Alert;
}

export function alertKey(ruleId: string, site: string, subject: string): string {
  return `${ruleId}|${site}|${subject}`;
}

export function pushTimeline(alert: Alert, entry: TimelineEntry): void {
  alert.timeline.push(entry);
  if (alert.timeline.length > TIMELINE_LIMIT)
    alert.timeline.splice(1, alert.timeline.length - TIMELINE_LIMIT);
}

/**
 * The alerts and their lifecycle: pending → firing → resolved, at most one open alert
 * per key (deduplication), resolution held while a key flaps. Every transition is
 * recorded for the caller to persist and notify.
 */
export class AlertBook {
  private readonly byId = new Map<string, Alert>();
  private readonly openByKey = new Map<string, string>();
  private changes: AlertChange[] = [];

  constructor(
    private readonly flap: FlapGuard,
    private readonly resolvedRetention: number,
  ) {}

  /** Restores state from the journal. */
  load(alerts: readonly Alert[]): void {
    for (const alert of alerts) {
      this.byId.set(alert.id, alert);
      if (alert.state !== 'resolved') this.openByKey.set(alert.key, alert.id);
    }
  }

  get(id: string): Alert | undefined {
    return this.byId.get(id);
  }

  open(key: string): Alert | undefined {
    const id = this.openByKey.get(key);
    return id === undefined ? undefined : this.byId.get(id);
  }

  all(): Alert[] {
    return [...this.byId.values()];
  }

  openAlerts(): Alert[] {
    return [...this.openByKey.values()].map((id) => this.byId.get(id) as Alert);
  }

  hasChanges(): boolean {
    return this.changes.length > 0;
  }

  takeChanges(): AlertChange[] {
    const taken = this.changes;
    this.changes = [];
    return taken;
  }

  record(alert: Alert, transition: Transition): void {
    this.changes.push({ transition, alert });
  }

  /** The fire condition holds. Creates the alert (pending, or firing when `forS` is 0) or advances it. */
  activate(subject: AlertSubject, observation: Observation, forS: number): Alert {
    const key = alertKey(subject.rule.id, subject.site, subject.subject);
    let alert = this.open(key);
    if (!alert) {
      alert = this.create(key, subject, observation);
    } else {
      if (observation.value !== undefined) alert.value = observation.value;
      if (observation.detail) alert.detail = observation.detail;
      if (observation.occurrence) alert.occurrences += 1;
      alert.updatedAt = Math.max(alert.updatedAt, observation.at);
      alert.clearSince = undefined;
    }
    if (alert.state === 'pending' && observation.at - alert.startedAt >= forS * 1000) {
      this.fire(alert, observation.at);
    }
    return alert;
  }

  /** The clear condition holds: a pending alert is dropped, a firing one resolves after `clearForS`. */
  deactivate(key: string, at: number, clearForS = 0): void {
    const alert = this.open(key);
    if (!alert) return;
    if (alert.state === 'pending') {
      this.discard(alert);
      return;
    }
    alert.clearSince ??= at;
    this.tryResolve(alert, at, clearForS);
  }

  /**
   * Time passed without a new observation while the last one still holds (a device under
   * report by exception sends nothing until its value moves): a pending alert fires once
   * `forS` has passed, a clearing one resolves once `clearForS` has.
   */
  advance(key: string, at: number, forS: number, clearForS: number): void {
    const alert = this.open(key);
    if (!alert) return;
    if (alert.state === 'pending') {
      if (at - alert.startedAt >= forS * 1000) this.fire(alert, at);
    } else if (alert.clearSince !== undefined) {
      this.tryResolve(alert, at, clearForS);
    }
  }

  /** Neither condition holds (the hysteresis deadband): a firing alert stays, a pending one needed the fire condition. */
  hold(key: string): void {
    const alert = this.open(key);
    if (!alert) return;
    if (alert.state === 'pending') this.discard(alert);
    else alert.clearSince = undefined;
  }

  /** Resolves an open alert at once, whatever its hysteresis or flapping (its rule is gone). */
  retire(key: string, at: number, detail: string): void {
    const alert = this.open(key);
    if (!alert) return;
    if (alert.state === 'pending') return this.discard(alert);
    this.resolve(alert, at, detail);
  }

  /** Resolves flapping alerts whose signal has calmed down. */
  retryHeld(now: number): void {
    for (const alert of this.openAlerts()) {
      if (alert.state === 'firing' && alert.flapping && alert.clearSince !== undefined) {
        this.tryResolve(alert, now, 0);
      }
    }
  }

  acknowledge(id: string, by: string, comment: string, at: number): Alert | undefined {
    const alert = this.byId.get(id);
    if (!alert || alert.ack) return alert;
    alert.ack = { by, at, comment };
    pushTimeline(alert, { at, type: 'acknowledged', by, ...(comment ? { detail: comment } : {}) });
    this.record(alert, 'acknowledged');
    return alert;
  }

  private create(key: string, subject: AlertSubject, observation: Observation): Alert {
    const alert: Alert = {
      id: newAlertId(observation.at),
      key,
      ruleId: subject.rule.id,
      ruleKind: subject.rule.kind,
      severity: subject.rule.severity,
      site: subject.site,
      zone: subject.zone,
      subject: subject.subject,
      ...(subject.building !== undefined ? { building: subject.building } : {}),
      ...(subject.device !== undefined ? { device: subject.device } : {}),
      ...(subject.gateway !== undefined ? { gateway: subject.gateway } : {}),
      ...(subject.field !== undefined ? { field: subject.field } : {}),
      ...(observation.value !== undefined ? { value: observation.value } : {}),
      ...(observation.threshold !== undefined ? { threshold: observation.threshold } : {}),
      ...(observation.detail !== undefined ? { detail: observation.detail } : {}),
      state: 'pending',
      startedAt: observation.at,
      updatedAt: observation.at,
      occurrences: 1,
      notifiedFiring: false,
      reminders: 0,
      escalated: false,
      flapping: false,
      timeline: [{ at: observation.at, type: 'pending' }],
    };
    this.byId.set(alert.id, alert);
    this.openByKey.set(key, alert.id);
    this.record(alert, 'pending');
    return alert;
  }

  private fire(alert: Alert, at: number): void {
    alert.state = 'firing';
    alert.firedAt = at;
    alert.updatedAt = at;
    this.flap.record(alert.key, at);
    pushTimeline(alert, {
      at,
      type: 'firing',
      ...(alert.value !== undefined ? { detail: String(alert.value) } : {}),
    });
    this.record(alert, 'firing');
  }

  private tryResolve(alert: Alert, at: number, clearForS: number): void {
    if (alert.clearSince === undefined || at - alert.clearSince < clearForS * 1000) return;
    if (this.flap.isFlapping(alert.key, at)) {
      if (!alert.flapping) {
        alert.flapping = true;
        pushTimeline(alert, { at, type: 'flapping', detail: 'resolution held: too many state changes' });
      }
      return;
    }
    this.resolve(alert, at);
  }

  private resolve(alert: Alert, at: number, detail?: string): void {
    alert.state = 'resolved';
    alert.resolvedAt = at;
    alert.updatedAt = at;
    alert.flapping = false;
    alert.clearSince = undefined;
    alert.inhibitedBy = undefined;
    this.flap.record(alert.key, at);
    this.openByKey.delete(alert.key);
    pushTimeline(alert, { at, type: 'resolved', ...(detail ? { detail } : {}) });
    this.record(alert, 'resolved');
    this.pruneResolved();
  }

  private discard(alert: Alert): void {
    this.openByKey.delete(alert.key);
    this.byId.delete(alert.id);
    this.record(alert, 'discarded');
  }

  private pruneResolved(): void {
    const resolved = this.all().filter((a) => a.state === 'resolved');
    if (resolved.length <= this.resolvedRetention) return;
    resolved.sort((a, b) => (a.resolvedAt ?? 0) - (b.resolvedAt ?? 0));
    for (const alert of resolved.slice(0, resolved.length - this.resolvedRetention))
      this.byId.delete(alert.id);
  }
}
