import { rowsOf, type ManagedInfluxd } from '../../stack/index.js';

/**
 * Points influxd has accepted over HTTP since it started (`SHOW STATS`, httpd module,
 * `pointsWrittenOK`): a consumer's progress read from the storage side, the same way for
 * every consumer and without asking the consumer (ingest's /metrics page costs it CPU).
 */
export async function pointsWrittenOk(influxd: ManagedInfluxd): Promise<number> {
  const rows = rowsOf(await influxd.query('_internal', "SHOW STATS FOR 'httpd'"));
  return rows.reduce((sum, row) => sum + Number(row.pointsWrittenOK ?? 0), 0);
}
