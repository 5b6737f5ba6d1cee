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
 * The progress lines `npm start` prints, one per answer to {@link progressQuery}. InfluxDB answers
 * a statement with no series when a measurement has nothing in the window, so each count is read
 * from its own statement: a measurement without points reads 0 instead of shifting the others
 * left. A minute without readings says why it can be empty: the gateway sends its readings in
 * batches. "None yet" only until the first readings came: a later empty minute (a minute batch
 * landing just past the window) shows its zeros, not a start that never happened.
 */
export class ProgressReport {
  private readingsSeen = false;

  constructor(private readonly batchIntervalS: number | undefined) {}

  line(result: InfluxQueryResult, now = new Date()): string {
    const counts = PROGRESS_MEASUREMENTS.map((_, index) => countOf(result, index));
    const head = `[${now.toISOString()}] 最近一分钟写入 points in the last minute:`;
    const interval = this.batchIntervalS;
    const waiting =
      interval !== undefined && interval > 1
        ? `网关每 ${interval} 秒上传一批 (the gateway sends a batch every ${interval} s)`
        : '等待网关上传 (waiting for the gateway)';
    // The gateway's online status leaves at once; its readings wait for the batch.
    const readings = PROGRESS_MEASUREMENTS.some(
      ({ measurement }, i) => measurement !== 'device_status' && counts[i]! > 0,
    );
    if (!readings && !this.readingsSeen && counts.every((count) => count === 0))
      return `${head} 暂无 none yet — ${waiting}`;
    this.readingsSeen ||= readings;
    const line = `${head} ${PROGRESS_MEASUREMENTS.map(({ label }, i) => `${label} ${counts[i]}`).join(' · ')}`;
    return readings ? line : `${line} — ${waiting}`;
  }
}

function countOf(result: InfluxQueryResult, index: number): number {
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
}
