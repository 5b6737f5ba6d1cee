import type * as common from '@grafana/grafana-foundation-sdk/common';
import type { Site } from '../site/index.js';
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
  /** Picks the text of the context's language. */
  t(zh: string, en: string): string;
}

export function boardContext(
  lang: Lang,
  site: Site,
  datasource: common.DataSourceRef = VILLAGE_DATASOURCE,
): BoardContext {
  return { lang, datasource, names: new SiteNames(site, lang), t: (zh, en) => (lang === 'zh' ? zh : en) };
}
