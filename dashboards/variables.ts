import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import type { BoardContext } from './board-context.js';

/** The chain of template variables every dashboard offers: site → zone → building (InfluxQL SHOW TAG VALUES). */
export const VARIABLE_QUERIES = {
  site: 'SHOW TAG VALUES WITH KEY = "site"',
  zone: 'SHOW TAG VALUES WITH KEY = "zone" WHERE "site" =~ /^$site$/',
  building: 'SHOW TAG VALUES WITH KEY = "building" WHERE "site" =~ /^$site$/ AND "zone" =~ /^$zone$/',
  gateway: 'SHOW TAG VALUES FROM "gateway_health" WITH KEY = "gateway" WHERE "site" =~ /^$site$/',
} as const;
export type VariableName = keyof typeof VARIABLE_QUERIES;

function tagVariable(ctx: BoardContext, name: VariableName, label: string): dashboard.QueryVariableBuilder {
  return new dashboard.QueryVariableBuilder(name)
    .label(label)
    .query(VARIABLE_QUERIES[name])
    .definition(VARIABLE_QUERIES[name])
    .datasource(ctx.datasource)
    .current({ selected: true, text: 'All', value: '$__all' })
    .refresh(dashboard.VariableRefresh.OnDashboardLoad)
    .sort(dashboard.VariableSort.AlphabeticalAsc)
    .multi(true)
    .includeAll(true);
}

export function templateVariables(
  ctx: BoardContext,
  names: readonly VariableName[] = ['site', 'zone', 'building'],
): dashboard.QueryVariableBuilder[] {
  const labels: Record<VariableName, string> = {
    site: ctx.t('站点', 'Site'),
    zone: ctx.t('功能区', 'Zone'),
    building: ctx.t('建筑', 'Building'),
    gateway: ctx.t('网关', 'Gateway'),
  };
  return names.map((name) => tagVariable(ctx, name, labels[name]));
}
