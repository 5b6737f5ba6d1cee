import type { Alert, Silence } from '../engine/alert-schema.js';
import type { Rule } from '../rules/rule-schema.js';

type Matchers = Silence['matchers'];

/**
 * Whether a silence with these matchers could hold back a critical alert: it names a
 * critical rule, or names no rule at all (then it covers every rule of its site, zone
 * or device, fire alarms included). Only admins may create such a silence.
 */
export function silencesCritical(matchers: Matchers, rules: readonly Rule[]): boolean {
  if (matchers.ruleId === undefined) return rules.some((r) => r.enabled && r.severity === 'critical');
  return rules.find((r) => r.id === matchers.ruleId)?.severity === 'critical';
}

/** The narrowest silence that covers one alert: its rule and its device, gateway or zone. */
export function silenceMatchersFor(alert: Alert): Matchers {
  return {
    site: alert.site,
    ruleId: alert.ruleId,
    ...(alert.device
      ? { device: alert.device }
      : alert.gateway
        ? { gateway: alert.gateway }
        : { zone: alert.zone }),
  };
}
