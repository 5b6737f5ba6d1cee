import { isId } from './ids.js';

/**
 * The one place topic strings are assembled and parsed (docs/architecture.md, "Topics").
 * Every publisher and subscriber goes through these helpers so a topic is never
 * built by hand twice.
 */
export const TOPIC_VERSION = 'v1';

export const topics = {
  telemetry: (site: string, gateway: string, device: string) => `v1/${site}/${gateway}/${device}/telemetry`,
  event: (site: string, gateway: string, device: string) => `v1/${site}/${gateway}/${device}/event`,
  status: (site: string, gateway: string) => `v1/${site}/${gateway}/status`,
  health: (site: string, gateway: string) => `v1/${site}/${gateway}/health`,
  batch: (site: string, gateway: string) => `v1/${site}/${gateway}/batch`,
  alert: (site: string, ruleId: string) => `v1/${site}/alerts/${ruleId}`,
  /** Rejected messages, published by the service that rejected them. */
  deadLetter: (service: string) => `ops/deadletter/${service}`,
  /**
   * Alerting's catch-up marker: published just before its persistent session reconnects,
   * it queues behind everything the broker queued for it meanwhile; read back, all of that
   * has been read (alerting/service/mqtt-input.ts). `_alerting` is no id: no gateway's level.
   */
  alertingCatchUp: (site: string) => `v1/${site}/_alerting/catch-up`,
} as const;

/** The site of an alerting catch-up marker topic, or undefined for any other topic. */
export function alertingCatchUpSite(topic: string): string | undefined {
  const match = /^v1\/([^/]+)\/_alerting\/catch-up$/.exec(topic);
  return match && isId(match[1] as string) ? match[1] : undefined;
}

/** Subscription filters. */
export const topicFilters = {
  allTelemetry: 'v1/+/+/+/telemetry',
  allEvents: 'v1/+/+/+/event',
  allStatus: 'v1/+/+/status',
  allHealth: 'v1/+/+/health',
  allBatches: 'v1/+/+/batch',
  allAlerts: 'v1/+/alerts/+',
  /**
   * What a site's consumers (ingest, alerting) subscribe to: every gateway's telemetry,
   * events, status, health and batches of that site. Consumers subscribe per site, which
   * is what the broker's ACL grants a site-scoped service and how workers partition sites.
   */
  siteStreams: (site: string) => [
    `v1/${site}/+/+/telemetry`,
    `v1/${site}/+/+/event`,
    `v1/${site}/+/status`,
    `v1/${site}/+/health`,
    `v1/${site}/+/batch`,
  ],
  /** Everything a gateway may publish, for one gateway. */
  gatewayPrefix: (site: string, gateway: string) => `v1/${site}/${gateway}/#`,
} as const;

export type ParsedTopic =
  | { kind: 'telemetry'; site: string; gateway: string; device: string }
  | { kind: 'event'; site: string; gateway: string; device: string }
  | { kind: 'status'; site: string; gateway: string }
  | { kind: 'health'; site: string; gateway: string }
  | { kind: 'batch'; site: string; gateway: string }
  | { kind: 'alert'; site: string; ruleId: string };

export type TopicKind = ParsedTopic['kind'];

/** Parses a v1 topic; returns undefined for anything that is not exactly one of the shapes above. */
export function parseTopic(topic: string): ParsedTopic | undefined {
  const parts = topic.split('/');
  if (parts[0] !== TOPIC_VERSION) return undefined;
  const ids = parts.slice(1);
  if (parts.length === 4 && parts[2] === 'alerts') {
    const [site, , ruleId] = ids as [string, string, string];
    return isId(site) && isId(ruleId) ? { kind: 'alert', site, ruleId } : undefined;
  }
  if (parts.length === 4) {
    const [site, gateway, leaf] = ids as [string, string, string];
    if (!isId(site) || !isId(gateway)) return undefined;
    if (leaf === 'status' || leaf === 'health' || leaf === 'batch') return { kind: leaf, site, gateway };
    return undefined;
  }
  if (parts.length === 5) {
    const [site, gateway, device, leaf] = ids as [string, string, string, string];
    if (!isId(site) || !isId(gateway) || !isId(device)) return undefined;
    if (leaf === 'telemetry' || leaf === 'event') return { kind: leaf, site, gateway, device };
  }
  return undefined;
}

/**
 * Whether a message on `topic` may be retained: only a gateway's status (its last will
 * among them). A retained reading, event or alert would be replayed as new to every
 * consumer that subscribes, long after it happened: the broker refuses it, and
 * consumers ignore one that reaches them from elsewhere.
 */
export function isRetainableTopic(topic: string): boolean {
  return parseTopic(topic)?.kind === 'status';
}
