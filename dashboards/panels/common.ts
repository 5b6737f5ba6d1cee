import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as statetimeline from '@grafana/grafana-foundation-sdk/statetimeline';
import * as table from '@grafana/grafana-foundation-sdk/table';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import type { BoardContext } from '../board-context.js';
import type { InfluxQueryBuilder } from '../query/influx-query-builder.js';
import { grafanaUnitOf, unitLabelOf } from './units.js';

/**
 * Shared panel factories (the SDK examples' common.ts). Each takes its targets, gives
 * them refIds A, B, … and the dashboard's data source, and returns the SDK builder so a
 * module can still adjust size or options.
 */
export interface PanelSpec {
  title: string;
  description?: string;
  targets: InfluxQueryBuilder[];
  /** Grid width out of 24 and height in grid rows. */
  span: number;
  height: number;
}

function withTargets<
  P extends { withTarget(t: InfluxQueryBuilder): P; datasource(d: common.DataSourceRef): P },
>(ctx: BoardContext, panel: P, targets: InfluxQueryBuilder[]): P {
  if (targets.length === 0) throw new Error('a panel needs at least one query');
  targets.forEach((target, i) =>
    panel.withTarget(target.refId(String.fromCharCode(65 + i)).datasource(ctx.datasource)),
  );
  return panel.datasource(ctx.datasource);
}

export interface TimeseriesSpec extends PanelSpec {
  /** A field whose unit suffix gives the panel's unit (`pressure_mpa` → MPa). */
  unitField?: string;
  thresholds?: dashboard.ThresholdsConfigBuilder;
  bars?: boolean;
  stacked?: boolean;
}

export function timeseriesPanel(ctx: BoardContext, spec: TimeseriesSpec): timeseries.PanelBuilder {
  const panel = new timeseries.PanelBuilder()
    .title(spec.title)
    .span(spec.span)
    .height(spec.height)
    .lineWidth(1)
    .fillOpacity(spec.bars ? 80 : 10)
    .drawStyle(spec.bars ? common.GraphDrawStyle.Bars : common.GraphDrawStyle.Line)
    .showPoints(common.VisibilityMode.Never)
    .spanNulls(ctx.spanGapsMs)
    .legend(
      new common.VizLegendOptionsBuilder()
        .showLegend(true)
        .placement(common.LegendPlacement.Bottom)
        .displayMode(common.LegendDisplayMode.List),
    )
    .tooltip(new common.VizTooltipOptionsBuilder().mode(common.TooltipDisplayMode.Multi));
  if (spec.description) panel.description(spec.description);
  if (spec.unitField) panel.unit(grafanaUnitOf(spec.unitField)).axisLabel(unitLabelOf(ctx, spec.unitField));
  if (spec.stacked) panel.stacking(new common.StackingConfigBuilder().mode(common.StackingMode.Normal));
  if (spec.thresholds) {
    panel
      .thresholds(spec.thresholds)
      .thresholdsStyle(
        new common.GraphThresholdsStyleConfigBuilder().mode(common.GraphThresholdsStyleMode.DashedAndArea),
      );
  }
  return withTargets(ctx, panel, spec.targets);
}

export interface StatSpec extends PanelSpec {
  unitField?: string;
  unit?: string;
  thresholds?: dashboard.ThresholdsConfigBuilder;
  mappings?: dashboard.ValueMapping[];
  /** Reducer over the time range: `lastNotNull` (default), `sum`, `max`, … */
  reducer?: string;
}

export function statPanel(ctx: BoardContext, spec: StatSpec): stat.PanelBuilder {
  const panel = new stat.PanelBuilder()
    .title(spec.title)
    .span(spec.span)
    .height(spec.height)
    .colorMode(common.BigValueColorMode.Background)
    .graphMode(common.BigValueGraphMode.None)
    .textMode(common.BigValueTextMode.ValueAndName)
    .reduceOptions(
      new common.ReduceDataOptionsBuilder().calcs([spec.reducer ?? 'lastNotNull']).values(false),
    );
  if (spec.description) panel.description(spec.description);
  const unit = spec.unit ?? (spec.unitField ? grafanaUnitOf(spec.unitField) : undefined);
  if (unit) panel.unit(unit);
  if (spec.thresholds) panel.thresholds(spec.thresholds);
  if (spec.mappings) panel.mappings(spec.mappings);
  return withTargets(ctx, panel, spec.targets);
}

export interface StateTimelineSpec extends PanelSpec {
  mappings: dashboard.ValueMapping[];
  thresholds?: dashboard.ThresholdsConfigBuilder;
}

export function stateTimelinePanel(ctx: BoardContext, spec: StateTimelineSpec): statetimeline.PanelBuilder {
  const panel = new statetimeline.PanelBuilder()
    .title(spec.title)
    .span(spec.span)
    .height(spec.height)
    .mergeValues(true)
    .showValue(common.VisibilityMode.Never)
    .alignValue(common.TimelineValueAlignment.Left)
    .rowHeight(0.8)
    .fillOpacity(80)
    .mappings(spec.mappings);
  if (spec.description) panel.description(spec.description);
  if (spec.thresholds) panel.thresholds(spec.thresholds);
  return withTargets(ctx, panel, spec.targets);
}

export interface TableSpec extends PanelSpec {
  mappings?: dashboard.ValueMapping[];
  /** Column renames, `column → header`, applied by an "organize" transformation. */
  headers?: Record<string, string>;
  unit?: string;
}

export function tablePanel(ctx: BoardContext, spec: TableSpec): table.PanelBuilder {
  for (const target of spec.targets) target.resultFormat('table');
  const panel = new table.PanelBuilder()
    .title(spec.title)
    .span(spec.span)
    .height(spec.height)
    .showHeader(true)
    .filterable(true);
  if (spec.description) panel.description(spec.description);
  if (spec.mappings) panel.mappings(spec.mappings);
  if (spec.unit) panel.unit(spec.unit);
  if (spec.headers) {
    panel.withTransformation({
      id: 'organize',
      options: { renameByName: spec.headers, excludeByName: {}, indexByName: {} },
    });
  }
  return withTargets(ctx, panel, spec.targets);
}

/** A full-width section header; the panels added after it belong to it. */
export function sectionRow(title: string): dashboard.RowBuilder {
  return new dashboard.RowBuilder(title).collapsed(false);
}

/** Value → text and colour, e.g. online 1/0 → 在线/离线. */
export function valueMapping(
  entries: ReadonlyArray<{ value: string; text: string; color: string }>,
): dashboard.ValueMapping {
  const options: Record<string, dashboard.ValueMappingResult> = {};
  entries.forEach((entry, index) => (options[entry.value] = { text: entry.text, color: entry.color, index }));
  return { type: dashboard.MappingType.ValueToText, options };
}
