import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import type { BoardContext } from './board-context.js';
import type { NamedTag } from './names/site-names.js';
import { DEFAULT_RAW_RP, RANGE_POLICY_QUERY } from '../storage/index.js';
import { RP_VARIABLE } from './query/influx-select.js';

/**
 * Template variables list what the site file names, shown by name and filtering by id
 * (`创客工作区 : maker-workspace`), so staff pick 创客楼总电表, not `maker-hall-power`.
 * They are custom variables generated from the site file: InfluxDB only knows the ids.
 */
export type VariableName = NamedTag;

/** Grafana's custom-variable text: `name : id` pairs; commas would split an entry, so they are refused. */
export function customVariableQuery(entries: ReadonlyArray<{ id: string; name: string }>): string {
  return entries
    .map(({ id, name }) => {
      if (/[,:]/.test(name)) throw new Error(`name "${name}" of "${id}" may not contain "," or ":"`);
      return `${name} : ${id}`;
    })
    .join(', ');
}

export interface VariableOptions {
  /** One value at a time (the device board's device); otherwise multi-select with "All". */
  single?: boolean;
}

function namedVariable(
  ctx: BoardContext,
  name: VariableName,
  label: string,
  options: VariableOptions,
): dashboard.CustomVariableBuilder {
  const entities = ctx.names.entities(name);
  const query = customVariableQuery(entities);
  const first = entities[0];
  if (!first) throw new Error(`the site file names no ${name}`);
  const all = { selected: true, text: ctx.t('全部', 'All'), value: '$__all' };
  const current =
    options.single || name === 'site' ? { selected: true, text: first.name, value: first.id } : all;
  const variable = new dashboard.CustomVariableBuilder(name)
    .label(label)
    .values(query)
    .current(current)
    .options(entities.map((e) => ({ selected: e.id === current.value, text: e.name, value: e.id })));
  if (options.single || name === 'site') return variable.multi(false).includeAll(false);
  return variable.multi(true).includeAll(true);
}

export function templateVariables(
  ctx: BoardContext,
  names: readonly VariableName[] = ['site', 'zone', 'building'],
  options: VariableOptions = {},
): dashboard.CustomVariableBuilder[] {
  const labels: Record<VariableName, string> = {
    site: ctx.t('站点', 'Site'),
    zone: ctx.t('功能区', 'Zone'),
    building: ctx.t('建筑', 'Building'),
    device: ctx.t('设备', 'Device'),
    gateway: ctx.t('网关', 'Gateway'),
  };
  return names.map((name) => namedVariable(ctx, name, labels[name], name === 'device' ? options : {}));
}

/**
 * Hidden: the retention policy serving the dashboard's range (raw ≤ 2 d, 1-minute
 * roll-ups ≤ 31 d, hourly beyond), asked of InfluxDB on every range change.
 */
export function rangePolicyVariable(ctx: BoardContext): dashboard.QueryVariableBuilder {
  return new dashboard.QueryVariableBuilder(RP_VARIABLE)
    .label(ctx.t('数据精度', 'Resolution'))
    .query(RANGE_POLICY_QUERY)
    .definition(RANGE_POLICY_QUERY)
    .datasource(ctx.datasource)
    .refresh(dashboard.VariableRefresh.OnTimeRangeChanged)
    .hide(dashboard.VariableHide.HideVariable)
    .current({ selected: true, text: DEFAULT_RAW_RP, value: DEFAULT_RAW_RP })
    .multi(false)
    .includeAll(false);
}
