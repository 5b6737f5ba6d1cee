import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import type { BoardContext } from '../board-context.js';
import { tagMatchesVariable } from '../query/condition.js';
import { influxQuery } from '../query/influx-query-builder.js';
import { from, fromSubqueries } from '../query/influx-select.js';
import { field } from '../query/select-expression.js';
import { sectionRow, statPanel, stateTimelinePanel, timeseriesPanel } from '../panels/common.js';
import { countThresholds, lowerLimitThresholds } from '../panels/thresholds.js';
import { baseDashboard, finishDashboard } from './compose.js';
import { onlineMapping } from './labels.js';
import { gatewaysOnlinePanel } from './open-state.js';

const gatewayScope = () => [tagMatchesVariable('site'), tagMatchesVariable('gateway')];

function health(fieldName: string, aggregate: 'mean' | 'max' | 'min' | 'last' = 'mean') {
  return influxQuery(
    from('gateway_health')
      .select(field(fieldName)[aggregate]().as(fieldName))
      .where(...gatewayScope())
      .groupByTime()
      .groupBy('gateway')
      .fill('null'),
  ).alias('$tag_gateway $col');
}

/** Sum over gateways of each gateway's last value of a gateway_health field. */
function healthTotal(fieldName: string) {
  const perGateway = from('gateway_health')
    .select(field(fieldName).last().as(fieldName))
    .where(...gatewayScope())
    .groupBy('gateway');
  return influxQuery(fromSubqueries(perGateway).select(field(fieldName).sum().as(fieldName)));
}

/**
 * Poll success in percent per interval. The gateway reports running totals since it
 * started, so the increase per interval is taken first (a restart resets to zero).
 */
function pollSuccessPct() {
  const ok = field('poll_ok_count').last().nonNegativeDifference();
  const failed = field('poll_error_count').last().nonNegativeDifference();
  return influxQuery(
    from('gateway_health')
      .select(ok.times(100).dividedBy(ok.plus(failed)).as('poll_success_pct'))
      .where(...gatewayScope())
      .groupByTime()
      .groupBy('gateway')
      .fill('none'),
  ).alias('$tag_gateway');
}

/**
 * Gateways and devices (guideline 6.3.1 and 9.2.4). gateway_health carries no poll
 * latency nor dead-letter counts yet (contracts/messages.ts), so poll errors stand in.
 */
export function gatewaysDashboard(ctx: BoardContext): dashboard.Dashboard {
  const { t } = ctx;
  const board = baseDashboard(ctx, {
    uid: 'village-gateways',
    title: t('乡村创客社区 · 网关与设备', 'Village community · Gateways and devices'),
    variables: ['site', 'gateway'],
  })
    .withRow(sectionRow(t('概况', 'At a glance')))
    .withPanel(gatewaysOnlinePanel(ctx, 6).height(4))
    .withPanel(
      statPanel(ctx, {
        title: t('在线设备', 'Devices online'),
        targets: [healthTotal('devices_online')],
        span: 6,
        height: 4,
      }),
    )
    .withPanel(
      statPanel(ctx, {
        title: t('离线设备', 'Devices offline'),
        thresholds: countThresholds(1, 3),
        targets: [healthTotal('devices_offline')],
        span: 6,
        height: 4,
      }),
    )
    .withPanel(
      statPanel(ctx, {
        title: t('断网缓存（条）', 'Buffered messages'),
        description: t(
          '上行中断时暂存在网关磁盘上的消息',
          'Messages held on the gateway disk while the uplink is down',
        ),
        thresholds: countThresholds(1, 10000),
        targets: [healthTotal('buffer_depth')],
        span: 6,
        height: 4,
      }),
    )
    .withPanel(
      stateTimelinePanel(ctx, {
        title: t('网关在线状态', 'Gateway online state'),
        mappings: [onlineMapping(ctx)],
        targets: [
          influxQuery(
            from('device_status')
              .select(field('online').last().as('online'))
              .where(...gatewayScope())
              .groupByTime()
              .groupBy('gateway')
              .fill('previous'),
          ).alias('$tag_gateway'),
        ],
        span: 24,
        height: 6,
      }),
    )
    .withRow(sectionRow(t('采集', 'Polling')))
    .withPanel(
      timeseriesPanel(ctx, {
        title: t('轮询成功率', 'Poll success rate'),
        unitField: 'poll_success_pct',
        thresholds: lowerLimitThresholds(95),
        targets: [pollSuccessPct()],
        span: 12,
        height: 8,
      }),
    )
    .withPanel(
      timeseriesPanel(ctx, {
        title: t('轮询失败次数', 'Poll errors'),
        description: t(
          '每个时间段内新增的失败次数（暂无轮询延迟与死信计数字段）',
          'New poll errors per interval (gateway_health has no poll latency or dead-letter count yet)',
        ),
        bars: true,
        targets: [
          influxQuery(
            from('gateway_health')
              .select(field('poll_error_count').last().nonNegativeDifference().as('poll_errors'))
              .where(...gatewayScope())
              .groupByTime()
              .groupBy('gateway')
              .fill('none'),
          ).alias('$tag_gateway'),
        ],
        span: 12,
        height: 8,
      }),
    )
    .withPanel(
      timeseriesPanel(ctx, {
        title: t('断网缓存深度', 'Buffer depth'),
        targets: [health('buffer_depth', 'max')],
        span: 12,
        height: 8,
      }),
    )
    .withPanel(
      timeseriesPanel(ctx, {
        title: t('在线 / 离线设备数', 'Devices online / offline'),
        targets: [health('devices_online', 'last'), health('devices_offline', 'last')],
        span: 12,
        height: 8,
      }),
    )
    .withRow(sectionRow(t('网关资源', 'Gateway resources')))
    .withPanel(
      timeseriesPanel(ctx, {
        title: t('CPU', 'CPU'),
        unitField: 'cpu_pct',
        targets: [health('cpu_pct')],
        span: 8,
        height: 7,
      }),
    )
    .withPanel(
      timeseriesPanel(ctx, {
        title: t('内存（RSS）', 'Memory (RSS)'),
        unitField: 'memory_rss_bytes',
        targets: [health('memory_rss_bytes', 'max')],
        span: 8,
        height: 7,
      }),
    )
    .withPanel(
      timeseriesPanel(ctx, {
        title: t('磁盘剩余', 'Disk free'),
        unitField: 'disk_free_bytes',
        targets: [health('disk_free_bytes', 'min')],
        span: 8,
        height: 7,
      }),
    );
  return finishDashboard(board, ctx);
}
