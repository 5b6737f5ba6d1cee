import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import type { BoardContext } from '../board-context.js';
import { influxQuery } from '../query/influx-query-builder.js';
import { from } from '../query/influx-select.js';
import { field } from '../query/select-expression.js';
import { sectionRow, statPanel, stateTimelinePanel, timeseriesPanel } from '../panels/common.js';
import { LIMITS } from '../panels/limits.js';
import { bandThresholds } from '../panels/thresholds.js';
import * as dashboardSdk from '@grafana/grafana-foundation-sdk/dashboard';
import { baseDashboard, deviceScope, finishDashboard } from './compose.js';
import { activePowerW, dailyEnergyKwh } from './quantities.js';

/** Single-phase meters report `voltage_v`, three-phase meters one field per phase. */
const PHASE_VOLTAGES = ['voltage_l1_v', 'voltage_l2_v', 'voltage_l3_v'] as const;

function voltageTargets(aggregate: 'mean' | 'min') {
  const single = from('electricity')
    .select(field('voltage_v')[aggregate]().as('voltage_v'))
    .where(...deviceScope())
    .groupByTime()
    .groupBy('device')
    .fill('null');
  const three = from('electricity')
    .select(...PHASE_VOLTAGES.map((f) => field(f)[aggregate]().as(f)))
    .where(...deviceScope())
    .groupByTime()
    .groupBy('device')
    .fill('null');
  return [influxQuery(single).alias('$tag_device'), influxQuery(three).alias('$tag_device $col')];
}

/**
 * Interruption below 10 % of the 220 V nominal, dip below the GB/T 12325 band
 * (docs/domain.md: IEC 61000-4-30 style), swell above it.
 */
function supplyStateThresholds(): dashboardSdk.ThresholdsConfigBuilder {
  return new dashboardSdk.ThresholdsConfigBuilder().mode(dashboardSdk.ThresholdsMode.Absolute).steps([
    { value: null, color: 'dark-red' },
    { value: 22, color: 'orange' },
    { value: LIMITS.voltage220V.low, color: 'green' },
    { value: LIMITS.voltage220V.high, color: 'red' },
  ]);
}

/** Electricity (guideline 6.1.4): voltage and frequency quality, power and energy, outages. */
export function electricityDashboard(ctx: BoardContext): dashboard.Dashboard {
  const { t } = ctx;
  const board = baseDashboard(ctx, {
    uid: 'village-electricity',
    title: t('乡村创客社区 · 供电', 'Village community · Electricity'),
  })
    .withRow(sectionRow(t('电能质量', 'Power quality')))
    .withPanel(
      timeseriesPanel(ctx, {
        title: t('电压（GB/T 12325：198–235.4 V）', 'Voltage (GB/T 12325: 198–235.4 V)'),
        unitField: 'voltage_v',
        thresholds: bandThresholds(LIMITS.voltage220V),
        targets: voltageTargets('mean'),
        span: 16,
        height: 8,
      }),
    )
    .withPanel(
      statPanel(ctx, {
        title: t('最低电压', 'Lowest voltage'),
        unitField: 'voltage_v',
        reducer: 'min',
        thresholds: bandThresholds(LIMITS.voltage220V),
        targets: voltageTargets('min'),
        span: 8,
        height: 8,
      }),
    )
    .withPanel(
      timeseriesPanel(ctx, {
        title: t('频率（GB/T 15945：49.8–50.2 Hz）', 'Frequency (GB/T 15945: 49.8–50.2 Hz)'),
        unitField: 'frequency_hz',
        thresholds: bandThresholds(LIMITS.frequencyHz),
        targets: [
          influxQuery(
            from('electricity')
              .select(field('frequency_hz').mean().as('frequency_hz'))
              .where(...deviceScope())
              .groupByTime()
              .groupBy('device')
              .fill('null'),
          ).alias('$tag_device'),
        ],
        span: 24,
        height: 7,
      }),
    )
    .withRow(sectionRow(t('功率与电量', 'Power and energy')))
    .withPanel(
      timeseriesPanel(ctx, {
        title: t('各功能区有功功率', 'Active power per zone'),
        unitField: 'active_power_w',
        stacked: true,
        targets: [influxQuery(activePowerW('zone')).alias('$tag_zone')],
        span: 12,
        height: 8,
      }),
    )
    .withPanel(
      timeseriesPanel(ctx, {
        title: t('各功能区日用电量', 'Daily energy per zone'),
        unitField: 'import_energy_kwh',
        bars: true,
        stacked: true,
        targets: [influxQuery(dailyEnergyKwh('zone')).alias('$tag_zone')],
        span: 12,
        height: 8,
      }),
    )
    .withPanel(
      timeseriesPanel(ctx, {
        title: t('各建筑有功功率', 'Active power per building'),
        unitField: 'active_power_w',
        targets: [influxQuery(activePowerW('building')).alias('$tag_building')],
        span: 12,
        height: 8,
      }),
    )
    .withPanel(
      timeseriesPanel(ctx, {
        title: t('各建筑日用电量', 'Daily energy per building'),
        unitField: 'import_energy_kwh',
        bars: true,
        stacked: true,
        targets: [influxQuery(dailyEnergyKwh('building')).alias('$tag_building')],
        span: 12,
        height: 8,
      }),
    )
    .withRow(sectionRow(t('停电', 'Outages')))
    .withPanel(
      stateTimelinePanel(ctx, {
        title: t('供电状态（按电表电压）', 'Supply state (from meter voltage)'),
        description: t(
          '深红：停电（< 10% 额定电压）；橙：电压偏低；绿：正常；空白：无读数（电表或网关离线，可能停电）',
          'Dark red: interruption (< 10 % of nominal); orange: low; green: normal; blank: no reading (meter or gateway down, probable outage)',
        ),
        mappings: [],
        thresholds: supplyStateThresholds(),
        targets: voltageTargets('min'),
        span: 24,
        height: 9,
      }),
    );
  return finishDashboard(board, ctx);
}
