import { unitOfField } from '../devices/index.js';
import { INFLUX_SCHEMA, type MeasurementName } from './influx-schema.js';

/**
 * Roll-ups: what InfluxDB keeps for years once raw points expire. A gauge keeps its mean
 * under its own name plus `<field>_min` and `<field>_max`; a counter (an energy or volume
 * register, a running count) keeps its last value under its own name plus
 * `<field>_increase`, the rise since the previous bucket (negative steps, i.e. resets,
 * count as nothing); `samples` counts the readings behind each bucket. Keeping the raw
 * names for mean and last lets one dashboard query read raw points or a roll-up alike.
 */
export const ROLLED_UP: readonly MeasurementName[] = [
  'water',
  'electricity',
  'device_status',
  'gateway_health',
];

export type FieldRole = 'gauge' | 'counter';

export interface RollupLevel {
  /** Retention policy name. */
  rp: 'rollup_1m' | 'rollup_1h';
  interval: '1m' | '1h';
  /** Each run recomputes this much, so a bucket whose successor arrived late is finished. */
  resampleFor: string;
}

export const ROLLUP_LEVELS: readonly RollupLevel[] = [
  { rp: 'rollup_1m', interval: '1m', resampleFor: '3m' },
  { rp: 'rollup_1h', interval: '1h', resampleFor: '2h' },
];

/** Fields that are not measurements of anything: sequence numbers are counted as `samples`. */
const NOT_ROLLED = new Set(['seq']);

/** Registers that only count up: energy (kWh), volume (m³) and running counts (`poll_ok_count`). */
export function fieldRole(field: string): FieldRole {
  const unit = unitOfField(field);
  return unit === 'kwh' || unit === 'm3' || field.endsWith('_count') ? 'counter' : 'gauge';
}

/** Numeric fields of a rolled-up measurement, with their role. */
export function rolledFields(measurement: MeasurementName): Array<{ field: string; role: FieldRole }> {
  return Object.entries(INFLUX_SCHEMA[measurement].fields)
    .filter(([field, kind]) => kind === 'number' && !NOT_ROLLED.has(field))
    .map(([field]) => ({ field, role: fieldRole(field) }));
}

/** Field names a roll-up of `measurement` holds (what a query may read from it). */
export function rollupFieldNames(measurement: MeasurementName): string[] {
  const names = rolledFields(measurement).flatMap(({ field, role }) =>
    role === 'gauge' ? [field, `${field}_min`, `${field}_max`] : [field, `${field}_increase`],
  );
  return 'seq' in INFLUX_SCHEMA[measurement].fields ? [...names, 'samples'] : names;
}

function q(identifier: string): string {
  return `"${identifier.replace(/"/g, '\\"')}"`;
}

/** The columns one roll-up level computes, as the level below names its fields. */
export function rollupColumns(measurement: MeasurementName, level: RollupLevel): string[] {
  const fromRaw = level.interval === '1m';
  const columns = rolledFields(measurement).flatMap(({ field, role }) => {
    if (role === 'counter') {
      return [
        `last(${q(field)}) AS ${q(field)}`,
        fromRaw
          ? `non_negative_difference(last(${q(field)})) AS ${q(`${field}_increase`)}`
          : `sum(${q(`${field}_increase`)}) AS ${q(`${field}_increase`)}`,
      ];
    }
    return [
      `mean(${q(field)}) AS ${q(field)}`,
      `min(${q(fromRaw ? field : `${field}_min`)}) AS ${q(`${field}_min`)}`,
      `max(${q(fromRaw ? field : `${field}_max`)}) AS ${q(`${field}_max`)}`,
    ];
  });
  if ('seq' in INFLUX_SCHEMA[measurement].fields) {
    columns.push(fromRaw ? `count("seq") AS "samples"` : `sum("samples") AS "samples"`);
  }
  return columns;
}

/**
 * The SELECT … INTO that fills one roll-up level from the level below (raw points for
 * the 1-minute level, 1-minute buckets for the hourly one). The continuous query runs it
 * on schedule; a backfill runs the same text with a time range.
 */
export function rollupSelect(
  database: string,
  measurement: MeasurementName,
  level: RollupLevel,
  sourceRp: string,
): string {
  return (
    `SELECT ${rollupColumns(measurement, level).join(', ')} INTO ${q(database)}.${q(level.rp)}.${q(measurement)} ` +
    `FROM ${q(database)}.${q(sourceRp)}.${q(measurement)}`
  );
}

export function continuousQueryName(measurement: MeasurementName, level: RollupLevel): string {
  return `cq_${measurement}_${level.interval}`;
}

/** `CREATE CONTINUOUS QUERY …` for one measurement and level, as SHOW CONTINUOUS QUERIES prints it back. */
export function continuousQuery(
  database: string,
  measurement: MeasurementName,
  level: RollupLevel,
  sourceRp: string,
): string {
  return (
    `CREATE CONTINUOUS QUERY ${continuousQueryName(measurement, level)} ON ${database} ` +
    `RESAMPLE EVERY ${level.interval} FOR ${level.resampleFor} BEGIN ` +
    `${rollupSelect(database, measurement, level, sourceRp)} GROUP BY time(${level.interval}), * END`
  );
}

/** The retention policy each level reads from: raw points, then the level below. */
export function sourceRpOf(level: RollupLevel, rawRp: string): string {
  const index = ROLLUP_LEVELS.indexOf(level);
  return index <= 0 ? rawRp : (ROLLUP_LEVELS[index - 1] as RollupLevel).rp;
}
