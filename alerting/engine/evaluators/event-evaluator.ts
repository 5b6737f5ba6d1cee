import { EVENT_LABELS, type EventMessage } from '../../../contracts/index.js';
import { printableText } from '../../../runtime/index.js';
import type { EventMatch, EventRule, RuleEventType } from '../../rules/rule-schema.js';
import { selectsDevice, selectsGateway } from '../../rules/selectors.js';
import { alertKey, type AlertSubject } from '../alert-book.js';
import type { DeviceContext } from '../site-index.js';
import type { EvaluationContext } from './evaluation-context.js';

type EventData = EventMessage['data'];

/** Whether every entry of `expected` equals the event's data. */
export function dataMatches(
  expected: Readonly<Record<string, string | number | boolean>>,
  data: EventData,
): boolean {
  return Object.entries(expected).every(([key, value]) => data[key] === value);
}

export function eventMatches(match: EventMatch, type: RuleEventType, data: EventData): boolean {
  return match.events.includes(type) && dataMatches(match.data, data);
}

/**
 * Discrete events fire at once. A burst of the same event while the alert is open is
 * one alert whose occurrence count grows (rule + subject is the deduplication key). A
 * rule may name its subject more finely than the device (a door of a controller, a
 * detector of a fire panel); a clearing event then clears only its own subject.
 */
export class EventEvaluator {
  constructor(
    private readonly rules: readonly EventRule[],
    private readonly context: EvaluationContext,
  ) {}

  deviceEvent(device: DeviceContext, message: EventMessage): void {
    for (const rule of this.rules) {
      if (!selectsDevice(rule.selectors, device)) continue;
      const subject = subjectOf(rule, device.id, message.data);
      this.apply(
        rule,
        {
          rule,
          site: device.site,
          zone: device.zone,
          subject,
          building: device.building,
          device: device.id,
          gateway: device.gateway,
        },
        message.type,
        message.data,
        message.ts,
      );
    }
  }

  /** Status messages and clock checks become gateway events (`gateway_offline`, `gateway_clock_skewed`…). */
  gatewayEvent(site: string, gateway: string, type: RuleEventType, at: number, data: EventData = {}): void {
    const zones = [...new Set(this.context.sites.devicesOfGateway(site, gateway).map((d) => d.zone))];
    for (const rule of this.rules) {
      if (!selectsGateway(rule.selectors, gateway, zones)) continue;
      const zone = this.context.sites.gatewayZone(site, gateway);
      this.apply(rule, { rule, site, zone, subject: `gateway:${gateway}`, gateway }, type, data, at);
    }
  }

  /** Fires alerts whose state has lasted `forS`, and auto-resolves those that clear after a quiet period. */
  tick(): void {
    const now = this.context.clock.now();
    for (const alert of this.context.book.openAlerts()) {
      const rule = this.rules.find((r) => r.id === alert.ruleId);
      if (!rule) continue;
      if (alert.state === 'pending' && now - alert.startedAt >= rule.forS * 1000) {
        this.context.book.activate(
          {
            rule,
            site: alert.site,
            zone: alert.zone,
            subject: alert.subject,
            building: alert.building,
            device: alert.device,
            gateway: alert.gateway,
          },
          { at: now },
          rule.forS,
        );
      }
      if (!rule.autoResolveS || now - alert.updatedAt < rule.autoResolveS * 1000) continue;
      this.context.book.deactivate(alert.key, now);
    }
  }

  private apply(
    rule: EventRule,
    subject: AlertSubject,
    type: RuleEventType,
    data: EventData,
    at: number,
  ): void {
    if (rule.events.includes(type) && dataMatches(rule.data, data)) {
      this.context.book.activate(
        subject,
        { at, occurrence: true, detail: describeEvent(type, data), threshold: type },
        rule.forS,
      );
    } else if (rule.clear?.some((match) => eventMatches(match, type, data))) {
      this.context.book.deactivate(alertKey(rule.id, subject.site, subject.subject), at);
    }
  }
}

/** The device, refined by the rule's subject data keys ("-" for a key the event does not carry: it still alerts). */
function subjectOf(rule: EventRule, device: string, data: EventData): string {
  if (rule.subjectData.length === 0) return device;
  return `${device}:${rule.subjectData.map((key) => `${key}=${printableText(String(data[key] ?? '-'))}`).join(',')}`;
}

function describeEvent(type: RuleEventType, data: EventData): { zh: string; en: string } | undefined {
  const entries = Object.entries(data);
  if (entries.length === 0) return undefined;
  // A device's text goes into notifications and onto the operator's terminal as one line.
  const values = entries.map(([k, v]) => `${k}=${printableText(String(v))}`).join(', ');
  const label = type in EVENT_LABELS ? EVENT_LABELS[type as keyof typeof EVENT_LABELS] : undefined;
  return { zh: `${label?.zh ?? type}：${values}`, en: `${label?.en ?? type}: ${values}` };
}
