/**
 * Which retention policy a dashboard reads for a given time range: raw points up to two
 * days, 1-minute roll-ups up to a month, hourly ones beyond. Grafana cannot choose by
 * itself, so the choice is data (the `rp_config` measurement) and the boards' `rp`
 * variable asks for it with the range in `$__range_ms`, refreshed on every range change.
 */
export const RANGE_POLICY = {
  /** Where the rows live: the longest-kept policy. */
  rp: 'rollup_1h',
  measurement: 'rp_config',
  rawUpToMs: 2 * 86_400_000,
  minuteUpToMs: 31 * 86_400_000,
} as const;

/** The default retention policy of a database InfluxDB 1.x creates, where raw points go. */
export const DEFAULT_RAW_RP = 'autogen';

/** No dashboard range is longer: the hourly roll-up's row ends here. */
const FOREVER_MS = 1e15;

export function rangePolicyLines(rawRp: string, nowMs: number): string[] {
  const rows = [
    { level: 'raw', rp: rawRp, from: 0, to: RANGE_POLICY.rawUpToMs },
    { level: '1m', rp: 'rollup_1m', from: RANGE_POLICY.rawUpToMs, to: RANGE_POLICY.minuteUpToMs },
    { level: '1h', rp: 'rollup_1h', from: RANGE_POLICY.minuteUpToMs, to: FOREVER_MS },
  ];
  return rows.map(
    (r) =>
      `${RANGE_POLICY.measurement},level=${r.level} rp="${r.rp}",from_range_ms=${r.from},to_range_ms=${r.to} ${nowMs}`,
  );
}

/** The `rp` variable's query: the policy whose range bracket holds the dashboard's range. */
export const RANGE_POLICY_QUERY =
  `SELECT last("rp") FROM "${RANGE_POLICY.rp}"."${RANGE_POLICY.measurement}" ` +
  `WHERE "from_range_ms" < $__range_ms AND "to_range_ms" >= $__range_ms`;
