import type { CorrelationRule, Inhibition, Rule } from '../rules/rule-schema.js';
import type { AlertBook } from './alert-book.js';
import type { Alert } from './alert-schema.js';
import { sameScope } from './inhibitions.js';

/**
 * Alerts an incident would explain (the rules it inhibits) wait the incident's `settleS`
 * from their start before they notify alone, while the incident may still form around
 * them: one of its source alerts is open in their scope (the alert itself may be one). The
 * meters behind a dead RS-485 converter, or of a building that lost its supply, are judged
 * seconds apart (their poll intervals, the gateway's retries on a shared bus), and the
 * operator's first message must be the incident, not its first meter. Once the incident
 * forms it inhibits them; a failure that stays alone is told when the wait is over.
 */
export class Settling {
  private readonly waits: Array<{ rule: CorrelationRule; inhibition: Inhibition }> = [];

  constructor(
    rules: readonly Rule[],
    private readonly book: AlertBook,
  ) {
    for (const rule of rules) {
      if (!rule.enabled || rule.kind !== 'correlation' || rule.settleS <= 0) continue;
      for (const inhibition of rule.inhibits) this.waits.push({ rule, inhibition });
    }
  }

  /** Whether the alert's firing notification still waits for an incident that may form. */
  holds(alert: Alert, now: number): boolean {
    let open: readonly Alert[] | undefined;
    for (const { rule, inhibition } of this.waits) {
      if (!inhibition.rules.includes(alert.ruleId)) continue;
      if (now - alert.startedAt >= rule.settleS * 1000) continue;
      // Read once per question, only when some incident may still be forming around this alert.
      open ??= this.book.openAlerts();
      const here = open.filter((other) => sameScope(other, alert, inhibition));
      if (formingIn(rule, here)) return true;
    }
    return false;
  }
}

/**
 * Whether the incident may still form among these open alerts of one place: one it reads is
 * there and, for a power cut, what proves the supply gone (a light on battery reports at
 * once, before any meter is judged silent; meters merely silent are a bus fault).
 */
function formingIn(rule: CorrelationRule, open: readonly Alert[]): boolean {
  const has = (ids: readonly string[]) => open.some((a) => ids.includes(a.ruleId));
  return has(rule.sourceRules) && (rule.evidenceRules.length === 0 || has(rule.evidenceRules));
}
