import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import {
  CATALOGUE,
  profileFields,
  telemetryMeasurement,
  unitOfField,
  type UnitSuffix,
} from '../../devices/index.js';
import type { BoardContext } from '../board-context.js';
import { fieldMatchesVariable, tagMatchesVariable } from '../query/condition.js';
import { influxQuery } from '../query/influx-query-builder.js';
import { from } from '../query/influx-select.js';
import { field, tag } from '../query/select-expression.js';
import { sectionRow, tablePanel, timeseriesPanel } from '../panels/common.js';
import { alertTextField } from './alert-annotations.js';
import { baseDashboard, finishDashboard } from './compose.js';
import { severityMapping } from './labels.js';

/** What a unit measures, for panel titles. Units missing here (codes, seconds) get no panel. */
const QUANTITIES: Partial<Record<UnitSuffix, { zh: string; en: string }>> = {
  v: { zh: '电压', en: 'Voltage' },
  a: { zh: '电流', en: 'Current' },
  w: { zh: '有功功率', en: 'Active power' },
  kw: { zh: '有功功率（千瓦）', en: 'Active power (kW)' },
  kvar: { zh: '无功功率', en: 'Reactive power' },
  kwh: { zh: '电能表码', en: 'Energy registers' },
  hz: { zh: '频率', en: 'Frequency' },
  ratio: { zh: '功率因数', en: 'Power factor' },
  m3h: { zh: '瞬时流量', en: 'Flow' },
  m3: { zh: '累计水量表码', en: 'Volume totalisers' },
  mps: { zh: '流速', en: 'Velocity' },
  c: { zh: '温度', en: 'Temperature' },
  mpa: { zh: '水压', en: 'Pressure' },
  ntu: { zh: '浊度（GB 5749：≤ 1 NTU）', en: 'Turbidity (GB 5749: ≤ 1 NTU)' },
  ph: { zh: 'pH（GB 5749：6.5–8.5）', en: 'pH (GB 5749: 6.5–8.5)' },
  mgl: { zh: '游离氯', en: 'Free chlorine' },
  pct: { zh: '百分比', en: 'Percent' },
};

/** Registers that only count up: their last value per interval, not a mean. */
const COUNTER_UNITS: readonly UnitSuffix[] = ['kwh', 'm3'];

type TelemetryMeasurement = ReturnType<typeof telemetryMeasurement>;

/** Every telemetry field of the catalogue, grouped by measurement and unit (one panel each). */
function fieldGroups(): Array<{ measurement: TelemetryMeasurement; unit: UnitSuffix; fields: string[] }> {
  const groups = new Map<string, { measurement: TelemetryMeasurement; unit: UnitSuffix; fields: string[] }>();
  for (const profile of CATALOGUE) {
    const measurement = telemetryMeasurement(profile);
    for (const name of profileFields(profile)) {
      const unit = unitOfField(name);
      if (!unit || !QUANTITIES[unit]) continue;
      const key = `${measurement}/${unit}`;
      const group = groups.get(key) ?? { measurement, unit, fields: [] };
      if (!group.fields.includes(name)) group.fields.push(name);
      groups.set(key, group);
    }
  }
  return [...groups.values()];
}

const deviceScope = () => [tagMatchesVariable('site'), tagMatchesVariable('device')];

/**
 * One device (创客楼总电表): every quantity its profile can report, its events and its
 * alerts. Reached from any panel or table that shows a device (data links).
 */
export function deviceDashboard(ctx: BoardContext): dashboard.Dashboard {
  const { t } = ctx;
  const board = baseDashboard(ctx, {
    uid: 'village-device',
    title: t('乡村创客社区 · 设备详情', 'Village community · Device'),
    variables: ['site', 'device'],
    variableOptions: { single: true },
  });
  const sections: Record<TelemetryMeasurement, string> = {
    electricity: t('电', 'Electricity'),
    water: t('水', 'Water'),
    device_status: t('设备状态', 'Device state'),
  };
  let section: TelemetryMeasurement | undefined;
  for (const group of fieldGroups()) {
    if (group.measurement !== section) {
      section = group.measurement;
      board.withRow(sectionRow(sections[section]));
    }
    const quantity = QUANTITIES[group.unit] as { zh: string; en: string };
    const counter = COUNTER_UNITS.includes(group.unit);
    board.withPanel(
      timeseriesPanel(ctx, {
        title: t(quantity.zh, quantity.en),
        unitField: group.fields[0] as string,
        targets: [
          influxQuery(
            from(group.measurement)
              .select(...group.fields.map((f) => (counter ? field(f).last() : field(f).mean()).as(f)))
              .where(...deviceScope())
              .groupByTime()
              .fill('null'),
          ).alias('$col'),
        ],
        span: 12,
        height: 7,
      }),
    );
  }
  board
    .withRow(sectionRow(t('事件与告警', 'Events and alerts')))
    .withPanel(
      tablePanel(ctx, {
        title: t('安全事件', 'Safety events'),
        mappings: [severityMapping(ctx)],
        headers: {
          Time: t('时间', 'Time'),
          type: t('事件', 'Event'),
          severity: t('级别', 'Severity'),
          data_json: t('数据', 'Data'),
        },
        targets: [
          influxQuery(
            from('safety_event')
              .select(tag('type'), field('severity'), field('data_json'))
              .where(...deviceScope())
              .orderByTimeDesc()
              .limit(100),
          ),
        ],
        span: 12,
        height: 8,
      }),
    )
    .withPanel(
      tablePanel(ctx, {
        title: t('告警记录', 'Alert history'),
        mappings: [severityMapping(ctx)],
        headers: {
          Time: t('时间', 'Time'),
          state: t('状态', 'State'),
          rule: t('规则', 'Rule'),
          severity: t('级别', 'Severity'),
          [alertTextField(ctx)]: t('说明', 'Message'),
        },
        targets: [
          influxQuery(
            from('alert')
              .select(tag('state'), tag('rule'), tag('severity'), field(alertTextField(ctx)))
              .where(tagMatchesVariable('site'), fieldMatchesVariable('device'))
              .orderByTimeDesc()
              .limit(100),
          ),
        ],
        span: 12,
        height: 8,
      }),
    );
  return finishDashboard(board, ctx);
}
