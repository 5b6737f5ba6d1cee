import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import type { BoardContext } from '../board-context.js';
import { tagIn, tagMatchesVariable } from '../query/condition.js';
import { influxQuery } from '../query/influx-query-builder.js';
import { from } from '../query/influx-select.js';
import { field, tag } from '../query/select-expression.js';
import { sectionRow, statPanel, tablePanel, timeseriesPanel } from '../panels/common.js';
import { countThresholds, upperLimitThresholds } from '../panels/thresholds.js';
import { baseDashboard, finishDashboard } from './compose.js';
import { severityMapping } from './labels.js';

const alertScope = () => [tagMatchesVariable('site'), tagMatchesVariable('zone')];

function stateCount(state: string, severities?: string[]) {
  return influxQuery(
    from('alert')
      .select(field('alert_id').count().as('alerts'))
      .where(
        ...alertScope(),
        tagIn('state', [state]),
        ...(severities ? [tagIn('severity', severities)] : []),
      ),
  );
}

/** Alert history and response (guideline 9.2.5: prompt handling of hazards). */
export function alertsDashboard(ctx: BoardContext): dashboard.Dashboard {
  const { t } = ctx;
  const board = baseDashboard(ctx, {
    uid: 'village-alerts',
    title: t('乡村创客社区 · 告警', 'Village community · Alerts'),
    variables: ['site', 'zone'],
  })
    .withRow(sectionRow(t('概况', 'At a glance')))
    .withPanel(
      statPanel(ctx, {
        title: t('触发次数', 'Alerts fired'),
        thresholds: countThresholds(1),
        targets: [stateCount('firing')],
        span: 6,
        height: 4,
      }),
    )
    .withPanel(
      statPanel(ctx, {
        title: t('严重告警', 'Critical alerts'),
        thresholds: countThresholds(1, 1),
        targets: [stateCount('firing', ['critical'])],
        span: 6,
        height: 4,
      }),
    )
    .withPanel(
      statPanel(ctx, {
        title: t('已确认', 'Acknowledged'),
        targets: [stateCount('acknowledged')],
        span: 6,
        height: 4,
      }),
    )
    .withPanel(
      statPanel(ctx, {
        title: t('平均确认用时', 'Mean time to acknowledge'),
        unitField: 'ack_delay_s',
        thresholds: upperLimitThresholds(900),
        targets: [
          influxQuery(
            from('alert')
              .select(field('ack_delay_s').mean().as('ack_delay_s'))
              .where(...alertScope(), tagIn('state', ['acknowledged'])),
          ),
        ],
        span: 6,
        height: 4,
      }),
    )
    .withRow(sectionRow(t('趋势', 'Trends')))
    .withPanel(
      timeseriesPanel(ctx, {
        title: t('按级别的告警触发', 'Alerts fired by severity'),
        bars: true,
        stacked: true,
        targets: [
          influxQuery(
            from('alert')
              .select(field('alert_id').count().as('alerts'))
              .where(...alertScope(), tagIn('state', ['firing']))
              .groupByTime()
              .groupBy('severity')
              .fill('none'),
          ).alias('$tag_severity'),
        ],
        span: 12,
        height: 8,
      }),
    )
    .withPanel(
      timeseriesPanel(ctx, {
        title: t('确认用时', 'Time to acknowledge'),
        unitField: 'ack_delay_s',
        thresholds: upperLimitThresholds(900),
        targets: [
          influxQuery(
            from('alert')
              .select(field('ack_delay_s').mean().as('mean'), field('ack_delay_s').max().as('max'))
              .where(...alertScope(), tagIn('state', ['acknowledged']))
              .groupByTime()
              .fill('none'),
          ).alias('$col'),
        ],
        span: 12,
        height: 8,
      }),
    )
    .withPanel(
      tablePanel(ctx, {
        title: t('按规则统计', 'Alerts per rule'),
        headers: { rule: t('规则', 'Rule'), alerts: t('触发次数', 'Fired') },
        targets: [
          influxQuery(
            from('alert')
              .select(field('alert_id').count().as('alerts'))
              .where(...alertScope(), tagIn('state', ['firing']))
              .groupBy('rule'),
          ),
        ],
        span: 8,
        height: 8,
      }),
    )
    .withPanel(
      tablePanel(ctx, {
        title: t('告警历史', 'Alert history'),
        mappings: [severityMapping(ctx)],
        headers: {
          Time: t('时间', 'Time'),
          zone: t('功能区', 'Zone'),
          rule: t('规则', 'Rule'),
          severity: t('级别', 'Severity'),
          state: t('状态', 'State'),
          device: t('设备', 'Device'),
          value: t('数值', 'Value'),
          message: t('说明', 'Message'),
          alert_id: t('告警编号', 'Alert id'),
        },
        targets: [
          influxQuery(
            from('alert')
              .select(
                tag('zone'),
                tag('rule'),
                tag('severity'),
                tag('state'),
                field('device'),
                field('value'),
                field('message'),
                field('alert_id'),
              )
              .where(...alertScope())
              .orderByTimeDesc()
              .limit(500),
          ),
        ],
        span: 16,
        height: 8,
      }),
    );
  return finishDashboard(board, ctx);
}
