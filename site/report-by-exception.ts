import type { Site, SiteDevice } from './site-schema.js';

/**
 * A polled device's maximum interval between two readings sent (report by exception), s:
 * its own `maxIntervalS`, else the site's `reporting.maxIntervalS`; undefined: every reading is sent.
 */
export function maxIntervalOf(
  site: Pick<Site, 'reporting'>,
  device: Pick<SiteDevice, 'maxIntervalS'>,
): number | undefined {
  return device.maxIntervalS ?? site.reporting.maxIntervalS;
}

/**
 * The longest a healthy polled device stays quiet on the uplink, s: one poll interval, or
 * with report by exception its maximum interval plus one poll (the heartbeat leaves with
 * the first poll after the interval expired). Silence rules and the monthly report's
 * completeness count in these.
 */
export function quietLimitS(
  site: Pick<Site, 'reporting'>,
  device: Pick<SiteDevice, 'maxIntervalS' | 'pollIntervalS'>,
): number {
  const max = maxIntervalOf(site, device);
  return max === undefined || max <= device.pollIntervalS ? device.pollIntervalS : max + device.pollIntervalS;
}
