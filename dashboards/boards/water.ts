import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import type { BoardContext } from '../board-context.js';
import { influxQuery } from '../query/influx-query-builder.js';
import { from } from '../query/influx-select.js';
import { field } from '../query/select-expression.js';
import { sectionRow, statPanel, tablePanel, timeseriesPanel } from '../panels/common.js';
import { LIMITS } from '../panels/limits.js';
import { bandThresholds, countThresholds, upperLimitThresholds } from '../panels/thresholds.js';
import { baseDashboard, deviceScope, finishDashboard } from './compose.js';
import { CHINA_TZ, dailyWaterM3, flowM3h } from './quantities.js';

/** Per-device mean of one water field, a series per building. */
function perBuilding(fieldName: string) {
  return influxQuery(
    from('water')
      .select(field(fieldName).mean().as(fieldName))
      .where(...deviceScope())
      .groupByTime()
      .groupBy('building', 'device')
      .fill('null'),
  ).alias('$tag_building · $tag_device');
}

/** Water supply (guideline 6.1.3): quantity, pressure, GB 5749 quality, suspected leaks. */
export function waterDashboard(ctx: BoardContext): dashboard.Dashboard {
  const { t } = ctx;
  const board = baseDashboard(ctx, {
    uid: 'village-water',
    title: t('乡村创客社区 · 供水', 'Village community · Water'),
  })
    .withRow(sectionRow(t('用水量', 'Consumption')))
    .withPanel(
      timeseriesPanel(ctx, {
        title: t('各建筑用水流量', 'Water flow per building'),
        unitField: 'flow_m3h',
        targets: [influxQuery(flowM3h('building')).alias('$tag_building')],
        span: 12,
        height: 8,
      }),
    )
    .withPanel(
      timeseriesPanel(ctx, {
        title: t('各功能区日用水量', 'Daily consumption per zone'),
        description: t(
          '流量计正向累计量的日增量（北京时间自然日）',
          'Daily rise of the forward totalisers (China local days)',
        ),
        unitField: 'forward_total_m3',
        bars: true,
        stacked: true,
        targets: [influxQuery(dailyWaterM3('zone')).alias('$tag_zone')],
        span: 12,
        height: 8,
      }),
    )
    .withRow(sectionRow(t('水压', 'Pressure')))
    .withPanel(
      timeseriesPanel(ctx, {
        title: t('进水压力（服务压力带 0.05–0.45 MPa）', 'Inlet pressure (service band 0.05–0.45 MPa)'),
        description: t(
          'GB 50015：多数龙头 ≥ 0.05 MPa，最低处静压 ≤ 0.45 MPa',
          'GB 50015: ≥ 0.05 MPa at most taps, static ≤ 0.45 MPa at the lowest fixture',
        ),
        unitField: 'pressure_mpa',
        thresholds: bandThresholds(LIMITS.pressureMpa),
        targets: [perBuilding('pressure_mpa')],
        span: 16,
        height: 8,
      }),
    )
    .withPanel(
      statPanel(ctx, {
        title: t('最低压力', 'Lowest pressure'),
        unitField: 'pressure_mpa',
        reducer: 'min',
        thresholds: bandThresholds(LIMITS.pressureMpa),
        targets: [
          influxQuery(
            from('water')
              .select(field('pressure_mpa').min().as('pressure_mpa'))
              .where(...deviceScope())
              .groupByTime(),
          ),
        ],
        span: 8,
        height: 8,
      }),
    )
    .withRow(sectionRow(t('水质（GB 5749-2022）', 'Water quality (GB 5749-2022)')))
    .withPanel(
      timeseriesPanel(ctx, {
        title: t('浑浊度（≤ 1 NTU）', 'Turbidity (≤ 1 NTU)'),
        unitField: 'turbidity_ntu',
        thresholds: upperLimitThresholds(LIMITS.turbidityMaxNtu),
        targets: [perBuilding('turbidity_ntu')],
        span: 8,
        height: 8,
      }),
    )
    .withPanel(
      timeseriesPanel(ctx, {
        title: t('pH（6.5–8.5）', 'pH (6.5–8.5)'),
        unitField: 'water_ph',
        thresholds: bandThresholds(LIMITS.ph),
        targets: [perBuilding('water_ph')],
        span: 8,
        height: 8,
      }),
    )
    .withPanel(
      timeseriesPanel(ctx, {
        title: t('游离氯（0.05–2 mg/L）', 'Free chlorine (0.05–2 mg/L)'),
        unitField: 'free_chlorine_mgl',
        thresholds: bandThresholds(LIMITS.freeChlorineMgl),
        targets: [perBuilding('free_chlorine_mgl')],
        span: 8,
        height: 8,
      }),
    )
    .withRow(sectionRow(t('疑似漏水', 'Suspected leaks')))
    .withPanel(
      timeseriesPanel(ctx, {
        title: t('每日最小流量', 'Daily minimum flow'),
        description: t(
          '一整天流量从未归零即疑似漏水（提示，非报警）',
          'Flow that never reached zero in a whole day hints at a leak (a hint, not an alarm)',
        ),
        unitField: 'flow_m3h',
        bars: true,
        thresholds: countThresholds(0.01),
        targets: [
          influxQuery(
            from('water')
              .select(field('flow_m3h').min().as('min_flow_m3h'))
              .where(...deviceScope())
              .groupByTime('1d')
              .groupBy('device')
              .fill('none')
              .tz(CHINA_TZ),
          ).alias('$tag_device'),
        ],
        span: 12,
        height: 8,
      }),
    )
    .withPanel(
      tablePanel(ctx, {
        title: t('近 24 小时最小流量（> 0 疑似漏水）', 'Minimum flow in the last 24 h (> 0: suspected leak)'),
        unit: 'm3h',
        headers: {
          zone: t('功能区', 'Zone'),
          building: t('建筑', 'Building'),
          device: t('流量计', 'Meter'),
          min_flow_m3h: t('最小流量', 'Minimum flow'),
        },
        targets: [
          influxQuery(
            from('water')
              .select(field('flow_m3h').min().as('min_flow_m3h'))
              .where(...deviceScope())
              .groupBy('zone', 'building', 'device'),
          ),
        ],
        span: 12,
        height: 8,
      }).timeFrom('24h'),
    );
  return finishDashboard(board, ctx);
}
