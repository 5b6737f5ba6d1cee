import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { DEMO_SITE_FILE, siteSchema, type Site } from '../../site/index.js';
import { panelsOf, queriesOf, type DashboardLike } from '../check/run-queries.js';
import { buildDashboards } from '../output/generate-dashboards.js';
import { INFLUX_SCHEMA, MEASUREMENTS } from '../schema/influx-schema.js';
import { RANGE_POLICY } from '../../storage/index.js';
import { VILLAGE_DATASOURCE } from '../board-context.js';

const dashboards = buildDashboards() as unknown as Array<DashboardLike & { uid: string; title: string }>;

interface Box {
  id?: number;
  gridPos?: { x: number; y: number; w: number; h: number };
  type?: string;
  targets?: Array<{ datasource?: { uid?: string } }>;
}

/** Every name a query may quote: measurements, their tags and fields, retention policies. */
const POLICIES = ['$rp', RANGE_POLICY.rp, RANGE_POLICY.measurement, 'rp', 'from_range_ms', 'to_range_ms'];
const KNOWN_NAMES = new Set<string>([
  ...POLICIES,
  ...MEASUREMENTS,
  ...MEASUREMENTS.flatMap((m) => [...INFLUX_SCHEMA[m].tags, ...Object.keys(INFLUX_SCHEMA[m].fields)]),
]);

describe('generated dashboards', () => {
  it('has seven dashboards per language with unique uids', () => {
    const uids = dashboards.map((d) => d.uid);
    expect(uids).toHaveLength(14);
    expect(new Set(uids).size).toBe(14);
    expect(uids.filter((u) => u.endsWith('-zh'))).toHaveLength(7);
  });

  it('numbers panels uniquely within each dashboard', () => {
    for (const d of dashboards) {
      const ids = panelsOf(d).map((p) => p.id);
      expect(
        ids.every((id) => typeof id === 'number' && id > 0),
        d.uid,
      ).toBe(true);
      expect(new Set(ids).size, d.uid).toBe(ids.length);
    }
  });

  it('keeps every panel inside the 24-column grid without overlaps', () => {
    for (const d of dashboards) {
      const boxes = panelsOf(d) as Box[];
      for (const p of boxes) {
        const g = p.gridPos;
        expect(g, `${d.uid} panel ${p.id}`).toBeDefined();
        if (!g) continue;
        expect(g.x >= 0 && g.y >= 0 && g.w > 0 && g.h > 0 && g.x + g.w <= 24, `${d.uid} panel ${p.id}`).toBe(
          true,
        );
      }
      for (let i = 0; i < boxes.length; i++) {
        for (let j = i + 1; j < boxes.length; j++) {
          const a = boxes[i]?.gridPos;
          const b = boxes[j]?.gridPos;
          if (!a || !b) continue;
          const overlap = a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
          expect(overlap, `${d.uid}: panels ${boxes[i]?.id} and ${boxes[j]?.id} overlap`).toBe(false);
        }
      }
    }
  });

  it("quotes only measurements, tags and fields of the schema (or the query's own aliases)", () => {
    for (const d of dashboards) {
      for (const q of queriesOf(d)) {
        const aliases = new Set([...q.query.matchAll(/ AS "([a-z0-9_]+)"/g)].map((m) => m[1]));
        for (const [, name] of q.query.matchAll(/"([^"]+)"/g)) {
          expect(KNOWN_NAMES.has(name ?? '') || aliases.has(name), `${d.uid} ${q.source}: "${name}"`).toBe(
            true,
          );
        }
        for (const [, measurement] of q.query.matchAll(/FROM (?:"(?:\$rp|rollup_1h)"\.)?"([^"]+)"/g)) {
          expect([...MEASUREMENTS, RANGE_POLICY.measurement], `${d.uid} ${q.source}`).toContain(measurement);
        }
      }
    }
  });

  it('gives every target the village data source and raw InfluxQL', () => {
    for (const d of dashboards) {
      for (const p of panelsOf(d) as Box[]) {
        if (p.type === 'row') continue;
        expect(p.targets?.length, `${d.uid} panel ${p.id}`).toBeGreaterThan(0);
        for (const t of p.targets ?? []) {
          expect(t).toMatchObject({ datasource: VILLAGE_DATASOURCE, rawQuery: true });
        }
      }
    }
  });

  it('asks the same queries in Chinese and English, with different titles', () => {
    for (const zh of dashboards.filter((d) => d.uid.endsWith('-zh'))) {
      const en = dashboards.find((d) => d.uid === zh.uid.replace(/-zh$/, '-en'));
      expect(en).toBeDefined();
      if (!en) continue;
      // The zh boards show the alert's Chinese text (`message_zh`), the en boards `message`.
      expect(queriesOf(zh).map((q) => q.query.replaceAll('"message_zh"', '"message"'))).toEqual(
        queriesOf(en).map((q) => q.query),
      );
      expect(zh.title).not.toBe(en.title);
      expect(zh.title).toMatch(/[\u4e00-\u9fff]/);
    }
  });

  it("offers site, zone and building variables by the site file's names, filtering by id", () => {
    const water = dashboards.find((d) => d.uid === 'village-water-zh');
    const variables = (water?.templating?.list ?? []) as Array<{
      name: string;
      type: string;
      query: string;
      options: Array<{ text: string; value: string }>;
    }>;
    expect(variables.map((v) => v.name)).toEqual(['site', 'zone', 'building', 'rp']);
    expect(variables.slice(0, 3).every((v) => v.type === 'custom')).toBe(true);
    const zone = variables[1];
    expect(zone?.query).toContain('创客工作区 : maker-workspace');
    expect(zone?.options).toContainEqual({ selected: false, text: '产业孵化区', value: 'incubation' });
    const building = variables[2];
    expect(building?.options.map((o) => o.text)).toEqual([
      '创客楼',
      '数字加工坊',
      '交流中心',
      '孵化楼',
      '文化礼堂',
      '社区食堂',
      '村级商店',
      '卫生室',
      '供水站',
    ]);
    const en = dashboards.find((d) => d.uid === 'village-water-en');
    expect(String(en?.templating?.list?.[1]?.query)).toContain('Maker workspace : maker-workspace');
  });
});

describe('lines over a sparse series (report by exception)', () => {
  const spans = (site?: Site) =>
    (buildDashboards(site) as unknown as DashboardLike[])
      .flatMap(
        (d) =>
          panelsOf(d) as Array<{
            type?: string;
            fieldConfig?: { defaults?: { custom?: { spanNulls?: unknown } } };
          }>,
      )
      .filter((p) => p.type === 'timeseries')
      .map((p) => p.fieldConfig?.defaults?.custom?.spanNulls);

  it('bridge the quiet limit of the site’s polled devices and no more, and nothing when every reading is sent', () => {
    const dense = siteSchema.parse({
      ...(parseYaml(readFileSync(DEMO_SITE_FILE, 'utf8')) as object),
      reporting: {},
    });
    const sparse = siteSchema.parse({ ...dense, reporting: { maxIntervalS: 300 } });
    expect(new Set(spans(dense))).toEqual(new Set([false]));
    // 300 s and the slowest poll (10 s), and a minute's bucket of slack.
    expect(new Set(spans(sparse))).toEqual(new Set([370_000]));
  });
});
