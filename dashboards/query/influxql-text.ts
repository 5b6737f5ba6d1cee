/** Quoting for InfluxQL text (InfluxQL spec: identifiers in double quotes, strings in single quotes). */
export function quoteIdentifier(name: string): string {
  return `"${name.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

export function quoteString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** Tag values dashboards filter on are ids (contracts/ids.ts), so a regex of them never needs escaping. */
const REGEX_SAFE_VALUE = /^[a-z0-9_-]+$/;

export function regexOfValues(values: readonly string[]): string {
  for (const value of values) {
    if (!REGEX_SAFE_VALUE.test(value))
      throw new Error(`"${value}" cannot be put in an InfluxQL regex unescaped`);
  }
  return `/^(${values.join('|')})$/`;
}

/** A Grafana template variable (`$zone`), which Grafana expands to a regex alternation of the chosen values. */
export function regexOfVariable(variable: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(variable)) throw new Error(`"${variable}" is not a template variable name`);
  return `/^$${variable}$/`;
}

/** Durations InfluxQL accepts in `time()` and `now() - …`, or a Grafana interval macro. */
export function checkDuration(duration: string): string {
  if (!/^(\d+(ns|u|µ|ms|s|m|h|d|w)|\$__interval|\$interval)$/.test(duration)) {
    throw new Error(`"${duration}" is not an InfluxQL duration or Grafana interval macro`);
  }
  return duration;
}
