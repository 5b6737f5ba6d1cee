import {
  fieldRole,
  resultRows,
  runStatement,
  type InfluxAdminTarget,
  type MeasurementName,
} from '../storage/index.js';

/** One device's minute: the roll-up fields (`voltage_v`, `voltage_v_min`, `import_energy_kwh`, `samples`). */
export interface Minute {
  t: number;
  v: Readonly<Record<string, number>>;
}

/** device id → its minutes in time order. */
export type MinutesByDevice = Map<string, Minute[]>;

export interface MinuteSource {
  target: InfluxAdminTarget;
  database: string;
  /** The default (raw) retention policy, or `rollup_1m`. */
  rp: string;
  kind: 'raw' | 'rollup_1m';
}

const DAY_MS = 86_400_000;

function quote(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/**
 * Minutes of every device of a site in [fromMs, toMs), a day per query: from raw points
 * with the 1-minute roll-up's own columns, or from the roll-up itself, so both give the
 * same shape (and, for the same points, the same numbers).
 */
export async function fetchMinutes(
  source: MinuteSource,
  site: string,
  measurement: 'electricity' | 'water',
  fromMs: number,
  toMs: number,
): Promise<MinutesByDevice> {
  const byDevice: MinutesByDevice = new Map();
  const db = `"${source.database}"`;
  const columns = minuteColumns(measurement, source.kind);
  for (let start = fromMs; start < toMs; start += DAY_MS) {
    const end = Math.min(start + DAY_MS, toMs);
    const where = `"site" = ${quote(site)} AND time >= ${start}ms AND time < ${end}ms`;
    const statement =
      source.kind === 'raw'
        ? `SELECT ${columns} FROM ${db}."${source.rp}"."${measurement}" WHERE ${where} GROUP BY time(1m), "device" fill(none)`
        : `SELECT ${columns} FROM ${db}."rollup_1m"."${measurement}" WHERE ${where} GROUP BY "device"`;
    for (const row of resultRows(await runStatement(source.target, source.database, statement))) {
      const device = String(row.device);
      const values: Record<string, number> = {};
      for (const [key, value] of Object.entries(row)) {
        if (typeof value === 'number' && key !== 'time') values[key] = value;
      }
      const list = byDevice.get(device) ?? [];
      list.push({ t: Number(row.time), v: values });
      byDevice.set(device, list);
    }
  }
  return byDevice;
}

/** What the report reads of each minute: gauges' means and counters' last values, as the roll-up names them. */
export const REPORT_FIELDS: Readonly<Record<'electricity' | 'water', readonly string[]>> = {
  electricity: [
    'voltage_v',
    'voltage_l1_v',
    'voltage_l2_v',
    'voltage_l3_v',
    'frequency_hz',
    'active_power_w',
    'active_power_kw',
    'import_energy_kwh',
    'total_energy_kwh',
  ],
  water: [
    'flow_m3h',
    'pressure_mpa',
    'turbidity_ntu',
    'water_ph',
    'free_chlorine_mgl',
    'forward_total_m3',
    'settlement_total_m3',
  ],
};

/**
 * The columns of a minute query: from raw points the roll-up's own aggregates (mean of a
 * gauge, last of a counter, count of seq as samples), from the roll-up its fields by name.
 */
function minuteColumns(measurement: 'electricity' | 'water', kind: MinuteSource['kind']): string {
  const fields = REPORT_FIELDS[measurement];
  if (kind === 'rollup_1m') return [...fields, 'samples'].map((f) => `"${f}"`).join(', ');
  return [
    ...fields.map((f) => `${fieldRole(f) === 'counter' ? 'last' : 'mean'}("${f}") AS "${f}"`),
    'count("seq") AS "samples"',
  ].join(', ');
}

/** Each device's last value of `field` before `beforeMs` (a counter's reading at the period's start). */
export async function lastBefore(
  source: MinuteSource,
  site: string,
  measurement: MeasurementName,
  field: string,
  beforeMs: number,
  lookBackMs = 31 * DAY_MS,
): Promise<Map<string, { t: number; v: number }>> {
  const rp = source.kind === 'raw' ? source.rp : 'rollup_1m';
  const statement =
    `SELECT last("${field}") FROM "${source.database}"."${rp}"."${measurement}" ` +
    `WHERE "site" = ${quote(site)} AND time >= ${beforeMs - lookBackMs}ms AND time < ${beforeMs}ms GROUP BY "device"`;
  const found = new Map<string, { t: number; v: number }>();
  for (const row of resultRows(await runStatement(source.target, source.database, statement))) {
    if (typeof row.last === 'number') found.set(String(row.device), { t: Number(row.time), v: row.last });
  }
  return found;
}
