import { localDateTime } from '../period.js';
import type { DataEvent, GroupConsumption, Interval, MonthlyReport } from '../report-model.js';
import { VOLTAGE_LIMITS } from '../standards.js';

/** How a number shows: whole, with 1–3 decimals, as a percentage of 1, or a China-time moment. */
export type CellFormat = 'int' | 'dec1' | 'dec2' | 'dec3' | 'pct' | 'time';
export type Cell = { value: number; format: CellFormat } | string | undefined;

export interface Column {
  zh: string;
  en: string;
}

/** One table of the report: a sheet in XLSX, a block in CSV, a section on the printed page. */
export interface ReportTable {
  id: string;
  zh: string;
  en: string;
  /** A sentence under the title: what the figures mean and which standard they follow. */
  note?: { zh: string; en: string };
  columns: Column[];
  rows: Cell[][];
}

const n = (value: number | undefined, format: CellFormat): Cell =>
  value === undefined ? undefined : { value, format };
const c = (zh: string, en: string): Column => ({ zh, en });
const intervals = (list: readonly Interval[]) =>
  list.map((i) => `${localDateTime(i.fromMs)} – ${localDateTime(i.toMs).slice(11)}`).join('; ');

const EVENT_KINDS: Record<DataEvent['kind'], string> = {
  reset: '计数器复位 / counter reset',
  replacement: '换表 / meter replaced',
  gap: '数据缺口 / gap',
  'no-baseline': '期初无读数 / no reading before the period',
};

function groupRows(groups: readonly GroupConsumption[]): Cell[][] {
  return groups.map((g) => [
    g.group.name,
    g.group.name_en,
    n(g.electricityKwh, 'dec1'),
    n(g.peakDemand?.kw, 'dec2'),
    n(g.peakDemand?.atMs, 'time'),
    n(g.waterM3, 'dec2'),
    g.flagged ? '见数据事件 / see data events' : '',
  ]);
}

const GROUP_COLUMNS = [
  c('名称', 'Name'),
  c('英文名', 'Name (en)'),
  c('用电量 kWh', 'Electricity kWh'),
  c('最大需量 kW', 'Peak demand kW'),
  c('最大需量时间', 'Peak at'),
  c('用水量 m³', 'Water m³'),
  c('备注', 'Note'),
];

/** The report as tables, in the order a reader wants them: summary first. */
export function reportTables(report: MonthlyReport): ReportTable[] {
  const site = report.consumption.site;
  const zoneNames = new Map(report.consumption.zones.map((z) => [z.group.id, z.group.name]));
  const fired = report.alerts.reduce((sum, a) => sum + a.fired, 0);
  const expected = report.completeness.reduce((sum, x) => sum + x.expected, 0);
  const received = report.completeness.reduce((sum, x) => sum + Math.min(x.received, x.expected), 0);
  return [
    {
      id: 'summary',
      zh: '概况',
      en: 'Summary',
      columns: [c('指标', 'Figure'), c('英文', 'In English'), c('数值', 'Value'), c('单位', 'Unit')],
      rows: [
        ['用电量', 'Electricity', n(site.electricityKwh, 'dec1'), 'kWh'],
        ['最大需量', 'Peak demand (15 min)', n(site.peakDemand?.kw, 'dec2'), 'kW'],
        ['用水量（不含总表）', 'Water (sub-meters)', n(site.waterM3, 'dec2'), 'm³'],
        ['电压合格率', 'Voltage qualification rate', n(report.voltage.siteRate, 'pct'), '%'],
        ['频率合格率', 'Frequency compliance', n(report.frequency.siteRate, 'pct'), '%'],
        ['产销差率', 'Non-revenue water', n(report.waterBalance.nonRevenueRatio, 'pct'), '%'],
        ['告警次数', 'Alerts fired', n(fired, 'int'), ''],
        ['数据完整率', 'Data completeness', n(expected > 0 ? received / expected : undefined, 'pct'), '%'],
        [
          '数据来源',
          'Data source',
          report.source === 'raw' ? '原始数据 / raw points' : '1 分钟汇总 / 1-minute roll-up',
          '',
        ],
      ],
    },
    {
      id: 'zones',
      zh: '各功能区用量',
      en: 'Consumption by zone',
      columns: GROUP_COLUMNS,
      rows: groupRows(report.consumption.zones),
    },
    {
      id: 'buildings',
      zh: '各建筑用量',
      en: 'Consumption by building',
      columns: GROUP_COLUMNS,
      rows: groupRows(report.consumption.buildings),
    },
    {
      id: 'tenants',
      zh: '各租户用量',
      en: 'Consumption by tenant',
      columns: GROUP_COLUMNS,
      rows: groupRows(report.consumption.tenants),
    },
    {
      id: 'meters',
      zh: '电表与水表',
      en: 'Meters',
      note: {
        zh: '用量按表码计算；复位、换表与缺口见“数据事件”。供水总表不计入功能区合计。',
        en: 'From the registers; resets, replacements and gaps are listed under data events. The water main is not in zone totals.',
      },
      columns: [
        c('表计', 'Meter'),
        c('功能区', 'Zone'),
        c('用量', 'Consumption'),
        c('单位', 'Unit'),
        c('备注', 'Note'),
      ],
      rows: report.consumption.meters.map((m) => [
        m.device.name,
        zoneNames.get(m.zone) ?? m.zone,
        m.noData ? undefined : n(m.total, 'dec2'),
        m.quantity === 'electricity' ? 'kWh' : 'm³',
        [
          m.isWaterMain ? '供水总表 / water main' : '',
          m.noData ? '无数据 / no data' : '',
          m.events.length ? `${m.events.length} 个数据事件 / data events` : '',
        ]
          .filter(Boolean)
          .join('; '),
      ]),
    },
    {
      id: 'voltage',
      zh: '电压合格率（GB/T 12325）',
      en: 'Voltage qualification (GB/T 12325)',
      note: {
        zh: `按 1 分钟平均电压统计；${VOLTAGE_LIMITS.single_phase.zh} ${VOLTAGE_LIMITS.single_phase.low}–${VOLTAGE_LIMITS.single_phase.high} V，${VOLTAGE_LIMITS.three_phase.zh} ${VOLTAGE_LIMITS.three_phase.low}–${VOLTAGE_LIMITS.three_phase.high} V（相电压）；停电分钟不计入监测时间。`,
        en: '1-minute mean voltage; interrupted minutes are outages, not monitored time.',
      },
      columns: [
        c('电表', 'Meter'),
        c('供电类型', 'Supply'),
        c('监测分钟', 'Minutes monitored'),
        c('合格分钟', 'Within limits'),
        c('超上限', 'Above'),
        c('超下限', 'Below'),
        c('合格率', 'Rate'),
        c('最低 V', 'Min V'),
        c('最高 V', 'Max V'),
      ],
      rows: [
        ...report.voltage.devices.map((v) => [
          v.device.name,
          VOLTAGE_LIMITS[v.supply].zh,
          n(v.monitoredMinutes, 'int'),
          n(v.withinMinutes, 'int'),
          n(v.aboveMinutes, 'int'),
          n(v.belowMinutes, 'int'),
          n(v.rate, 'pct'),
          n(v.minV, 'dec1'),
          n(v.maxV, 'dec1'),
        ]),
        ...report.voltage.zones
          .filter((z) => z.monitoredMinutes > 0)
          .map((z) => [
            `${z.zone.name}（合计）`,
            '',
            n(z.monitoredMinutes, 'int'),
            n(z.withinMinutes, 'int'),
            undefined,
            undefined,
            n(z.rate, 'pct'),
            undefined,
            undefined,
          ]),
      ],
    },
    {
      id: 'frequency',
      zh: '频率合格率（GB/T 15945，50 ± 0.2 Hz）',
      en: 'Frequency compliance (GB/T 15945, 50 ± 0.2 Hz)',
      columns: [
        c('电表', 'Meter'),
        c('监测分钟', 'Minutes monitored'),
        c('合格分钟', 'Within limits'),
        c('合格率', 'Rate'),
        c('最低 Hz', 'Min Hz'),
        c('最高 Hz', 'Max Hz'),
      ],
      rows: report.frequency.devices.map((f) => [
        f.device.name,
        n(f.monitoredMinutes, 'int'),
        n(f.withinMinutes, 'int'),
        n(f.rate, 'pct'),
        n(f.minHz, 'dec2'),
        n(f.maxHz, 'dec2'),
      ]),
    },
    {
      id: 'water-quality',
      zh: '水质合格率（GB 5749）',
      en: 'Water quality (GB 5749)',
      note: { zh: '按 1 分钟平均值统计。', en: 'By 1-minute means.' },
      columns: [
        c('仪表', 'Probe'),
        c('指标', 'Parameter'),
        c('限值', 'Limits'),
        c('监测分钟', 'Minutes monitored'),
        c('合格分钟', 'Compliant'),
        c('合格率', 'Rate'),
        c('最低', 'Min'),
        c('最高', 'Max'),
      ],
      rows: report.waterQuality.map((q) => [
        q.device.name,
        `${q.name} / ${q.name_en}`,
        `${q.limits.low !== undefined ? `${q.limits.low}–` : '≤ '}${q.limits.high} ${q.unit}`.trim(),
        n(q.monitoredMinutes, 'int'),
        n(q.compliantMinutes, 'int'),
        n(q.rate, 'pct'),
        n(q.min, 'dec2'),
        n(q.max, 'dec2'),
      ]),
    },
    {
      id: 'availability',
      zh: '供电供水可用性',
      en: 'Supply availability',
      note: {
        zh: '停电：功能区内所有有读数的电表各相电压均低于额定值 10%；停水：所有压力变送器低于 0.02 MPa。无数据分钟单列，不算作停电停水。',
        en: 'Without power: every reporting meter of the zone below 10 % of nominal on every phase; without water: every pressure transmitter below 0.02 MPa. Minutes without data are counted apart.',
      },
      columns: [
        c('功能区', 'Zone'),
        c('停电分钟', 'Minutes without power'),
        c('电表无数据分钟', 'No power data'),
        c('停水分钟', 'Minutes without water'),
        c('水压无数据分钟', 'No pressure data'),
        c('停电时段', 'Power outages'),
        c('停水时段', 'Water outages'),
      ],
      rows: report.availability.map((a) => [
        a.zone.name,
        n(a.powerOffMinutes, 'int'),
        n(a.powerNoDataMinutes, 'int'),
        n(a.waterOffMinutes, 'int'),
        n(a.waterNoDataMinutes, 'int'),
        intervals(a.powerOutages),
        intervals(a.waterOutages),
      ]),
    },
    {
      id: 'water-balance',
      zh: '水平衡与夜间最小流量',
      en: 'Water balance and night minimum flow',
      note: {
        zh: `产销差率 = (总表 − 分表合计) / 总表。夜间最小流量取每晚 01:00–05:00 的最低流量；高于 0.05 m³/h 的夜晚疑似漏水。`,
        en: 'Non-revenue water = (main − sum of sub-meters) / main. Night minimum: lowest flow 01:00–05:00 each night; above 0.05 m³/h suggests a leak.',
      },
      columns: [
        c('对象', 'Subject'),
        c('总表 m³', 'Main m³'),
        c('分表合计 m³', 'Sub-meters m³'),
        c('产销差率', 'Non-revenue'),
        c('夜间最小流量中位数 m³/h', 'Median night min m³/h'),
        c('最高夜间最小流量 m³/h', 'Highest night min m³/h'),
        c('疑似漏水夜数', 'Leak nights'),
        c('首个疑似漏水夜', 'First leak night'),
      ],
      rows: [
        [
          report.waterBalance.mains.map((m) => m.name).join('、') || '（未配置总表）',
          n(report.waterBalance.mainM3, 'dec2'),
          n(report.waterBalance.subM3, 'dec2'),
          n(report.waterBalance.nonRevenueRatio, 'pct'),
          undefined,
          undefined,
          undefined,
          undefined,
        ],
        ...report.nightFlow.map((f) => [
          f.subject.name,
          undefined,
          undefined,
          undefined,
          n(f.medianMinM3h, 'dec3'),
          n(f.maxMinM3h, 'dec3'),
          `${f.leakNights} / ${f.nightsMeasured}`,
          f.firstLeakNight ?? '',
        ]),
      ],
    },
    {
      id: 'alerts',
      zh: '告警统计',
      en: 'Alerts by class',
      columns: [
        c('告警', 'Alert'),
        c('级别', 'Severity'),
        c('次数', 'Fired'),
        c('已确认', 'Acknowledged'),
        c('已恢复', 'Resolved'),
        c('期末未恢复', 'Open at end'),
        c('确认用时中位数（分）', 'Median min to ack'),
        c('最长确认用时（分）', 'Longest min to ack'),
        c('恢复用时中位数（分）', 'Median min to resolve'),
        c('最长恢复用时（分）', 'Longest min to resolve'),
      ],
      rows: report.alerts.map((a) => [
        `${a.title} / ${a.title_en}`,
        a.severity,
        n(a.fired, 'int'),
        n(a.acknowledged, 'int'),
        n(a.resolved, 'int'),
        n(a.openAtEnd, 'int'),
        n(a.medianAckMinutes, 'dec1'),
        n(a.maxAckMinutes, 'dec1'),
        n(a.medianResolveMinutes, 'dec1'),
        n(a.maxResolveMinutes, 'dec1'),
      ]),
    },
    {
      id: 'completeness',
      zh: '数据完整性',
      en: 'Data completeness',
      columns: [
        c('设备', 'Device'),
        c('采集周期 s', 'Poll s'),
        c('应收读数', 'Expected'),
        c('实收读数', 'Received'),
        c('完整率', 'Completeness'),
        c('缺口', 'Gaps'),
      ],
      rows: report.completeness.map((x) => [
        x.device.name,
        n(x.pollIntervalS, 'int'),
        n(x.expected, 'int'),
        n(x.received, 'int'),
        n(x.ratio, 'pct'),
        intervals(x.gaps),
      ]),
    },
    {
      id: 'data-events',
      zh: '数据事件',
      en: 'Data events',
      note: {
        zh: '缺口不作填补；缺口两侧表码之差计入用量并在此列出。',
        en: 'Gaps are not filled; the register difference across a gap is counted and shown here.',
      },
      columns: [
        c('设备', 'Device'),
        c('事件', 'Event'),
        c('开始', 'From'),
        c('结束', 'To'),
        c('前表码', 'Register before'),
        c('后表码', 'Register after'),
        c('跨缺口计入', 'Counted across'),
      ],
      rows: report.dataEvents.map((e) => [
        e.device.name,
        EVENT_KINDS[e.kind],
        n(e.fromMs, 'time'),
        n(e.toMs, 'time'),
        n(e.before, 'dec2'),
        n(e.after, 'dec2'),
        n(e.countedAcross, 'dec2'),
      ]),
    },
  ];
}

/** A cell as text (CSV, HTML): fixed decimals, percentages with two, times in China time. */
export function cellText(cell: Cell): string {
  if (cell === undefined) return '';
  if (typeof cell === 'string') return cell;
  switch (cell.format) {
    case 'int':
      return String(Math.round(cell.value));
    case 'dec1':
      return cell.value.toFixed(1);
    case 'dec2':
      return cell.value.toFixed(2);
    case 'dec3':
      return cell.value.toFixed(3);
    case 'pct':
      return (cell.value * 100).toFixed(2);
    case 'time':
      return localDateTime(cell.value);
  }
}
