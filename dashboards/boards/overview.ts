import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import type { BoardContext } from '../board-context.js';
import { fieldCompare, tagMatchesVariable } from '../query/condition.js';
import { influxQuery } from '../query/influx-query-builder.js';
import { from } from '../query/influx-select.js';
import { field } from '../query/select-expression.js';
import { sectionRow, statPanel, stateTimelinePanel, timeseriesPanel } from '../panels/common.js';
import { LIMITS } from '../panels/limits.js';
import { bandThresholds, countThresholds } from '../panels/thresholds.js';
import { baseDashboard, deviceScope, finishDashboard } from './compose.js';
import { onlineMapping } from './labels.js';
import { gatewaysOnlinePanel, openAlertsPanel } from './open-state.js';
import { activePowerW, flowM3h } from './quantities.js';

/** Community overview: each zone's water, power and safety at a glance, alerts, gateways. */
export function overviewDashboard(ctx: BoardContext): dashboard.Dashboard {
  const { t } = ctx;
  const problemEvents = from('safety_event')
    .select(field('seq').count().as('events'))
    .where(...deviceScope(), fieldCompare('severity', '!=', 'info'));
  const board = baseDashboard(ctx, {
    uid: 'village-overview',
    title: t('乡村创客社区 · 总览', 'Village community · Overview'),
  })
    .withRow(sectionRow(t('全社区', 'Whole community')))
    .withPanel(
      statPanel(ctx, {
        title: t('当前用电功率', 'Power now'),
        unitField: 'active_power_w',
        targets: [influxQuery(activePowerW('none'))],
        span: 6,
        height: 4,
      }),
    )
    .withPanel(
      statPanel(ctx, {
        title: t('当前用水流量', 'Water flow now'),
        unitField: 'flow_m3h',
        targets: [influxQuery(flowM3h('none'))],
        span: 6,
        height: 4,
      }),
    )
    .withPanel(
      statPanel(ctx, {
        title: t('最低供水压力', 'Lowest water pressure'),
        description: t('服务压力带 0.05–0.45 MPa（GB 50015）', 'Service band 0.05–0.45 MPa (GB 50015)'),
        unitField: 'pressure_mpa',
        thresholds: bandThresholds(LIMITS.pressureMpa),
        reducer: 'min',
        targets: [
          influxQuery(
            from('water')
              .select(field('pressure_mpa').min().as('pressure_mpa'))
              .where(...deviceScope())
              .groupByTime(),
          ),
        ],
        span: 6,
        height: 4,
      }),
    )
    .withPanel(
      statPanel(ctx, {
        title: t('安全事件（警告及以上）', 'Safety events (warning or worse)'),
        thresholds: countThresholds(1, 1),
        targets: [influxQuery(problemEvents)],
        span: 6,
        height: 4,
      }),
    )
    .withRow(sectionRow(t('各功能区', 'Per zone')))
    .withPanel(
      timeseriesPanel(ctx, {
        title: t('各功能区用电功率', 'Power per zone'),
        unitField: 'active_power_w',
        targets: [influxQuery(activePowerW('zone')).alias('$tag_zone')],
        span: 8,
        height: 8,
      }),
    )
    .withPanel(
      timeseriesPanel(ctx, {
        title: t('各功能区用水流量', 'Water flow per zone'),
        unitField: 'flow_m3h',
        targets: [influxQuery(flowM3h('zone')).alias('$tag_zone')],
        span: 8,
        height: 8,
      }),
    )
    .withPanel(
      timeseriesPanel(ctx, {
        title: t('各功能区安全事件', 'Safety events per zone'),
        bars: true,
        stacked: true,
        targets: [
          influxQuery(
            from('safety_event')
              .select(field('seq').count().as('events'))
              .where(...deviceScope(), fieldCompare('severity', '!=', 'info'))
              .groupByTime()
              .groupBy('zone')
              .fill('none'),
          ).alias('$tag_zone'),
        ],
        span: 8,
        height: 8,
      }),
    )
    .withRow(sectionRow(t('告警与网关', 'Alerts and gateways')))
    .withPanel(openAlertsPanel(ctx))
    .withPanel(gatewaysOnlinePanel(ctx, 6))
    .withPanel(
      stateTimelinePanel(ctx, {
        title: t('网关在线状态', 'Gateways online'),
        mappings: [onlineMapping(ctx)],
        targets: [
          influxQuery(
            from('device_status')
              .select(field('online').last().as('online'))
              .where(tagMatchesVariable('site'))
              .groupByTime()
              .groupBy('gateway')
              .fill('previous'),
          ).alias('$tag_gateway'),
        ],
        span: 6,
        height: 8,
      }),
    );
  return finishDashboard(board, ctx);
}
