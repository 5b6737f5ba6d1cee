import type { AbsenceRule, CorrelationRule, Rule } from '../../rules/rule-schema.js';
import { selectsDevice } from '../../rules/selectors.js';
import type { Alert } from '../alert-schema.js';
import { alertKey } from '../alert-book.js';
import type { DeviceContext } from '../site-index.js';
import { silenceLimitMs } from './absence-evaluator.js';
import type { EvaluationContext } from './evaluation-context.js';

interface Incident {
  site: string;
  zone: string;
  subject: string;
  building?: string;
  gateway?: string;
  devices: DeviceContext[];
}

/**
 * Reads source alerts together as one incident (docs/incidents.md). Source alerts count
 * while open, pending or firing, so an incident can form (and inhibit) before the
 * per-device alerts it explains would notify:
 * - zone_outage: at least minDevices of a zone's watched devices (or all of them, where
 *   the zone has fewer) have source alerts → water outage in the zone;
 * - power_outage: every watched meter of a zone (or of a building whose zone is not out
 *   as a whole) reads no voltage or is silent, and something there proves the supply is
 *   gone (a meter at 0 V, an emergency light on battery) → power cut, gateway up;
 * - gateway_power_outage: the gateway's LWT fired while its meters had been reporting
 *   normally → probable power outage where the gateway is;
 * - gateway_network_fault: the gateway is up but ≥ minDevices of its meters are silent.
 */
export class CorrelationEvaluator {
  /** Watched devices per rule and grouping: the sites do not change while the engine runs. */
  private readonly groups = new Map<string, Map<string, DeviceContext[]>>();

  constructor(
    private readonly rules: readonly CorrelationRule[],
    private readonly allRules: readonly Rule[],
    private readonly context: EvaluationContext,
  ) {}

  evaluate(): void {
    for (const rule of this.rules) {
      const sources = this.openAlertsOf(rule.sourceRules);
      // No source alert, no incident: the common case, judged on every message.
      const incidents = sources.length === 0 ? [] : this.incidents(rule, sources);
      this.apply(rule, incidents, sources);
    }
  }

  private incidents(rule: CorrelationRule, sources: readonly Alert[]): Incident[] {
    switch (rule.mode) {
      case 'zone_outage':
        return this.zoneOutages(rule, sources);
      case 'power_outage':
        return this.powerOutages(rule, sources);
      case 'gateway_power_outage':
        return this.gatewayPowerOutages(rule, sources);
      case 'gateway_network_fault':
        return this.networkFaults(rule, sources);
    }
  }

  private openAlertsOf(ruleIds: readonly string[]): Alert[] {
    return this.context.book.openAlerts().filter((a) => ruleIds.includes(a.ruleId));
  }

  private apply(rule: CorrelationRule, incidents: readonly Incident[], sources: readonly Alert[]): void {
    const { book, clock } = this.context;
    const now = clock.now();
    const active = new Set<string>();
    for (const incident of incidents) {
      const key = alertKey(rule.id, incident.site, incident.subject);
      active.add(key);
      book.activate(
        {
          rule,
          site: incident.site,
          zone: incident.zone,
          subject: incident.subject,
          ...(incident.building ? { building: incident.building } : {}),
          ...(incident.gateway ? { gateway: incident.gateway } : {}),
        },
        {
          at: now,
          value: incident.devices.length,
          threshold: describeTrigger(rule),
          detail: describeIncident(incident.devices),
        },
        rule.forS,
      );
    }
    for (const alert of book.openAlerts()) {
      if (alert.ruleId !== rule.id || active.has(alert.key)) continue;
      // A gateway power outage lasts as long as its gateway stays offline, even across a restart.
      if (
        rule.mode === 'gateway_power_outage' &&
        alert.state === 'firing' &&
        sources.some((s) => s.gateway === alert.gateway && s.site === alert.site && !s.device)
      )
        continue;
      book.deactivate(alert.key, now);
    }
  }

  /** Devices the rule watches, grouped by zone or building. */
  private watched(rule: CorrelationRule, by: 'zone' | 'building'): Map<string, DeviceContext[]> {
    const cacheKey = `${rule.id}/${by}`;
    const cached = this.groups.get(cacheKey);
    if (cached) return cached;
    const groups = new Map<string, DeviceContext[]>();
    for (const device of this.context.sites.allDevices()) {
      if (!selectsDevice(rule.selectors, device)) continue;
      const key = `${device.site}/${device[by]}`;
      groups.set(key, [...(groups.get(key) ?? []), device]);
    }
    this.groups.set(cacheKey, groups);
    return groups;
  }

  private zoneOutages(rule: CorrelationRule, sources: readonly Alert[]): Incident[] {
    const alerted = devicesWithAlerts(sources);
    const incidents: Incident[] = [];
    for (const devices of this.watched(rule, 'zone').values()) {
      const hit = devices.filter((d) => alerted.has(`${d.site}/${d.id}`));
      if (hit.length === 0 || hit.length < Math.min(rule.minDevices, devices.length)) continue;
      const { site, zone } = hit[0] as DeviceContext;
      incidents.push({ site, zone, subject: `zone:${zone}`, devices: hit });
    }
    return incidents;
  }

  private powerOutages(rule: CorrelationRule, sources: readonly Alert[]): Incident[] {
    const { observed } = this.context;
    const dead = devicesWithAlerts(sources);
    const evidence = this.openAlertsOf(rule.evidenceRules);
    const out = (devices: readonly DeviceContext[], holds: (a: Alert) => boolean): boolean =>
      devices.length > 0 &&
      devices.every((d) => dead.has(`${d.site}/${d.id}`)) &&
      !devices.some((d) => observed.isGatewayOffline(d.site, d.gateway)) &&
      evidence.some(holds);
    const zonesOut = new Set<string>();
    const incidents: Incident[] = [];
    for (const devices of this.watched(rule, 'zone').values()) {
      const { site, zone } = devices[0] as DeviceContext;
      if (!out(devices, (a) => a.site === site && a.zone === zone)) continue;
      zonesOut.add(`${site}/${zone}`);
      if (rule.scope === 'zone') incidents.push({ site, zone, subject: `zone:${zone}`, devices });
    }
    if (rule.scope === 'zone') return incidents;
    for (const devices of this.watched(rule, 'building').values()) {
      const { site, zone, building } = devices[0] as DeviceContext;
      if (zonesOut.has(`${site}/${zone}`)) continue;
      if (!out(devices, (a) => a.site === site && a.building === building)) continue;
      incidents.push({ site, zone, building, subject: `building:${building}`, devices });
    }
    return incidents;
  }

  private gatewayPowerOutages(rule: CorrelationRule, sources: readonly Alert[]): Incident[] {
    const { sites, observed, book } = this.context;
    const absenceRules = this.absenceSources(rule);
    const incidents: Incident[] = [];
    for (const gatewayAlert of sources) {
      if (gatewayAlert.device || !gatewayAlert.gateway || gatewayAlert.state !== 'firing') continue;
      const { site, gateway } = gatewayAlert;
      const lostAt = observed.gatewayState(site, gateway)?.since ?? gatewayAlert.startedAt;
      const byZone = new Map<string, DeviceContext[]>();
      for (const device of sites.devicesOfGateway(site, gateway)) {
        const limit = this.limitFor(absenceRules, device);
        if (limit === undefined) continue;
        const seen = observed.lastSeenAt(site, device.id, Number.NEGATIVE_INFINITY);
        const silentBefore = absenceRules.some(
          (r) => book.open(alertKey(r.id, site, device.id))?.state === 'firing',
        );
        if (lostAt - seen > limit || silentBefore) continue;
        byZone.set(device.zone, [...(byZone.get(device.zone) ?? []), device]);
      }
      for (const [zone, devices] of byZone) {
        incidents.push({ site, zone, gateway, subject: `${gateway}:${zone}`, devices });
      }
    }
    return incidents;
  }

  private networkFaults(rule: CorrelationRule, sources: readonly Alert[]): Incident[] {
    const { observed, sites } = this.context;
    const absenceIds = new Set(this.absenceSources(rule).map((r) => r.id));
    const offline = new Set(
      sources.filter((a) => !a.device && a.gateway).map((a) => `${a.site}/${a.gateway}`),
    );
    const groups = new Map<string, Incident>();
    for (const alert of sources) {
      if (!absenceIds.has(alert.ruleId) || !alert.device || !alert.gateway) continue;
      if (
        offline.has(`${alert.site}/${alert.gateway}`) ||
        observed.isGatewayOffline(alert.site, alert.gateway)
      )
        continue;
      const device = sites.device(alert.site, alert.device);
      if (!device) continue;
      const subject = `${alert.gateway}:${alert.zone}`;
      const key = `${alert.site}/${subject}`;
      const incident = groups.get(key) ?? {
        site: alert.site,
        zone: alert.zone,
        gateway: alert.gateway,
        subject,
        devices: [],
      };
      incident.devices.push(device);
      groups.set(key, incident);
    }
    return [...groups.values()].filter((g) => g.devices.length >= rule.minDevices);
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

function devicesWithAlerts(alerts: readonly Alert[]): Set<string> {
  return new Set(alerts.filter((a) => a.device !== undefined).map((a) => `${a.site}/${a.device}`));
}

function describeTrigger(rule: CorrelationRule): string {
  switch (rule.mode) {
    case 'gateway_power_outage':
      return 'gateway LWT';
    case 'power_outage':
      return `all ${rule.scope} meters out`;
    default:
      return `≥ ${rule.minDevices} devices`;
  }
}

/** The buildings and devices an incident covers, by the names staff use. */
function describeIncident(devices: readonly DeviceContext[]): { zh: string; en: string } {
  const sorted = [...devices].sort((a, b) => a.id.localeCompare(b.id));
  const buildingsZh = [...new Set(sorted.map((d) => d.buildingName))].join('、');
  const buildingsEn = [...new Set(sorted.map((d) => d.buildingNameEn))].join(', ');
  return {
    zh: `涉及建筑：${buildingsZh}；设备：${sorted.map((d) => d.name).join('、')}`,
    en: `buildings: ${buildingsEn}; devices: ${sorted.map((d) => d.nameEn).join(', ')}`,
  };
}
