import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { CATALOGUE, type DeviceCategory } from '../../devices/index.js';
import type { BoardContext } from '../board-context.js';
import { tagMatchesVariable, type Condition } from '../query/condition.js';
import { applySiteNames } from '../names/name-panels.js';
import {
  rangePolicyVariable,
  templateVariables,
  type VariableName,
  type VariableOptions,
} from '../variables.js';
import { ALERT_ANNOTATION_PREFIX, alertAnnotations } from './alert-annotations.js';

export interface BoardIdentity {
  /** uid without the language suffix, e.g. `village-water`. */
  uid: string;
  title: string;
  variables?: readonly VariableName[];
  variableOptions?: VariableOptions;
}

/** Tag every generated dashboard carries; dashboard links list the others by it. */
export const BOARD_TAG = 'village';

export function baseDashboard(ctx: BoardContext, identity: BoardIdentity): dashboard.DashboardBuilder {
  const variables = identity.variables ?? ['site', 'zone', 'building'];
  return new dashboard.DashboardBuilder(identity.title)
    .uid(`${identity.uid}-${ctx.lang}`)
    .tags([BOARD_TAG, ctx.lang])
    .timezone('browser')
    .time({ from: 'now-24h', to: 'now' })
    .refresh('1m')
    .tooltip(dashboard.DashboardCursorSync.Crosshair)
    .readonly()
    .variables([...templateVariables(ctx, variables, identity.variableOptions), rangePolicyVariable(ctx)])
    .annotations(alertAnnotations(ctx, variables))
    .link(
      new dashboard.DashboardLinkBuilder(ctx.t('其他看板', 'Other dashboards'))
        .type(dashboard.DashboardLinkType.Dashboards)
        .tags([BOARD_TAG, ctx.lang])
        .asDropdown(true)
        .includeVars(true)
        .keepTime(true),
    );
}

/**
 * Builds the dashboard, numbers its panels 1…n in layout order (the SDK leaves ids
 * unset), names what the site file names, and shows alert annotations on the
 * time-series panels only (a stat or table has no time axis to mark).
 */
export function finishDashboard(builder: dashboard.DashboardBuilder, ctx: BoardContext): dashboard.Dashboard {
  const built = builder.build();
  let id = 0;
  const timeseries: number[] = [];
  for (const panel of built.panels ?? []) {
    const inner = panel.type === 'row' ? (panel as dashboard.RowPanel).panels : [];
    for (const p of [panel, ...inner]) {
      p.id = ++id;
      if (p.type === 'timeseries') timeseries.push(id);
    }
  }
  for (const annotation of built.annotations?.list ?? []) {
    if (annotation.name.startsWith(ALERT_ANNOTATION_PREFIX)) {
      annotation.filter = { exclude: false, ids: timeseries };
      if (timeseries.length === 0) annotation.enable = false;
    }
  }
  applySiteNames(built, ctx);
  return built;
}

/** Filters of a device measurement by the dashboard's site, zone and building variables. */
export function deviceScope(): Condition[] {
  return [tagMatchesVariable('site'), tagMatchesVariable('zone'), tagMatchesVariable('building')];
}

/** Profile ids of a device category, for `"model" =~ /^(…)$/` filters. */
export function modelsOf(...categories: DeviceCategory[]): string[] {
  return CATALOGUE.filter((p) => categories.includes(p.category)).map((p) => p.id);
}
