import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import type * as stat from '@grafana/grafana-foundation-sdk/stat';
import type * as table from '@grafana/grafana-foundation-sdk/table';
import type { BoardContext } from '../board-context.js';
import { tagMatchesVariable } from '../query/condition.js';
import { influxQuery } from '../query/influx-query-builder.js';
import { from, fromSubqueries } from '../query/influx-select.js';
import { field, tag } from '../query/select-expression.js';
import { statPanel, tablePanel } from '../panels/common.js';
import { lowerLimitThresholds } from '../panels/thresholds.js';
import { alertTextField } from './alert-annotations.js';
import { severityMapping } from './labels.js';

const ALERT_TAGS = ['zone', 'rule', 'severity'];

/** How far back "now" looks: the raw retention, so an alert open for weeks still shows. */
export const OPEN_STATE_LOOKBACK = '90d';

/**
 * Alerts open now: every state change of the last 90 days, grouped per alert id keeping
 * its last state (rows come in time order), minus those whose last state is `resolved`.
 * InfluxQL cannot group by a field (alert_id), so Grafana's transformations do it.
 */
export function openAlertsPanel(ctx: BoardContext): table.PanelBuilder {
  const { t } = ctx;
  const text = alertTextField(ctx);
  const kept = ['zone', 'rule', 'severity', 'device', text];
  const headers: Record<string, string> = {
    'Time (first)': t('开始时间', 'Since'),
    'state (last)': t('状态', 'State'),
    'zone (last)': t('功能区', 'Zone'),
    'rule (last)': t('规则', 'Rule'),
    'severity (last)': t('级别', 'Severity'),
    'device (last)': t('设备', 'Device'),
    [`${text} (last)`]: t('说明', 'Message'),
  };
  const groupFields: Record<string, { operation: string; aggregations: string[] }> = {
    alert_id: { operation: 'groupby', aggregations: [] },
    Time: { operation: 'aggregate', aggregations: ['first'] },
    state: { operation: 'aggregate', aggregations: ['last'] },
  };
  for (const name of kept) groupFields[name] = { operation: 'aggregate', aggregations: ['last'] };
  const panel = tablePanel(ctx, {
    title: t('当前未恢复的告警', 'Open alerts'),
    description: t(
      '近 90 天内触发且尚未恢复的告警（含已确认未恢复）',
      'Alerts fired in the last 90 days and not resolved yet (acknowledged ones included)',
    ),
    mappings: [severityMapping(ctx)],
    targets: [
      influxQuery(
        from('alert')
          .select(
            field('alert_id'),
            tag('state'),
            ...kept.map((k) => (ALERT_TAGS.includes(k) ? tag(k) : field(k))),
          )
          .where(tagMatchesVariable('site'), tagMatchesVariable('zone'))
          .lookBack(OPEN_STATE_LOOKBACK),
      ),
    ],
    span: 12,
    height: 8,
  });
  return panel.transformations([
    { id: 'groupBy', options: { fields: groupFields } },
    {
      id: 'filterByValue',
      options: {
        type: 'exclude',
        match: 'any',
        filters: [{ fieldName: 'state (last)', config: { id: 'equal', options: { value: 'resolved' } } }],
      },
    },
    {
      id: 'organize',
      options: { renameByName: headers, excludeByName: { alert_id: true }, indexByName: {} },
    },
  ]);
}

/**
 * Gateways whose last status (90 days back: status is written on change only) is online,
 * against how many the site file says there are: red until all of them are.
 */
export function gatewaysOnlinePanel(ctx: BoardContext, span: number): stat.PanelBuilder {
  const expected = ctx.names.entities('gateway').length;
  return statPanel(ctx, {
    title: ctx.t(`在线网关（应有 ${expected} 个）`, `Gateways online (of ${expected})`),
    thresholds: lowerLimitThresholds(expected),
    targets: [
      influxQuery(
        fromSubqueries(
          from('device_status')
            .select(field('online').last().as('online'))
            .where(tagMatchesVariable('site'))
            .lookBack(OPEN_STATE_LOOKBACK)
            .groupBy('gateway'),
        )
          .select(field('online').sum().as('online'))
          .lookBack(OPEN_STATE_LOOKBACK),
      ),
    ],
    span,
    height: 8,
  }).mappings([
    {
      type: dashboard.MappingType.SpecialValue,
      options: { match: dashboard.SpecialValueMatch.Null, result: { text: '0', color: 'red', index: 0 } },
    },
  ]);
}
