import { ROLLED_UP, ROLLUP_LEVELS, rollupSelect, sourceRpOf, type RollupLevel } from './rollups.js';
import { resultRows, runStatement, type InfluxAdminTarget } from './influx-admin.js';
import { durationMs } from './storage-policy.js';

const DAY_MS = 86_400_000;

/**
 * Fills the roll-ups for [fromMs, toMs) with the continuous queries' own SELECT … INTO
 * text, a day at a time: after an upgrade (points older than the continuous queries),
 * or after an uplink outage whose points arrived later than the queries' resample window.
 * Each chunk starts one bucket early so its first bucket's increase has a predecessor.
 * Returns the points written per level.
 */
export async function backfillRollups(
  target: InfluxAdminTarget,
  database: string,
  rawRp: string,
  fromMs: number,
  toMs: number,
  levels: readonly RollupLevel[] = ROLLUP_LEVELS,
): Promise<Record<string, number>> {
  const written: Record<string, number> = {};
  for (const level of levels) {
    const bucket = durationMs(level.interval);
    const start = Math.floor(fromMs / bucket) * bucket;
    const end = Math.ceil(toMs / bucket) * bucket;
    let count = 0;
    for (let chunk = start; chunk < end; chunk += DAY_MS) {
      const chunkEnd = Math.min(chunk + DAY_MS, end);
      for (const measurement of ROLLED_UP) {
        const statement =
          `${rollupSelect(database, measurement, level, sourceRpOf(level, rawRp))} ` +
          `WHERE time >= ${chunk - bucket}ms AND time < ${chunkEnd}ms GROUP BY time(${level.interval}), *`;
        const rows = resultRows(await runStatement(target, database, statement));
        count += rows.reduce((sum, row) => sum + Number(row.written ?? 0), 0);
      }
    }
    written[level.rp] = count;
  }
  return written;
}
