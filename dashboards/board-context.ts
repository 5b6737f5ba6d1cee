import type * as common from '@grafana/grafana-foundation-sdk/common';
import { findProfile } from '../devices/index.js';
import { maxIntervalOf, quietLimitS, type Site } from '../site/index.js';
import { SiteNames } from './names/site-names.js';

export const LANGUAGES = ['zh', 'en'] as const;
export type Lang = (typeof LANGUAGES)[number];

/** The data source every panel reads; provisioned with this uid (output/provisioning.ts). */
export const VILLAGE_DATASOURCE: common.DataSourceRef = { type: 'influxdb', uid: 'village-influxdb' };

/** What every dashboard module gets: the language to speak, the site it shows and the data source to query. */
export interface BoardContext {
  readonly lang: Lang;
  readonly datasource: common.DataSourceRef;
  /** The site file's names of zones, buildings, devices and gateways, in `lang`. */
  readonly names: SiteNames;
  /**
   * The longest gap a line bridges, ms: under report by exception a still value is sent once
   * per quiet limit (docs/uplink.md), so its points are that far apart; a longer silence
   * stays a hole. `false` when every reading is sent.
   */
  readonly spanGapsMs: number | false;
  /** Picks the text of the context's language. */
  t(zh: string, en: string): string;
}

/** A bucket of slack on top of the longest quiet limit of the site's polled devices. */
function spanGapsOf(site: Site): number | false {
  const limits = site.devices
    .filter((d) => findProfile(d.profile)?.protocol !== 'mqtt' && maxIntervalOf(site, d) !== undefined)
    .map((d) => quietLimitS(site, d));
  return limits.length === 0 ? false : (Math.max(...limits) + 60) * 1000;
}

export function boardContext(
  lang: Lang,
  site: Site,
  datasource: common.DataSourceRef = VILLAGE_DATASOURCE,
): BoardContext {
  return {
    lang,
    datasource,
    names: new SiteNames(site, lang),
    spanGapsMs: spanGapsOf(site),
    t: (zh, en) => (lang === 'zh' ? zh : en),
  };
}
