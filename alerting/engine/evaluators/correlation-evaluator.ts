import type { AbsenceRule, CorrelationRule, Rule } from '../../rules/rule-schema.js';
import type { Alert } from '../alert-schema.js';
import { alertKey } from '../alert-book.js';
import type { DeviceContext } from '../site-index.js';
import { silenceLimitMs } from './absence-evaluator.js';
import type { EvaluationContext } from './evaluation-context.js';

interface Incident {
  site: string;
  zone: string;
  subject: string;
  gateway?: string;
  devices: string[];
}

/**
 * Reads source alerts together as one incident per zone (DOMAIN.md):
 * - zone_outage: ≥ minDevices devices of a zone with source alerts (low pressure) → water outage;
 * - gateway_power_outage: the gateway's LWT fired while its meters had been reporting → probable power outage;
 * - gateway_network_fault: the gateway is up but ≥ minDevices of its meters are silent → gateway or network fault.
 */
export class CorrelationEvaluator {
  constructor(
    private readonly rules: readonly CorrelationRule[],
    private readonly allRules: readonly Rule[],
    private readonly context: EvaluationContext,
  ) {}

  evaluate(): void {
    for (const rule of this.rules) {
      const firing = this.context.book
        .openAlerts()
        .filter((a) => a.state === 'firing' && rule.sourceRules.includes(a.ruleId));
      const incidents =
        rule.mode === 'zone_outage'
          ? this.zoneOutages(rule, firing)
          : rule.mode === 'gateway_power_outage'
            ? this.powerOutages(rule, firing)
            : this.networkFaults(rule, firing);
      this.apply(rule, incidents, firing);
    }
  }

  private apply(rule: CorrelationRule, incidents: readonly Incident[], sources: readonly Alert[]): void {
    const { book, clock } = this.context;
    const now = clock.now();
    const active = new Set<string>();
    for (const incident of incidents) {
      const key = alertKey(rule.id, incident.site, incident.subject);
      active.add(key);
      const list = incident.devices.join(', ');
      book.activate(
        {
          rule,
          site: incident.site,
          zone: incident.zone,
          subject: incident.subject,
          ...(incident.gateway ? { gateway: incident.gateway } : {}),
        },
        {
          at: now,
          value: incident.devices.length,
          threshold: rule.mode === 'gateway_power_outage' ? 'gateway LWT' : `≥ ${rule.minDevices} devices`,
          detail: { zh: `涉及设备：${list}`, en: `devices: ${list}` },
        },
        0,
      );
    }
    for (const alert of book.openAlerts()) {
      if (alert.ruleId !== rule.id || active.has(alert.key)) continue;
      // A power-outage incident lasts as long as its gateway stays offline, even across a restart.
      if (
        rule.mode === 'gateway_power_outage' &&
        sources.some((s) => s.gateway === alert.gateway && s.site === alert.site && !s.device)
      )
        continue;
      book.deactivate(alert.key, now);
    }
  }

  private zoneOutages(rule: CorrelationRule, firing: readonly Alert[]): Incident[] {
    const byZone = new Map<string, { site: string; zone: string; devices: Set<string> }>();
    for (const alert of firing) {
      if (!alert.device) continue;
      const key = `${alert.site}/${alert.zone}`;
      const entry = byZone.get(key) ?? { site: alert.site, zone: alert.zone, devices: new Set<string>() };
      entry.devices.add(alert.device);
      byZone.set(key, entry);
    }
    return [...byZone.values()]
      .filter((z) => z.devices.size >= rule.minDevices)
      .map((z) => ({
        site: z.site,
        zone: z.zone,
        subject: `zone:${z.zone}`,
        devices: [...z.devices].sort(),
      }));
  }

  private powerOutages(rule: CorrelationRule, firing: readonly Alert[]): Incident[] {
    const { sites, observed, book } = this.context;
    const absenceRules = this.absenceSources(rule);
    const incidents: Incident[] = [];
    for (const gatewayAlert of firing) {
      if (gatewayAlert.device || !gatewayAlert.gateway) continue;
      const { site, gateway } = gatewayAlert;
      const lostAt = observed.gatewayState(site, gateway)?.since ?? gatewayAlert.startedAt;
      const byZone = new Map<string, string[]>();
      for (const device of sites.devicesOfGateway(site, gateway)) {
        const limit = this.limitFor(absenceRules, device);
        if (limit === undefined) continue;
        const seen = observed.lastSeenAt(site, device.id, Number.NEGATIVE_INFINITY);
        const silentBefore = absenceRules.some(
          (r) => book.open(alertKey(r.id, site, device.id))?.state === 'firing',
        );
        if (lostAt - seen > limit || silentBefore) continue;
        byZone.set(device.zone, [...(byZone.get(device.zone) ?? []), device.id]);
      }
      for (const [zone, devices] of byZone) {
        incidents.push({ site, zone, gateway, subject: `${gateway}:${zone}`, devices: devices.sort() });
      }
    }
    return incidents;
  }

  private networkFaults(rule: CorrelationRule, firing: readonly Alert[]): Incident[] {
    const { observed } = this.context;
    const absenceIds = new Set(this.absenceSources(rule).map((r) => r.id));
    const offline = new Set(
      firing.filter((a) => !a.device && a.gateway).map((a) => `${a.site}/${a.gateway}`),
    );
    const groups = new Map<string, Incident>();
    for (const alert of firing) {
      if (!absenceIds.has(alert.ruleId) || !alert.device || !alert.gateway) continue;
      if (
        offline.has(`${alert.site}/${alert.gateway}`) ||
        observed.isGatewayOffline(alert.site, alert.gateway)
      )
        continue;
      const subject = `${alert.gateway}:${alert.zone}`;
      const key = `${alert.site}/${subject}`;
      const incident = groups.get(key) ?? {
        site: alert.site,
        zone: alert.zone,
        gateway: alert.gateway,
        subject,
        devices: [],
      };
      incident.devices.push(alert.device);
      groups.set(key, incident);
    }
    return [...groups.values()]
      .filter((g) => g.devices.length >= rule.minDevices)
      .map((g) => ({ ...g, devices: g.devices.sort() }));
  }

  private absenceSources(rule: CorrelationRule): AbsenceRule[] {
    return this.allRules.filter(
      (r): r is AbsenceRule => r.kind === 'absence' && rule.sourceRules.includes(r.id),
    );
  }

  /** How stale a meter's last reading may be to count as "reporting normally". */
  private limitFor(absenceRules: readonly AbsenceRule[], device: DeviceContext): number | undefined {
    const limits = absenceRules
      .map((r) => silenceLimitMs(r, device))
      .filter((l): l is number => l !== undefined);
    if (limits.length > 0) return Math.max(...limits);
    return device.pollIntervalS === undefined ? undefined : 3 * device.pollIntervalS * 1000;
  }
}
