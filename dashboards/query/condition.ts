import { quoteIdentifier, quoteString, regexOfValues, regexOfVariable } from './influxql-text.js';

export type ComparisonOperator = '=' | '!=' | '<' | '<=' | '>' | '>=';

/** One WHERE condition; a query ANDs its conditions. */
export type Condition =
  | { kind: 'tag-variable'; tag: string; variable: string }
  | { kind: 'tag-in'; tag: string; values: readonly string[]; negate: boolean }
  | { kind: 'field-compare'; field: string; operator: ComparisonOperator; value: number | string }
  | { kind: 'time-filter' };

/** `"zone" =~ /^$zone$/`: follows a Grafana template variable (multi-value and "All" included). */
export function tagMatchesVariable(tag: string, variable = tag): Condition {
  regexOfVariable(variable);
  return { kind: 'tag-variable', tag, variable };
}

/** `"type" =~ /^(fire_alarm|fire_fault)$/`. */
export function tagIn(tag: string, values: readonly string[]): Condition {
  if (values.length === 0) throw new Error(`tagIn("${tag}") needs at least one value`);
  regexOfValues(values);
  return { kind: 'tag-in', tag, values, negate: false };
}

export function tagNotIn(tag: string, values: readonly string[]): Condition {
  return { ...(tagIn(tag, values) as Extract<Condition, { kind: 'tag-in' }>), negate: true };
}

export function fieldCompare(field: string, operator: ComparisonOperator, value: number | string): Condition {
  return { kind: 'field-compare', field, operator, value };
}

/** Grafana's `$timeFilter` macro: the dashboard's time range. */
export const TIME_FILTER: Condition = { kind: 'time-filter' };

export function renderCondition(condition: Condition): string {
  switch (condition.kind) {
    case 'tag-variable':
      return `${quoteIdentifier(condition.tag)} =~ ${regexOfVariable(condition.variable)}`;
    case 'tag-in':
      return `${quoteIdentifier(condition.tag)} ${condition.negate ? '!~' : '=~'} ${regexOfValues(condition.values)}`;
    case 'field-compare': {
      const value =
        typeof condition.value === 'number' ? String(condition.value) : quoteString(condition.value);
      return `${quoteIdentifier(condition.field)} ${condition.operator} ${value}`;
    }
    case 'time-filter':
      return '$timeFilter';
  }
}
