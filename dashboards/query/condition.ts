import {
  checkDuration,
  quoteIdentifier,
  quoteString,
  regexOfValues,
  regexOfVariable,
} from './influxql-text.js';

export type ComparisonOperator = '=' | '!=' | '<' | '<=' | '>' | '>=';

/** One WHERE condition; a query ANDs its conditions. */
export type Condition =
  | { kind: 'tag-variable'; tag: string; variable: string }
  | { kind: 'field-variable'; field: string; variable: string }
  | { kind: 'tag-in'; tag: string; values: readonly string[]; negate: boolean }
  | { kind: 'field-compare'; field: string; operator: ComparisonOperator; value: number | string }
  | { kind: 'time-filter' }
  | { kind: 'time-since'; duration: string };

/** `"zone" =~ /^$zone$/`: follows a Grafana template variable (multi-value and "All" included). */
export function tagMatchesVariable(tag: string, variable = tag): Condition {
  regexOfVariable(variable);
  return { kind: 'tag-variable', tag, variable };
}

/** `"device" =~ /^$device$/` on a string field (the `alert` measurement's device). */
export function fieldMatchesVariable(field: string, variable = field): Condition {
  regexOfVariable(variable);
  return { kind: 'field-variable', field, variable };
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

/** `time > now() - 90d`: a fixed look-back whatever the dashboard's range (what is open now). */
export function timeSince(duration: string): Condition {
  return { kind: 'time-since', duration: checkDuration(duration) };
}

export function renderCondition(condition: Condition): string {
  switch (condition.kind) {
    case 'tag-variable':
      return `${quoteIdentifier(condition.tag)} =~ ${regexOfVariable(condition.variable)}`;
    case 'field-variable':
      return `${quoteIdentifier(condition.field)} =~ ${regexOfVariable(condition.variable)}`;
    case 'tag-in':
      return `${quoteIdentifier(condition.tag)} ${condition.negate ? '!~' : '=~'} ${regexOfValues(condition.values)}`;
    case 'field-compare': {
      const value =
        typeof condition.value === 'number' ? String(condition.value) : quoteString(condition.value);
      return `${quoteIdentifier(condition.field)} ${condition.operator} ${value}`;
    }
    case 'time-filter':
      return '$timeFilter';
    case 'time-since':
      return `time > now() - ${condition.duration}`;
  }
}
