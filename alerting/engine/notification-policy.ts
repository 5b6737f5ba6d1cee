import type { Alert, NotificationIntent, NotificationReason } from './alert-schema.js';
import { pushTimeline, type AlertBook, type AlertChange } from './alert-book.js';
import type { EnginePolicy } from './engine-policy.js';
import type { Settling } from './settling.js';
import type { SilenceBook } from './silences.js';

/** The id of an alert's notification for `reason`: its firing is `<alert id>:firing`. */
export function intentIdOf(alertId: string, reason: NotificationReason, suffix = ''): string {
  return `${alertId}:${reason}${suffix}`;
}

function intent(alert: Alert, reason: NotificationReason, at: number, suffix = ''): NotificationIntent {
  return { id: intentIdOf(alert.id, reason, suffix), reason, at, alert: structuredClone(alert) };
}

/**
 * When people hear about an alert: on firing (unless silenced or inhibited; then once
 * the silence or the inhibiting incident ends, if it still fires; an alert an incident
 * may still explain waits for it to form, see Settling), on resolving (only
 * if they heard it fire), on acknowledgement, as repeated reminders while
 * unacknowledged, and once to the escalation contacts.
 */
export class NotificationPolicy {
  constructor(
    private readonly policy: EnginePolicy,
    private readonly silences: SilenceBook,
    private readonly book: AlertBook,
    private readonly settling: Settling,
  ) {}

  onChanges(changes: readonly AlertChange[], now: number): NotificationIntent[] {
    const intents: NotificationIntent[] = [];
    for (const { transition, alert } of changes) {
      if (transition === 'firing') {
        const silences = this.silences.matching(alert, now);
        if (silences.length > 0) {
          pushTimeline(alert, { at: now, type: 'silenced', detail: silences.map((s) => s.id).join(',') });
        } else if (
          alert.inhibitedBy === undefined &&
          !alert.notifiedFiring &&
          !this.settling.holds(alert, now)
        ) {
          // (The timer may have notified it already in this same step; a held one, it will.)
          intents.push(this.notifyFiring(alert, now));
        }
      } else if (transition === 'resolved' && alert.notifiedFiring) {
        intents.push(intent(alert, 'resolved', now));
      } else if (transition === 'acknowledged' && alert.notifiedFiring) {
        intents.push(intent(alert, 'acknowledged', now));
      }
    }
    return intents;
  }

  onTick(now: number): NotificationIntent[] {
    const intents: NotificationIntent[] = [];
    for (const alert of this.book.openAlerts()) {
      if (alert.state !== 'firing' || alert.inhibitedBy !== undefined) continue;
      if (this.silences.matching(alert, now).length > 0) continue;
      if (!alert.notifiedFiring) {
        if (this.settling.holds(alert, now)) continue;
        intents.push(this.notifyFiring(alert, now));
        this.book.record(alert, 'notified');
        continue;
      }
      if (alert.ack) continue;
      const firedAt = alert.firedAt ?? alert.startedAt;
      const remindS = this.policy.remindEveryS[alert.severity] ?? 0;
      if (remindS > 0 && now - (alert.lastReminderAt ?? firedAt) >= remindS * 1000) {
        alert.reminders += 1;
        alert.lastReminderAt = now;
        pushTimeline(alert, { at: now, type: 'reminder', detail: String(alert.reminders) });
        intents.push(intent(alert, 'reminder', now, `:${alert.reminders}`));
        this.book.record(alert, 'notified');
      }
      const escalateS = this.policy.escalateAfterS[alert.severity] ?? 0;
      if (escalateS > 0 && !alert.escalated && now - firedAt >= escalateS * 1000) {
        alert.escalated = true;
        pushTimeline(alert, { at: now, type: 'escalated' });
        intents.push(intent(alert, 'escalation', now));
        this.book.record(alert, 'notified');
      }
    }
    return intents;
  }

  private notifyFiring(alert: Alert, now: number): NotificationIntent {
    alert.notifiedFiring = true;
    pushTimeline(alert, { at: now, type: 'notified' });
    return intent(alert, 'firing', now);
  }
}
