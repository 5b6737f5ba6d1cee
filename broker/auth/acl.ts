import { alertingCatchUpSite, parseTopic, topicFilters, topics } from '../../contracts/index.js';
import { coversAllSites, coversSite, type Principal } from './principal.js';
import {
  hasNulCharacter,
  isConcreteTopic,
  isWellFormedFilter,
  isWildcardLevel,
  topicLevels,
} from './topic-syntax.js';

/**
 * The topic ACL (docs/architecture.md, "Topics"), as pure functions: deny unless a rule
 * below allows. Hooks call these and turn a denial into a refused packet.
 */
export type AclDecision = { allowed: true } | { allowed: false; reason: string };

const ALLOW: AclDecision = { allowed: true };
const deny = (reason: string): AclDecision => ({ allowed: false, reason });

export function canPublish(principal: Principal, topic: string): AclDecision {
  if (!isConcreteTopic(topic)) return deny('topic has a wildcard, an empty level, a $ prefix or U+0000');
  switch (principal.role) {
    case 'admin':
      return ALLOW;
    case 'gateway':
      return gatewayMayPublish(principal, topic);
    case 'ingest':
      return topic === topics.deadLetter('ingest') ? ALLOW : deny('ingest publishes only its dead letters');
    case 'alerting':
      return alertingMayPublish(principal, topic);
  }
}

export function canSubscribe(principal: Principal, filter: string): AclDecision {
  if (hasNulCharacter(filter)) return deny('a filter may not hold U+0000');
  if (principal.role === 'admin') return ALLOW;
  if (!isWellFormedFilter(filter))
    return deny('filter has an empty level, a misplaced wildcard or a $ prefix');
  const levels = topicLevels(filter);
  switch (principal.role) {
    case 'gateway':
      return gatewayMaySubscribe(principal, levels);
    case 'ingest':
      return siteStreamFilter(principal, levels);
    case 'alerting':
      return levels[0] === 'ops' ? opsFilter(principal) : siteStreamFilter(principal, levels);
  }
}

/** Dead letters carry refused messages whole, of whichever site: only a credential for every site reads them. */
function opsFilter(principal: Principal): AclDecision {
  return coversAllSites(principal)
    ? ALLOW
    : deny('ops topics carry every site’s messages: they need all sites');
}

/**
 * Whether a message on `topic` may be handed to this principal: the topic is one it
 * could subscribe to by name. Checked on every delivery (authorizeForward), so what a
 * session store holds, retained messages included, never widens what a client reads.
 */
export function canReceive(principal: Principal, topic: string): AclDecision {
  return canSubscribe(principal, topic);
}

function gatewayPrefix(principal: Principal): string | undefined {
  const site = principal.sites[0];
  if (principal.gateway === undefined || site === undefined) return undefined;
  // `v1/{site}/{gateway}/#` without the trailing `#`
  return topicFilters.gatewayPrefix(site, principal.gateway).slice(0, -1);
}

function gatewayMayPublish(principal: Principal, topic: string): AclDecision {
  const prefix = gatewayPrefix(principal);
  if (prefix === undefined || !topic.startsWith(prefix))
    return deny('outside the gateway’s own topic prefix');
  const parsed = parseTopic(topic);
  if (!parsed || parsed.kind === 'alert') return deny('not a v1 gateway topic');
  return ALLOW;
}

function gatewayMaySubscribe(principal: Principal, levels: readonly string[]): AclDecision {
  const prefix = gatewayPrefix(principal);
  if (prefix === undefined) return deny('gateway credential without site or gateway');
  const own = topicLevels(prefix.slice(0, -1));
  const inside = own.every((level, i) => levels[i] === level);
  return inside ? ALLOW : deny('outside the gateway’s own topic prefix');
}

function alertingMayPublish(principal: Principal, topic: string): AclDecision {
  if (topic === topics.deadLetter('alerting')) return ALLOW;
  const markerSite = alertingCatchUpSite(topic);
  if (markerSite !== undefined)
    return coversSite(principal, markerSite) ? ALLOW : deny(`site ${markerSite} is not granted`);
  const parsed = parseTopic(topic);
  if (parsed?.kind !== 'alert') return deny('alerting publishes only v1/{site}/alerts/{rule}');
  return coversSite(principal, parsed.site) ? ALLOW : deny(`site ${parsed.site} is not granted`);
}

/** `v1/{site}/...` where the site level is one of the principal's sites, or anything when it has all sites. */
function siteStreamFilter(principal: Principal, levels: readonly string[]): AclDecision {
  if (levels[0] !== 'v1') return deny('only v1/... topics');
  const site = levels[1];
  if (site === undefined) return deny('filter names no site');
  if (coversAllSites(principal)) return ALLOW;
  if (isWildcardLevel(site)) return deny('a site wildcard needs access to all sites');
  return coversSite(principal, site) ? ALLOW : deny(`site ${site} is not granted`);
}
