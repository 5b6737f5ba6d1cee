import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import type { EventType } from '../../contracts/index.js';
import type { BoardContext } from '../board-context.js';
import { tagIn } from '../query/condition.js';
import { influxQuery } from '../query/influx-query-builder.js';
import { from } from '../query/influx-select.js';
import { field, tag } from '../query/select-expression.js';
import { sectionRow, statPanel, stateTimelinePanel, tablePanel, timeseriesPanel } from '../panels/common.js';
import { countThresholds, lowerLimitThresholds } from '../panels/thresholds.js';
import { baseDashboard, deviceScope, finishDashboard, modelsOf } from './compose.js';
import { availabilityBySeverity, severityMapping } from './labels.js';

const FIRE: EventType[] = ['fire_alarm'];
const DOOR_PROBLEMS: EventType[] = ['door_forced', 'door_held_open', 'reader_tamper', 'access_denied'];
const CAMERA_PROBLEMS: EventType[] = ['camera_offline', 'camera_tamper'];
const LIGHT_FAULTS: EventType[] = ['emergency_battery_fault', 'emergency_lamp_fault', 'emergency_mains_lost'];

function eventCount(types: EventType[]) {
  return influxQuery(
    from('safety_event')
      .select(field('seq').count().as('events'))
      .where(...deviceScope(), tagIn('type', types)),
  );
}

/** Last severity of an availability pair per device: tells online from offline. */
function availability(online: EventType, offline: EventType, models: string[]) {
  return influxQuery(
    from('safety_event')
      .select(field('severity').last().as('state'))
      .where(...deviceScope(), tagIn('type', [online, offline]), tagIn('model', models))
      .groupByTime()
      .groupBy('device')
      .fill('previous'),
  ).alias('$tag_device');
}

/** Safety facilities (guideline 6.1.5): fire, access control, cameras, emergency lighting. */
export function safetyDashboard(ctx: BoardContext): dashboard.Dashboard {
  const { t } = ctx;
  const stat = (title: string, types: EventType[]) =>
    statPanel(ctx, {
      title,
      thresholds: countThresholds(1, 1),
      targets: [eventCount(types)],
      span: 6,
      height: 4,
    });
  const board = baseDashboard(ctx, {
    uid: 'village-safety',
    title: t('乡村创客社区 · 安全', 'Village community · Safety'),
  })
    .withRow(sectionRow(t('事件概况', 'Events at a glance')))
    .withPanel(stat(t('火警', 'Fire alarms'), FIRE))
    .withPanel(stat(t('门禁异常', 'Door problems'), DOOR_PROBLEMS))
    .withPanel(stat(t('摄像头异常', 'Camera problems'), CAMERA_PROBLEMS))
    .withPanel(stat(t('应急照明故障', 'Emergency lighting faults'), LIGHT_FAULTS))
    .withPanel(
      stateTimelinePanel(ctx, {
        title: t('安全事件时间线', 'Safety event timeline'),
        mappings: [severityMapping(ctx)],
        targets: [
          influxQuery(
            from('safety_event')
              .select(field('severity').last().as('severity'))
              .where(...deviceScope())
              .groupByTime()
              .groupBy('device')
              .fill('none'),
          ).alias('$tag_device'),
        ],
        span: 24,
        height: 10,
      }),
    )
    .withPanel(
      timeseriesPanel(ctx, {
        title: t('各类事件数量', 'Events by type'),
        bars: true,
        stacked: true,
        targets: [
          influxQuery(
            from('safety_event')
              .select(field('seq').count().as('events'))
              .where(...deviceScope())
              .groupByTime()
              .groupBy('type')
              .fill('none'),
          ).alias('$tag_type'),
        ],
        span: 10,
        height: 10,
      }),
    )
    .withPanel(
      tablePanel(ctx, {
        title: t('最近事件', 'Recent events'),
        mappings: [severityMapping(ctx)],
        headers: {
          Time: t('时间', 'Time'),
          zone: t('功能区', 'Zone'),
          building: t('建筑', 'Building'),
          device: t('设备', 'Device'),
          type: t('事件', 'Event'),
          severity: t('级别', 'Severity'),
          data_json: t('详情', 'Details'),
        },
        targets: [
          influxQuery(
            from('safety_event')
              .select(
                tag('zone'),
                tag('building'),
                tag('device'),
                tag('type'),
                field('severity'),
                field('data_json'),
              )
              .where(...deviceScope())
              .orderByTimeDesc()
              .limit(200),
          ),
        ],
        span: 14,
        height: 10,
      }),
    )
    .withRow(sectionRow(t('设备在线', 'Devices online')))
    .withPanel(
      stateTimelinePanel(ctx, {
        title: t('摄像头在线', 'Cameras online'),
        mappings: [availabilityBySeverity(ctx, 'camera_online', 'camera_offline')],
        targets: [availability('camera_online', 'camera_offline', modelsOf('camera'))],
        span: 12,
        height: 8,
      }),
    )
    .withPanel(
      stateTimelinePanel(ctx, {
        title: t('门禁在线', 'Door controllers online'),
        mappings: [availabilityBySeverity(ctx, 'device_online', 'device_offline')],
        targets: [availability('device_online', 'device_offline', modelsOf('access-control'))],
        span: 12,
        height: 8,
      }),
    )
    .withPanel(
      timeseriesPanel(ctx, {
        title: t('应急照明电池电量', 'Emergency lighting battery'),
        unitField: 'battery_pct',
        thresholds: lowerLimitThresholds(20),
        targets: [
          influxQuery(
            from('device_status')
              .select(field('battery_pct').min().as('battery_pct'))
              .where(...deviceScope(), tagIn('model', modelsOf('emergency-light')))
              .groupByTime()
              .groupBy('device')
              .fill('null'),
          ).alias('$tag_device'),
        ],
        span: 24,
        height: 7,
      }),
    );
  return finishDashboard(board, ctx);
}
