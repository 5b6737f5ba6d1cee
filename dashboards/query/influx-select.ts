import {
  INFLUX_SCHEMA,
  isMeasurement,
  ROLLED_UP,
  rollupFieldNames,
  type FieldKind,
  type MeasurementName,
} from '../../storage/index.js';
import { renderCondition, TIME_FILTER, timeSince, type Condition } from './condition.js';
import { checkDuration, quoteIdentifier, quoteString } from './influxql-text.js';
import { fieldsOf, isAggregated, NUMERIC_AGGREGATES, tagsOf, type Column } from './select-expression.js';

export type Fill = 'null' | 'none' | 'previous' | 'linear' | number;

/** What a source offers a SELECT: tags to filter and group by, fields to read. */
interface SourceSchema {
  readonly description: string;
  readonly tags: readonly string[];
  readonly fields: Readonly<Record<string, FieldKind>>;
}

/** The hidden variable naming the retention policy that serves the dashboard's range (storage/range-policy.ts). */
export const RP_VARIABLE = 'rp';

/**
 * One InfluxQL SELECT statement composed from typed parts. Nothing is checked until
 * `toInfluxQL()`, which throws on any measurement, field or tag the schema derived from
 * devices/ and contracts/ does not know, so a dashboard with a typo cannot be generated.
 */
export class InfluxSelect {
  private columns: Column[] = [];
  private conditions: Condition[] = [TIME_FILTER];
  private timeBucket: { interval: string; offset?: string } | undefined;
  private groupTags: string[] = [];
  private fillValue: Fill | undefined;
  private timezone: string | undefined;
  private descending = false;
  private rowLimit: number | undefined;

  private constructor(
    private readonly measurement: MeasurementName | undefined,
    private readonly subqueries: readonly InfluxSelect[],
  ) {}

  static from(measurement: MeasurementName): InfluxSelect {
    if (!isMeasurement(measurement)) throw new Error(`unknown measurement "${String(measurement)}"`);
    return new InfluxSelect(measurement, []);
  }

  /**
   * Several subqueries as one source (`FROM (…), (…)`): their rows merge, so readings
   * of meter models that name the same quantity differently (kW vs W) add up per zone.
   */
  static fromSubqueries(...subqueries: InfluxSelect[]): InfluxSelect {
    if (subqueries.length === 0) throw new Error('fromSubqueries needs at least one subquery');
    return new InfluxSelect(undefined, subqueries);
  }

  select(...columns: Column[]): this {
    this.columns.push(...columns);
    return this;
  }

  where(...conditions: Condition[]): this {
    this.conditions.push(...conditions);
    return this;
  }

  /** Replaces the dashboard's range with a fixed look-back: `time > now() - 90d`. */
  lookBack(duration: string): this {
    this.conditions = [timeSince(duration), ...this.conditions.filter((c) => c !== TIME_FILTER)];
    return this;
  }

  groupByTime(interval = '$__interval', offset?: string): this {
    this.timeBucket = {
      interval: checkDuration(interval),
      ...(offset ? { offset: checkDuration(offset) } : {}),
    };
    return this;
  }

  groupBy(...tags: string[]): this {
    this.groupTags.push(...tags);
    return this;
  }

  fill(fill: Fill): this {
    this.fillValue = fill;
    return this;
  }

  /** Buckets of a day start at local midnight (InfluxQL `tz()`), e.g. `Asia/Shanghai`. */
  tz(timezone: string): this {
    if (!/^[A-Za-z_]+(\/[A-Za-z_]+)*$/.test(timezone)) throw new Error(`"${timezone}" is not a tz name`);
    this.timezone = timezone;
    return this;
  }

  orderByTimeDesc(): this {
    this.descending = true;
    return this;
  }

  limit(rows: number): this {
    if (!Number.isInteger(rows) || rows <= 0) throw new Error('limit must be a positive integer');
    this.rowLimit = rows;
    return this;
  }

  /** The schema this statement's result offers to an outer query. */
  outputSchema(): SourceSchema {
    const fields: Record<string, FieldKind> = {};
    for (const column of this.columns) {
      const name = column.outputName;
      if (name === undefined) throw new Error('a column of a subquery needs an alias');
      fields[name] = 'number';
    }
    return { description: 'subquery', tags: [...this.groupTags], fields };
  }

  /** Measurements this statement (and its subqueries) reads. */
  measurements(): MeasurementName[] {
    return this.measurement ? [this.measurement] : this.subqueries.flatMap((s) => s.measurements());
  }

  /**
   * A statement bucketed by time over a rolled-up measurement reads `"$rp"."water"`: raw
   * points for short ranges, 1-minute or hourly roll-ups for long ones. Roll-ups keep a
   * gauge's mean and a counter's last value under the field's own name, so the same text
   * works on all three; a fixed look-back (what is open now) reads raw points.
   */
  readsRollups(): boolean {
    return (
      this.measurement !== undefined &&
      ROLLED_UP.includes(this.measurement) &&
      this.timeBucket !== undefined &&
      !this.conditions.some((c) => c.kind === 'time-since')
    );
  }

  toInfluxQL(): string {
    const source = this.sourceSchema();
    this.validate(source);
    if (this.readsRollups()) this.validateRollupFields();
    const parts = [`SELECT ${this.columns.map((c) => c.toInfluxQL()).join(', ')}`];
    parts.push(
      this.measurement
        ? `FROM ${this.readsRollups() ? `${quoteIdentifier(`$${RP_VARIABLE}`)}.` : ''}${quoteIdentifier(this.measurement)}`
        : `FROM ${this.subqueries.map((s) => `(${s.toInfluxQL()})`).join(', ')}`,
    );
    parts.push(`WHERE ${this.conditions.map(renderCondition).join(' AND ')}`);
    const groups = [
      ...(this.timeBucket
        ? [`time(${this.timeBucket.interval}${this.timeBucket.offset ? `, ${this.timeBucket.offset}` : ''})`]
        : []),
      ...this.groupTags.map(quoteIdentifier),
    ];
    if (groups.length > 0) parts.push(`GROUP BY ${groups.join(', ')}`);
    if (this.fillValue !== undefined) parts.push(`fill(${this.fillValue})`);
    if (this.descending) parts.push('ORDER BY time DESC');
    if (this.rowLimit !== undefined) parts.push(`LIMIT ${this.rowLimit}`);
    if (this.timezone) parts.push(`tz(${quoteString(this.timezone)})`);
    return parts.join(' ');
  }

  private sourceSchema(): SourceSchema {
    if (this.measurement)
      return { description: `measurement "${this.measurement}"`, ...INFLUX_SCHEMA[this.measurement] };
    const outputs = this.subqueries.map((s) => s.outputSchema());
    const first = JSON.stringify(outputs[0]);
    if (outputs.some((o) => JSON.stringify(o) !== first)) {
      throw new Error(
        'subqueries merged into one source must select the same columns and group by the same tags',
      );
    }
    return outputs[0] as SourceSchema;
  }

  private validate(source: SourceSchema): void {
    const where = source.description;
    if (this.columns.length === 0) throw new Error(`query on ${where} selects nothing`);
    for (const column of this.columns) {
      for (const { field, aggregate } of fieldsOf(column.expression)) {
        const kind = source.fields[field];
        if (kind === undefined) {
          throw new Error(
            `unknown field "${field}" in ${where}; known: ${Object.keys(source.fields).join(', ')}`,
          );
        }
        if (kind === 'string' && aggregate && NUMERIC_AGGREGATES.includes(aggregate)) {
          throw new Error(`${aggregate}() of string field "${field}" in ${where}`);
        }
      }
      for (const tag of tagsOf(column.expression)) this.checkTag(source, tag);
    }
    const aggregated = this.columns.map((c) => isAggregated(c.expression));
    if (aggregated.some(Boolean) && !aggregated.every(Boolean)) {
      throw new Error(`query on ${where} mixes aggregated and raw columns`);
    }
    if (this.timeBucket && !aggregated.every(Boolean))
      throw new Error('GROUP BY time() needs aggregated columns');
    for (const condition of this.conditions) {
      if (condition.kind === 'tag-variable' || condition.kind === 'tag-in')
        this.checkTag(source, condition.tag);
      if (
        (condition.kind === 'field-compare' || condition.kind === 'field-variable') &&
        source.fields[condition.field] === undefined
      ) {
        throw new Error(`unknown field "${condition.field}" in WHERE of ${where}`);
      }
    }
    for (const tag of this.groupTags) this.checkTag(source, tag);
  }

  /** Only aggregates whose meaning a roll-up keeps: no count() (a roll-up counts buckets), no seq. */
  private validateRollupFields(): void {
    const kept = new Set(rollupFieldNames(this.measurement as MeasurementName));
    for (const column of this.columns) {
      for (const { field, aggregate } of fieldsOf(column.expression)) {
        if (!kept.has(field) || aggregate === 'count') {
          throw new Error(
            `${aggregate ?? 'raw'}(${field}) on "${this.measurement}" cannot be read from the roll-ups; ` +
              'use lookBack() for a raw-only query',
          );
        }
      }
    }
    for (const condition of this.conditions) {
      if (condition.kind === 'field-compare' || condition.kind === 'field-variable') {
        throw new Error(`a WHERE on field "${condition.field}" cannot be read from the roll-ups`);
      }
    }
  }

  private checkTag(source: SourceSchema, tag: string): void {
    if (!source.tags.includes(tag)) {
      throw new Error(`unknown tag "${tag}" in ${source.description}; known: ${source.tags.join(', ')}`);
    }
  }
}

export const from = InfluxSelect.from;
export const fromSubqueries = InfluxSelect.fromSubqueries;
