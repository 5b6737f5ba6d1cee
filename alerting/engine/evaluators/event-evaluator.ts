import type { EventMessage } from '../../../contracts/index.js';
import type { EventRule, RuleEventType } from '../../rules/rule-schema.js';
import { selectsDevice, selectsGateway } from '../../rules/selectors.js';
import { alertKey, type AlertSubject } from '../alert-book.js';
import type { DeviceContext } from '../site-index.js';
import type { EvaluationContext } from './evaluation-context.js';

type EventData = EventMessage['data'];

/**
 * Discrete events fire at once. A burst of the same event while the alert is open is
 * one alert whose occurrence count grows (rule + subject is the deduplication key).
 */
export class EventEvaluator {
  constructor(
    private readonly rules: readonly EventRule[],
    private readonly context: EvaluationContext,
  ) {}

  deviceEvent(device: DeviceContext, message: EventMessage): void {
    const subject = {
      site: device.site,
      zone: device.zone,
      subject: device.id,
      building: device.building,
      device: device.id,
      gateway: device.gateway,
    };
    for (const rule of this.rules) {
      if (!selectsDevice(rule.selectors, device)) continue;
      this.apply(rule, { ...subject, rule }, message.type, message.data, message.ts);
    }
  }

  /** Status messages become `gateway_offline` / `gateway_online` events about the gateway. */
  gatewayEvent(site: string, gateway: string, type: RuleEventType, at: number): void {
    const zones = [...new Set(this.context.sites.devicesOfGateway(site, gateway).map((d) => d.zone))];
    for (const rule of this.rules) {
      if (!selectsGateway(rule.selectors, gateway, zones)) continue;
      const zone = this.context.sites.gatewayZone(site, gateway);
      this.apply(rule, { rule, site, zone, subject: `gateway:${gateway}`, gateway }, type, {}, at);
    }
  }

  /** Auto-resolves alerts of rules that clear by themselves after a quiet period. */
  tick(): void {
    const now = this.context.clock.now();
    for (const alert of this.context.book.openAlerts()) {
      const rule = this.rules.find((r) => r.id === alert.ruleId);
      if (!rule?.autoResolveS || now - alert.updatedAt < rule.autoResolveS * 1000) continue;
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
    if (rule.events.includes(type)) {
      this.context.book.activate(
        subject,
        { at, occurrence: true, detail: describeData(type, data), threshold: type },
        0,
      );
    } else if (rule.clear?.events.includes(type) && dataMatches(rule.clear.data, data)) {
      this.context.book.deactivate(alertKey(rule.id, subject.site, subject.subject), at);
    }
  }
}

function dataMatches(
  expected: Readonly<Record<string, string | number | boolean>>,
  data: EventData,
): boolean {
  return Object.entries(expected).every(([key, value]) => data[key] === value);
}

function describeData(type: string, data: EventData): { zh: string; en: string } | undefined {
  const entries = Object.entries(data);
  if (entries.length === 0) return undefined;
  const text = `${type}: ${entries.map(([k, v]) => `${k}=${String(v)}`).join(', ')}`;
  return { zh: text, en: text };
}
