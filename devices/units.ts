/**
 * Field names end in the suffix of their unit (docs/architecture.md: `pressure_mpa`,
 * `energy_kwh`). This table is the only list of units the catalogue may use, so a
 * dashboard or alert rule can tell a field's unit from its name alone.
 */
export const UNITS = {
  v: { symbol: 'V', zh: '伏', grafana: 'volt' },
  a: { symbol: 'A', zh: '安', grafana: 'amp' },
  w: { symbol: 'W', zh: '瓦', grafana: 'watt' },
  kw: { symbol: 'kW', zh: '千瓦', grafana: 'kwatt' },
  kvar: { symbol: 'kvar', zh: '千乏', grafana: 'kvar' },
  kwh: { symbol: 'kWh', zh: '千瓦时', grafana: 'kwatth' },
  hz: { symbol: 'Hz', zh: '赫兹', grafana: 'hertz' },
  ratio: { symbol: '', zh: '', grafana: 'none' },
  m3h: { symbol: 'm³/h', zh: '立方米/时', grafana: 'm3h' },
  m3: { symbol: 'm³', zh: '立方米', grafana: 'm3' },
  mps: { symbol: 'm/s', zh: '米/秒', grafana: 'velocityms' },
  m: { symbol: 'm', zh: '米', grafana: 'lengthm' },
  c: { symbol: '°C', zh: '摄氏度', grafana: 'celsius' },
  mpa: { symbol: 'MPa', zh: '兆帕', grafana: 'suffix: MPa' },
  ntu: { symbol: 'NTU', zh: 'NTU', grafana: 'suffix: NTU' },
  ph: { symbol: 'pH', zh: 'pH', grafana: 'none' },
  mgl: { symbol: 'mg/L', zh: '毫克/升', grafana: 'suffix: mg/L' },
  pct: { symbol: '%', zh: '%', grafana: 'percent' },
  code: { symbol: '', zh: '', grafana: 'none' },
  s: { symbol: 's', zh: '秒', grafana: 's' },
} as const;

export type UnitSuffix = keyof typeof UNITS;
export const UNIT_SUFFIXES = Object.keys(UNITS) as UnitSuffix[];

/** The unit suffix a field name ends with, or undefined. */
export function unitOfField(field: string): UnitSuffix | undefined {
  const suffix = field.slice(field.lastIndexOf('_') + 1);
  return (UNIT_SUFFIXES as string[]).includes(suffix) && field.includes('_')
    ? (suffix as UnitSuffix)
    : undefined;
}
