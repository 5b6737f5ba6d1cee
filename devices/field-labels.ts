/**
 * What a canonical field is called on a technician's or staff member's screen, and
 * the range a healthy village reading stays in (values outside it are shown in
 * colour; alert rules, per site, decide what pages someone). Ranges cite their source.
 */
export interface FieldLabel {
  zh: string;
  en: string;
  /** Normal range, inclusive; absent when any value is normal. */
  normal?: readonly [number, number];
  /** Where the range comes from. */
  source?: string;
}

const PHASE = { l1: 'A 相', l2: 'B 相', l3: 'C 相' } as const;
const PHASE_EN = { l1: 'L1', l2: 'L2', l3: 'L3' } as const;
/** GB/T 12325-2008: 220 V single phase +7 % / −10 %. */
const VOLTAGE_220: FieldLabel['normal'] = [198, 235.4];

const LABELS: Readonly<Record<string, FieldLabel>> = {
  voltage_v: { zh: '电压', en: 'Voltage', normal: VOLTAGE_220, source: 'GB/T 12325-2008' },
  current_a: { zh: '电流', en: 'Current' },
  active_power_w: { zh: '有功功率', en: 'Active power' },
  active_power_kw: { zh: '有功功率', en: 'Active power' },
  reactive_power_kvar: { zh: '无功功率', en: 'Reactive power' },
  power_factor_ratio: { zh: '功率因数', en: 'Power factor' },
  frequency_hz: { zh: '频率', en: 'Frequency', normal: [49.8, 50.2], source: 'GB/T 15945-2008' },
  total_energy_kwh: { zh: '总电能', en: 'Total energy' },
  import_energy_kwh: { zh: '正向电能', en: 'Import energy' },
  export_energy_kwh: { zh: '反向电能', en: 'Export energy' },
  flow_m3h: { zh: '瞬时流量', en: 'Flow' },
  velocity_mps: { zh: '流速', en: 'Velocity' },
  forward_total_m3: { zh: '累计用水量', en: 'Total volume' },
  reverse_total_m3: { zh: '反向累计', en: 'Reverse total' },
  net_total_m3: { zh: '净累计', en: 'Net total' },
  settlement_total_m3: { zh: '结算日累计', en: 'Settlement-day total' },
  supply_temperature_c: { zh: '供水温度', en: 'Supply temperature' },
  return_temperature_c: { zh: '回水温度', en: 'Return temperature' },
  water_temperature_c: { zh: '水温', en: 'Water temperature' },
  error_code: { zh: '故障码', en: 'Error code', normal: [0, 0] },
  signal_quality_pct: { zh: '信号质量', en: 'Signal quality', normal: [60, 100] },
  pressure_mpa: { zh: '水压', en: 'Pressure', normal: [0.05, 0.45], source: 'GB 50015 as quoted' },
  level_m: { zh: '水位', en: 'Water level' },
  turbidity_ntu: { zh: '浊度', en: 'Turbidity', normal: [0, 1], source: 'GB 5749-2022' },
  water_ph: { zh: 'pH 值', en: 'pH', normal: [6.5, 8.5], source: 'GB 5749-2022' },
  free_chlorine_mgl: { zh: '游离氯', en: 'Free chlorine', normal: [0.05, 2], source: 'GB 5749-2022' },
  valve_state_code: {
    zh: '阀门（0 开 1 关 3 异常）',
    en: 'Valve (0 open, 1 closed, 3 abnormal)',
    normal: [0, 1],
  },
  battery_low_code: { zh: '电池欠压', en: 'Battery low', normal: [0, 0] },
  battery_pct: { zh: '电池电量', en: 'Battery', normal: [20, 100] },
};

/** The label of a field; per-phase fields (`voltage_l1_v`) are named after their phase. */
export function fieldLabel(field: string): FieldLabel | undefined {
  const known = LABELS[field];
  if (known) return known;
  const phase = /^(.+)_(l[123])_([a-z0-9]+)$/.exec(field);
  if (!phase) return undefined;
  const [, base, which, unit] = phase as unknown as [string, string, keyof typeof PHASE, string];
  const label = LABELS[`${base}_${unit}`];
  return label && { ...label, zh: `${PHASE[which]}${label.zh}`, en: `${label.en} ${PHASE_EN[which]}` };
}

/** Every label, for pages that look fields up in the browser. */
export function fieldLabels(fields: Iterable<string>): Record<string, FieldLabel> {
  const result: Record<string, FieldLabel> = {};
  for (const field of fields) {
    const label = fieldLabel(field);
    if (label) result[field] = label;
  }
  return result;
}
