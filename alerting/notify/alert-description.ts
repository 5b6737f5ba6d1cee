import { SERVICE_ZONE, type Alert } from '../engine/alert-schema.js';
import { MULTIPLE_ZONES, unitSymbol, type SiteIndex } from '../engine/site-index.js';
import type { Rule } from '../rules/rule-schema.js';

export interface Bilingual {
  zh: string;
  en: string;
}

/** What an alert is about, in the site file's words, for messages and the operators' page alike. */
export interface AlertDescription {
  title: Bilingual;
  zone: Bilingual;
  building?: Bilingual;
  /** The site file's names of the device and its id. */
  device?: { name: Bilingual; id: string };
  /** An alert about a gateway rather than a device: its names (its id when the site file has none) and id. */
  gateway?: { name: Bilingual; id: string };
  /** The reading with its unit ("0.02 MPa"). */
  value?: string;
  /** The condition that fired ("< 0.05 MPa"). */
  threshold?: string;
  detail?: Bilingual;
  clause?: string;
  /** Where to go: the building when the alert has a device, else the zone. */
  place: Bilingual;
}

export interface DescriptionContext {
  sites: SiteIndex;
  rules: ReadonlyMap<string, Rule>;
}

const ZONE_WORDS: Record<string, Bilingual> = {
  [MULTIPLE_ZONES]: { zh: '多个片区', en: 'several zones' },
  [SERVICE_ZONE]: { zh: '告警系统', en: 'alerting service' },
};

export function describeAlert(alert: Alert, context: DescriptionContext): AlertDescription {
  const rule = context.rules.get(alert.ruleId);
  const zoneContext = context.sites.zone(alert.site, alert.zone);
  const device = alert.device ? context.sites.device(alert.site, alert.device) : undefined;
  const zone: Bilingual = zoneContext
    ? { zh: zoneContext.name, en: zoneContext.nameEn }
    : (ZONE_WORDS[alert.zone] ?? { zh: alert.zone, en: alert.zone });
  const building = device ? { zh: device.buildingName, en: device.buildingNameEn } : undefined;
  const unit = alert.field === 'silent_s' ? 's' : unitSymbol(alert.field);
  return {
    title: rule ? { zh: rule.title_zh, en: rule.title_en } : { zh: alert.ruleId, en: alert.ruleId },
    zone,
    ...(building ? { building } : {}),
    ...(device ? { device: { name: { zh: device.name, en: device.nameEn }, id: device.id } } : {}),
    ...(!device && alert.gateway
      ? { gateway: describeGateway(alert.site, alert.gateway, context.sites) }
      : {}),
    ...(alert.value !== undefined ? { value: `${round(alert.value)}${unit ? ` ${unit}` : ''}` } : {}),
    // An event rule's alert keeps the event's id there: the title already names it.
    ...(alert.threshold && rule?.kind !== 'event' ? { threshold: alert.threshold } : {}),
    ...(alert.detail ? { detail: alert.detail } : {}),
    ...(rule ? { clause: rule.clause } : {}),
    place: building ?? zone,
  };
}

function describeGateway(site: string, id: string, sites: SiteIndex): { name: Bilingual; id: string } {
  const gateway = sites.gateway(site, id);
  return { name: gateway ? { zh: gateway.name, en: gateway.nameEn } : { zh: id, en: id }, id };
}

function round(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Math.round(value * 1000) / 1000);
}

/** "2025-06-01 20:00:05 (UTC+8)". */
export function formatTime(ts: number, utcOffsetMinutes: number): string {
  const local = new Date(ts + utcOffsetMinutes * 60_000).toISOString().replace('T', ' ').slice(0, 19);
  const hours = utcOffsetMinutes / 60;
  return `${local} (UTC${hours >= 0 ? '+' : ''}${hours})`;
}
