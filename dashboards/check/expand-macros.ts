import { DEFAULT_RAW_RP, durationMs } from '../../storage/index.js';

/** What Grafana substitutes into an InfluxQL query before sending it. */
export interface MacroValues {
  /** Dashboard range as an InfluxQL duration: `$timeFilter` → `time > now() - 1h`. */
  range: string;
  /** `$__interval` → this duration. */
  interval: string;
  /** Template variable → regex body; unknown variables match everything (`.*`, like "All"). */
  variables?: Readonly<Record<string, string>>;
}

export const DEFAULT_MACROS: MacroValues = { range: '1h', interval: '1m' };

/** Expands Grafana's InfluxDB macros and template variables the way the data source does for a query. */
export function expandGrafanaMacros(query: string, values: MacroValues = DEFAULT_MACROS): string {
  return query
    .replace(/\$timeFilter/g, `time > now() - ${values.range}`)
    .replace(/\$__range_ms/g, String(rangeMs(values.range)))
    .replace(/\$__interval/g, values.interval)
    .replace(
      /\$([a-z_][a-z0-9_]*)/g,
      (_, name: string) => values.variables?.[name] ?? (name === 'rp' ? DEFAULT_RAW_RP : '.*'),
    );
}

/** `15m`, `1h`, `7d` → ms. */
function rangeMs(range: string): number {
  const minutes = /^([0-9]+)m$/.exec(range);
  return minutes ? Number(minutes[1]) * 60_000 : durationMs(range);
}
