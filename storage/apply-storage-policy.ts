import { ROLLED_UP, ROLLUP_LEVELS, continuousQuery, continuousQueryName, sourceRpOf } from './rollups.js';
import { resultRows, runStatement, type InfluxAdminTarget } from './influx-admin.js';
import { durationMs, shardDuration, type StoragePolicy } from './storage-policy.js';
import { RANGE_POLICY, rangePolicyLines } from './range-policy.js';

export interface AppliedStorage {
  /** The database's default retention policy, which holds raw points. */
  rawRp: string;
  /** What this call changed, one line each (empty when all was in place). */
  changes: string[];
}

/** Go duration text as SHOW RETENTION POLICIES prints it (`2160h0m0s`, `0s` = forever) → ms. */
function goDurationMs(text: string): number {
  if (text === '0s') return Number.POSITIVE_INFINITY;
  let ms = 0;
  for (const [, value, unit] of text.matchAll(/([0-9.]+)(h|m|s)/g)) {
    ms += Number(value) * { h: 3_600_000, m: 60_000, s: 1000 }[unit as 'h' | 'm' | 's'];
  }
  return ms;
}

/** SHOW CONTINUOUS QUERIES prints identifiers unquoted where it can. */
const normalise = (statement: string) => statement.replace(/"/g, '').replace(/\s+/g, ' ').trim();

/**
 * Makes an InfluxDB 1.x database keep raw points for `policy.raw` and roll-ups for years:
 * alters the default retention policy, creates (or alters) one per roll-up level,
 * creates each continuous query (dropping and re-creating one whose text changed, e.g.
 * after a new meter profile added fields) and records which policy serves which
 * dashboard range. Idempotent: a second call changes nothing. Several ingest workers
 * may call it at once; a statement another one ran first is no error.
 */
export async function applyStoragePolicy(
  target: InfluxAdminTarget,
  database: string,
  policy: StoragePolicy,
  nowMs = Date.now(),
): Promise<AppliedStorage> {
  const changes: string[] = [];
  const db = `"${database.replace(/"/g, '')}"`;
  await runStatement(target, undefined, `CREATE DATABASE ${db}`);
  const policies = resultRows(await runStatement(target, database, `SHOW RETENTION POLICIES ON ${db}`));
  const rawRow = policies.find((p) => p.default === true);
  if (!rawRow) throw new Error(`database ${database} has no default retention policy`);
  const rawRp = String(rawRow.name);
  const wanted = [
    { name: rawRp, duration: policy.raw, isDefault: true },
    { name: 'rollup_1m', duration: policy.rollup1m, isDefault: false },
    { name: 'rollup_1h', duration: policy.rollup1h, isDefault: false },
  ];
  for (const rp of wanted) {
    const existing = policies.find((p) => p.name === rp.name);
    const spec = `DURATION ${rp.duration} REPLICATION 1 SHARD DURATION ${shardDuration(rp.duration)}`;
    if (!existing) {
      await runStatement(target, database, `CREATE RETENTION POLICY "${rp.name}" ON ${db} ${spec}`);
      changes.push(`created retention policy ${rp.name} (${rp.duration})`);
    } else if (goDurationMs(String(existing.duration)) !== durationMs(rp.duration)) {
      await runStatement(target, database, `ALTER RETENTION POLICY "${rp.name}" ON ${db} ${spec}`);
      changes.push(`retention policy ${rp.name}: ${String(existing.duration)} → ${rp.duration}`);
    }
  }

  const shown = await runStatement(target, database, 'SHOW CONTINUOUS QUERIES');
  const existingCqs = new Map(
    (shown.series ?? [])
      .filter((s) => s.name === database)
      .flatMap((s) => (s.values ?? []).map((v) => [String(v[0]), String(v[1])] as const)),
  );
  for (const level of ROLLUP_LEVELS) {
    for (const measurement of ROLLED_UP) {
      const name = continuousQueryName(measurement, level);
      const statement = continuousQuery(database, measurement, level, sourceRpOf(level, rawRp));
      const current = existingCqs.get(name);
      if (current !== undefined && normalise(current) === normalise(statement)) continue;
      if (current !== undefined)
        await runStatement(target, database, `DROP CONTINUOUS QUERY "${name}" ON ${db}`);
      try {
        await runStatement(target, database, statement);
      } catch (error) {
        // another ingest worker created it between our SHOW and CREATE
        if (!/already exists/.test((error as Error).message)) throw error;
      }
      changes.push(`${current === undefined ? 'created' : 're-created'} continuous query ${name}`);
    }
  }

  await writeLines(target, database, RANGE_POLICY.rp, rangePolicyLines(rawRp, nowMs));
  return { rawRp, changes };
}

async function writeLines(
  target: InfluxAdminTarget,
  database: string,
  rp: string,
  lines: string[],
): Promise<void> {
  const params = new URLSearchParams({ db: database, rp, precision: 'ms' });
  if (target.username) params.set('u', target.username);
  if (target.password) params.set('p', target.password);
  const response = await fetch(`${target.url.replace(/\/$/, '')}/write?${params}`, {
    method: 'POST',
    body: lines.join('\n'),
    signal: AbortSignal.timeout(target.timeoutMs ?? 60_000),
  });
  if (response.status !== 204)
    throw new Error(`writing ${rp} answered ${response.status}: ${await response.text()}`);
}
