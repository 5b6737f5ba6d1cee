import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { CATALOGUE, type DeviceCategory } from '../../devices/index.js';
import type { BoardContext } from '../board-context.js';
import { tagMatchesVariable, type Condition } from '../query/condition.js';
import { templateVariables, type VariableName } from '../variables.js';

export interface BoardIdentity {
  /** uid without the language suffix, e.g. `village-water`. */
  uid: string;
  title: string;
  variables?: readonly VariableName[];
}

/** Tag every generated dashboard carries; dashboard links list the others by it. */
export const BOARD_TAG = 'village';

export function baseDashboard(ctx: BoardContext, identity: BoardIdentity): dashboard.DashboardBuilder {
  return new dashboard.DashboardBuilder(identity.title)
    .uid(`${identity.uid}-${ctx.lang}`)
    .tags([BOARD_TAG, ctx.lang])
    .timezone('browser')
    .time({ from: 'now-24h', to: 'now' })
    .refresh('1m')
    .tooltip(dashboard.DashboardCursorSync.Crosshair)
    .readonly()
    .variables(templateVariables(ctx, identity.variables))
    .link(
      new dashboard.DashboardLinkBuilder(ctx.t('其他看板', 'Other dashboards'))
        .type(dashboard.DashboardLinkType.Dashboards)
        .tags([BOARD_TAG, ctx.lang])
        .asDropdown(true)
        .includeVars(true)
        .keepTime(true),
    );
}

/** Builds the dashboard and numbers its panels 1…n in layout order (the SDK leaves ids unset). */
export function finishDashboard(builder: dashboard.DashboardBuilder): dashboard.Dashboard {
  const built = builder.build();
  let id = 0;
  for (const panel of built.panels ?? []) {
    panel.id = ++id;
    if (panel.type === 'row') for (const inner of (panel as dashboard.RowPanel).panels) inner.id = ++id;
  }
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
