import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManagedInfluxd, rowsOf } from '../../stack/index.js';
import { DEMO_SITE_FILE, SiteRegistry } from '../../site/index.js';
import { checkQueries, queriesOf, type QueryOutcome } from '../check/run-queries.js';
import { buildDashboards } from '../output/generate-dashboards.js';
import { VILLAGE_DATABASE } from '../output/provisioning.js';
import { seedDemoSite } from './seed-demo-site.js';
import { applyStoragePolicy, backfillRollups, storagePolicySchema } from '../../storage/index.js';

/** Each retention policy a board reads, with a range it serves (the seed spans the last 90 minutes). */
const POLICIES = [
  { rp: 'autogen', range: '1h', interval: '1m' },
  { rp: 'rollup_1m', range: '3h', interval: '5m' },
  { rp: 'rollup_1h', range: '3h', interval: '1h' },
] as const;

describe('every dashboard query against a real influxd 1.6', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dashboards-influxd-'));
  const influxd = new ManagedInfluxd({ dataDir: dir, binary: '/usr/bin/influxd' });
  let outcomes: QueryOutcome[] = [];
  const byPolicy = new Map<string, QueryOutcome[]>();

  beforeAll(async () => {
    await influxd.start();
    await influxd.createDatabase(VILLAGE_DATABASE);
    await applyStoragePolicy({ url: influxd.url }, VILLAGE_DATABASE, storagePolicySchema.parse({}));
    const now = Date.now();
    expect(await seedDemoSite(influxd.url, VILLAGE_DATABASE, now)).toBeGreaterThan(1000);
    await backfillRollups({ url: influxd.url }, VILLAGE_DATABASE, 'autogen', now - 3 * 3_600_000, now);
    // English and Chinese boards share most queries (the alert text field differs): each text once.
    const seen = new Set<string>();
    const queries = buildDashboards()
      .sort((a, b) => Number(a.uid?.endsWith('-zh')) - Number(b.uid?.endsWith('-zh')))
      .flatMap((d) => queriesOf(d as Parameters<typeof queriesOf>[0]))
      .filter((q) => !seen.has(q.query) && Boolean(seen.add(q.query)));
    for (const { rp, range, interval } of POLICIES) {
      byPolicy.set(
        rp,
        await checkQueries(influxd.url, VILLAGE_DATABASE, queries, { range, interval, variables: { rp } }),
      );
    }
    outcomes = byPolicy.get('autogen') ?? [];
  });

  afterAll(async () => {
    await influxd.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each(POLICIES)('runs every panel, variable and annotation query on $rp without an error', ({ rp }) => {
    const results = byPolicy.get(rp) ?? [];
    expect(results.length).toBeGreaterThan(50);
    const failures = results
      .filter((o) => !o.ok)
      .map((o) => `${o.dashboard} ${o.source}: ${o.error}\n  ${o.expanded}`);
    expect(failures).toEqual([]);
  });

  it.each(POLICIES)('returns rows for every query on $rp, since every measurement was seeded', ({ rp }) => {
    const empty = (byPolicy.get(rp) ?? [])
      .filter((o) => o.rows === 0)
      .map((o) => `${o.dashboard} ${o.source}: ${o.expanded}`);
    expect(empty).toEqual([]);
  });

  it('reads long ranges from the roll-ups: the rp variable picks the policy by range', async () => {
    const long = (byPolicy.get('rollup_1h') ?? []).filter((o) => o.expanded.includes('FROM "rollup_1h".'));
    expect(long.length).toBeGreaterThan(40);
    const variable = outcomes.find((o) => o.source === 'variable rp');
    expect(variable?.query).toContain('$__range_ms');
    const pick = async (range: string) => {
      const [query] = await checkQueries(influxd.url, VILLAGE_DATABASE, [variable as QueryOutcome], {
        range,
        interval: '1m',
      });
      const result = await influxd.query(VILLAGE_DATABASE, query?.expanded ?? '');
      return rowsOf(result)[0]?.last;
    };
    expect(await pick('6h')).toBe('autogen');
    expect(await pick('7d')).toBe('rollup_1m');
    expect(await pick('365d')).toBe('rollup_1h');
  });

  it('computes village quantities from the seeded values', async () => {
    const rows = await checkQueries(influxd.url, VILLAGE_DATABASE, [
      { dashboard: 't', source: 'zones', query: 'SHOW TAG VALUES FROM "water" WITH KEY = "zone"' },
    ]);
    expect(rows[0]?.rows).toBe(6);
    const power = outcomes.find(
      (o) => o.dashboard === 'village-overview-en' && o.source.startsWith('Power now'),
    );
    expect(power?.expanded).toContain('FROM (SELECT mean("active_power_w")');
    // kW meters (DDSU666) and W meters add up: the last minute's total is Σ peak × (0.4 + 0.2 sin(89/7)).
    const meters = SiteRegistry.fromFile(DEMO_SITE_FILE)
      .all()
      .filter((d) => d.profile.category === 'electricity-meter');
    const expected =
      meters.reduce((sum, d) => sum + (d.device.simulation.peak ?? 5000), 0) * (0.4 + 0.2 * Math.sin(89 / 7));
    const result = await influxd.query(VILLAGE_DATABASE, power?.expanded ?? '');
    const values = rowsOf(result)
      .map((row) => row.power_w)
      .filter((v): v is number => typeof v === 'number');
    expect(values.at(-1)).toBeCloseTo(expected, 3);
  });

  it('reports a query with a typo as a failure', async () => {
    const [syntax, measurement] = await checkQueries(influxd.url, VILLAGE_DATABASE, [
      {
        dashboard: 't',
        source: 'syntax',
        query: 'SELECT mean("voltage_v") FROM "electricity" WHERE $timeFilter GROUP BY tme($__interval)',
      },
      {
        dashboard: 't',
        source: 'measurement',
        query: 'SELECT mean("voltage_v") FROM "electrcity" WHERE $timeFilter',
      },
    ]);
    expect(syntax?.ok).toBe(false);
    expect(syntax?.error).toMatch(/time\(\)/);
    // A misspelt measurement is no error to InfluxDB, only an empty answer: the rows check catches it.
    expect(measurement?.ok).toBe(true);
    expect(measurement?.rows).toBe(0);
  });

  it('reports an unreachable server as a failure', async () => {
    const [outcome] = await checkQueries('http://127.0.0.1:1', VILLAGE_DATABASE, [
      { dashboard: 't', source: 'x', query: 'SHOW MEASUREMENTS' },
    ]);
    expect(outcome?.ok).toBe(false);
  });
});
