import type { Inhibition, Rule } from '../rules/rule-schema.js';
import { pushTimeline, type AlertBook } from './alert-book.js';
import type { Alert } from './alert-schema.js';

/**
 * Which open alerts are explained by another (Alertmanager's inhibition): a rule's open
 * alerts, pending or firing, inhibit the alerts of the rules it names in the same scope.
 * Inhibited alerts keep their lifecycle but do not notify; `inhibitedBy` names the
 * alert that explains them, and the timeline says when it started and ended.
 */
export class Inhibitions {
  private readonly inhibitors: Array<{ ruleId: string; inhibition: Inhibition }> = [];

  constructor(rules: readonly Rule[]) {
    for (const rule of rules) {
      if (!rule.enabled) continue;
      for (const inhibition of rule.inhibits) this.inhibitors.push({ ruleId: rule.id, inhibition });
    }
  }

  /**
   * Brings every open alert's `inhibitedBy` up to date; changed alerts are recorded for
   * the journal. Inhibition depends only on which alerts are open and on time, so it is
   * worked out when alerts changed and on the timer, not on every message.
   */
  update(book: AlertBook, now: number, timer: boolean): void {
    if (this.inhibitors.length === 0 || (!timer && !book.hasChanges())) return;
    const inhibitorIds = new Set(this.inhibitors.map((i) => i.ruleId));
    const byRule = new Map<string, Alert[]>();
    for (const alert of book.all()) {
      if (!inhibitorIds.has(alert.ruleId) || !this.inhibitsAt(alert, now)) continue;
      byRule.set(alert.ruleId, [...(byRule.get(alert.ruleId) ?? []), alert]);
    }
    for (const alert of book.openAlerts()) {
      const by = this.inhibitorOf(alert, byRule);
      if (by?.id === alert.inhibitedBy) continue;
      if (by) {
        alert.inhibitedBy = by.id;
        pushTimeline(alert, { at: now, type: 'inhibited', detail: by.id });
      } else {
        alert.inhibitedBy = undefined;
        pushTimeline(alert, { at: now, type: 'inhibition_ended' });
      }
      if (alert.state === 'firing') book.record(alert, 'notified');
    }
  }

  /** Open, or resolved within the longest hold of its rule's inhibitions. */
  private inhibitsAt(alert: Alert, now: number): boolean {
    if (alert.state !== 'resolved') return true;
    const holdS = Math.max(
      ...this.inhibitors.filter((i) => i.ruleId === alert.ruleId).map((i) => i.inhibition.holdS),
    );
    return alert.resolvedAt !== undefined && now - alert.resolvedAt <= holdS * 1000;
  }

  private inhibitorOf(alert: Alert, byRule: ReadonlyMap<string, Alert[]>): Alert | undefined {
    for (const { ruleId, inhibition } of this.inhibitors) {
      if (!inhibition.rules.includes(alert.ruleId)) continue;
      const found = byRule
        .get(ruleId)
        ?.find((source) => source.id !== alert.id && sameScope(source, alert, inhibition));
      if (found) return found;
    }
    return undefined;
  }
}

/** Whether two alerts share the place an inhibition covers (same site, and same zone, building, …). */
export function sameScope(source: Alert, target: Alert, { scope }: Inhibition): boolean {
  if (source.site !== target.site) return false;
  switch (scope) {
    case 'site':
      return true;
    case 'zone':
      return source.zone === target.zone;
    case 'building':
      return source.building !== undefined && source.building === target.building;
    case 'gateway':
      return source.gateway !== undefined && source.gateway === target.gateway;
    case 'device':
      return source.device !== undefined && source.device === target.device;
  }
}
