import { quoteIdentifier } from './influxql-text.js';

/** Aggregates and selectors of InfluxQL that the dashboards use. */
export type Aggregate = 'mean' | 'median' | 'min' | 'max' | 'first' | 'last' | 'sum' | 'count' | 'spread';
/** Transformations applied on top of an aggregate (InfluxQL "Transformations"). */
export type Transformation = 'difference' | 'non_negative_difference' | 'cumulative_sum';
export type Operator = '+' | '-' | '*' | '/';

/** Aggregates that need a numeric field; `count`, `first`, `last` work on strings too. */
export const NUMERIC_AGGREGATES: readonly Aggregate[] = ['mean', 'median', 'min', 'max', 'sum', 'spread'];

export type Expression =
  | { kind: 'field'; field: string; aggregate?: Aggregate; transformation?: Transformation }
  | { kind: 'tag'; tag: string }
  | { kind: 'number'; value: number }
  | { kind: 'binary'; operator: Operator; left: Expression; right: Expression };

/**
 * One column of a SELECT: an expression and its alias. Immutable: every method returns
 * a new column, so a shared column (`field('flow_m3h')`) can be reused safely.
 */
export class Column {
  constructor(
    readonly expression: Expression,
    readonly alias?: string,
  ) {}

  private aggregated(aggregate: Aggregate): Column {
    const e = this.expression;
    if (e.kind !== 'field' || e.aggregate) throw new Error(`${aggregate}() applies to a plain field`);
    return new Column({ ...e, aggregate }, this.alias);
  }

  mean(): Column {
    return this.aggregated('mean');
  }
  median(): Column {
    return this.aggregated('median');
  }
  min(): Column {
    return this.aggregated('min');
  }
  max(): Column {
    return this.aggregated('max');
  }
  first(): Column {
    return this.aggregated('first');
  }
  last(): Column {
    return this.aggregated('last');
  }
  sum(): Column {
    return this.aggregated('sum');
  }
  count(): Column {
    return this.aggregated('count');
  }
  spread(): Column {
    return this.aggregated('spread');
  }

  /** Increase per interval of a counter that restarts at zero (gateway poll counters). */
  nonNegativeDifference(): Column {
    return this.transformed('non_negative_difference');
  }
  difference(): Column {
    return this.transformed('difference');
  }
  cumulativeSum(): Column {
    return this.transformed('cumulative_sum');
  }

  private transformed(transformation: Transformation): Column {
    const e = this.expression;
    if (e.kind !== 'field' || !e.aggregate || e.transformation) {
      throw new Error(`${transformation}() applies to an aggregated field (InfluxQL needs GROUP BY time)`);
    }
    return new Column({ ...e, transformation }, this.alias);
  }

  plus(other: Column | number): Column {
    return this.binary('+', other);
  }
  minus(other: Column | number): Column {
    return this.binary('-', other);
  }
  times(other: Column | number): Column {
    return this.binary('*', other);
  }
  dividedBy(other: Column | number): Column {
    return this.binary('/', other);
  }

  private binary(operator: Operator, other: Column | number): Column {
    const right: Expression = typeof other === 'number' ? { kind: 'number', value: other } : other.expression;
    return new Column({ kind: 'binary', operator, left: this.expression, right }, this.alias);
  }

  as(alias: string): Column {
    if (!/^[a-z][a-z0-9_]*$/.test(alias)) throw new Error(`alias "${alias}" must be snake_case`);
    return new Column(this.expression, alias);
  }

  toInfluxQL(): string {
    const text = render(this.expression);
    return this.alias ? `${text} AS ${quoteIdentifier(this.alias)}` : text;
  }

  /** The column name InfluxDB gives this column in results (what an outer query selects). */
  get outputName(): string | undefined {
    if (this.alias) return this.alias;
    const e = this.expression;
    if (e.kind === 'tag') return e.tag;
    if (e.kind === 'field') return e.transformation ?? e.aggregate ?? e.field;
    return undefined;
  }
}

function render(e: Expression): string {
  switch (e.kind) {
    case 'tag':
      return quoteIdentifier(e.tag);
    case 'number':
      return String(e.value);
    case 'field': {
      let text = quoteIdentifier(e.field);
      if (e.aggregate) text = `${e.aggregate}(${text})`;
      if (e.transformation) text = `${e.transformation}(${text})`;
      return text;
    }
    case 'binary':
      return `(${render(e.left)} ${e.operator} ${render(e.right)})`;
  }
}

/** Every field/aggregate pair an expression reads, for validation. */
export function fieldsOf(e: Expression): Array<{ field: string; aggregate?: Aggregate }> {
  if (e.kind === 'field') return [{ field: e.field, ...(e.aggregate ? { aggregate: e.aggregate } : {}) }];
  if (e.kind === 'binary') return [...fieldsOf(e.left), ...fieldsOf(e.right)];
  return [];
}

export function tagsOf(e: Expression): string[] {
  if (e.kind === 'tag') return [e.tag];
  if (e.kind === 'binary') return [...tagsOf(e.left), ...tagsOf(e.right)];
  return [];
}

export function isAggregated(e: Expression): boolean {
  if (e.kind === 'field') return e.aggregate !== undefined;
  if (e.kind === 'binary') return isAggregated(e.left) || isAggregated(e.right);
  return false;
}

/** A field column: `field('flow_m3h').mean().as('flow')`. */
export function field(name: string): Column {
  return new Column({ kind: 'field', field: name });
}

/** A tag column, for raw (table) queries: `tag('device')`. */
export function tag(name: string): Column {
  return new Column({ kind: 'tag', tag: name });
}
