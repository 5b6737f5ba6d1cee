import { rowsOf, type ManagedInfluxd } from '../../stack/index.js';

/**
 * Telemetry points stored in `[fromTs, toTs)` (ms), summed over every measurement
 * (each telemetry point carries an integer `seq` field).
 */
export async function countPoints(
  influxd: ManagedInfluxd,
  database: string,
  fromTs: number,
  toTs: number,
): Promise<number> {
  const result = await influxd.query(
    database,
    `SELECT count("seq") FROM /.*/ WHERE time >= ${fromTs}ms AND time < ${toTs}ms`,
  );
  if (result.results.some((r) => r.error?.includes('database not found'))) return 0;
  return rowsOf(result).reduce((sum, row) => sum + Number(row.count ?? 0), 0);
}
