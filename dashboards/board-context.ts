import type * as common from '@grafana/grafana-foundation-sdk/common';

export const LANGUAGES = ['zh', 'en'] as const;
export type Lang = (typeof LANGUAGES)[number];

/** The data source every panel reads; provisioned with this uid (output/provisioning.ts). */
export const VILLAGE_DATASOURCE: common.DataSourceRef = { type: 'influxdb', uid: 'village-influxdb' };

/** What every dashboard module gets: the language to speak and the data source to query. */
export interface BoardContext {
  readonly lang: Lang;
  readonly datasource: common.DataSourceRef;
  /** Picks the text of the context's language. */
  t(zh: string, en: string): string;
}

export function boardContext(
  lang: Lang,
  datasource: common.DataSourceRef = VILLAGE_DATASOURCE,
): BoardContext {
  return { lang, datasource, t: (zh, en) => (lang === 'zh' ? zh : en) };
}
