import type { InfluxQueryResult } from './managed-influxd.js';

/** What `npm start` counts each 15 s, in the order it prints them. */
export const PROGRESS_MEASUREMENTS = [
  { measurement: 'water', label: '用水 water' },
  { measurement: 'electricity', label: '用电 electricity' },
  { measurement: 'safety_event', label: '安全 safety' },
  { measurement: 'device_status', label: '状态 status' },
] as const;

/** One query with a statement per measurement: points stored in the last minute. */
export function progressQuery(): string {
  return PROGRESS_MEASUREMENTS.map(
    ({ measurement }) => `SELECT count(*) FROM "${measurement}" WHERE time > now() - 1m`,
  ).join('; ');
}

/**
 * The progress line for one answer to {@link progressQuery}. InfluxDB answers a statement with no
 * series when a measurement has nothing in the window, so each count is read from its own statement:
 * a measurement without points reads 0 instead of shifting the others left. When nothing arrived
 * yet the line says why the first minute can be empty: the gateway sends its readings in batches.
 */
export function progressLine(
  result: InfluxQueryResult,
  batchIntervalS: number | undefined,
  now = new Date(),
): string {
  const counts = PROGRESS_MEASUREMENTS.map((_, index) => {
    const statement = result.results.find((r) => r.statement_id === index) ?? result.results[index];
    if (statement?.error) throw new Error(statement.error);
    let most = 0;
    for (const series of statement?.series ?? []) {
      for (const values of series.values) {
        series.columns.forEach((column, i) => {
          if (column.startsWith('count_')) most = Math.max(most, Number(values[i]));
        });
      }
    }
    return most;
  });
  const head = `[${now.toISOString()}] 最近一分钟写入 points in the last minute:`;
  const waiting =
    batchIntervalS !== undefined && batchIntervalS > 1
      ? `网关每 ${batchIntervalS} 秒上传一批 (the gateway sends a batch every ${batchIntervalS} s)`
      : '等待网关上传 (waiting for the gateway)';
  if (counts.every((count) => count === 0)) return `${head} 暂无 none yet — ${waiting}`;
  const line = `${head} ${PROGRESS_MEASUREMENTS.map(({ label }, i) => `${label} ${counts[i]}`).join(' · ')}`;
  // The gateway's online status leaves at once; its readings wait for the first batch.
  const readingsYet = PROGRESS_MEASUREMENTS.some(
    ({ measurement }, i) => measurement !== 'device_status' && counts[i]! > 0,
  );
  return readingsYet ? line : `${line} — ${waiting}`;
}
