import { describe, expect, it } from 'vitest';
import { loadSite, DEMO_SITE_FILE, siteSchema } from '../../site/index.js';
import { panelsOf } from '../check/run-queries.js';
import { buildDashboards } from '../output/generate-dashboards.js';

interface Panel {
  id: number;
  type: string;
  title: string;
  targets?: Array<{ alias?: string; query?: string }>;
  transformations?: Array<{ id: string; options: Record<string, unknown> }>;
  fieldConfig?: {
    defaults?: { links?: Array<{ title: string; url: string }> };
    overrides?: Array<{
      matcher: { id: string; options: string };
      properties: Array<{ id: string; value: unknown }>;
    }>;
  };
  options?: Record<string, unknown>;
}
interface Board {
  uid: string;
  panels: Panel[];
  templating: {
    list: Array<{
      name: string;
      type: string;
      multi?: boolean;
      options: Array<{ text: string; value: string }>;
    }>;
  };
  annotations: {
    list: Array<{
      name: string;
      iconColor: string;
      filter?: { exclude: boolean; ids: number[] };
      target?: { query: string };
      mappings?: Record<string, { value: string }>;
    }>;
  };
}

const site = loadSite(DEMO_SITE_FILE);
const boards = buildDashboards(site) as unknown as Board[];
const board = (uid: string) => boards.find((b) => b.uid === uid) as Board;
const panels = (b: Board) => panelsOf(b as never) as Panel[];
const panel = (b: Board, title: string) => panels(b).find((p) => p.title === title) as Panel;

/** What Grafana's renameByRegex does to a display name (regex given as /…/). */
function renamed(p: Panel, name: string): string {
  let display = name;
  for (const t of p.transformations ?? []) {
    if (t.id !== 'renameByRegex') continue;
    const source = String(t.options.regex).replace(/^\/|\/$/g, '');
    const regex = new RegExp(source);
    if (regex.test(display)) display = display.replace(regex, String(t.options.renamePattern));
  }
  return display;
}

describe('names, links and annotations on the generated dashboards', () => {
  it('shows series by the site file names, including a phase suffix, never renaming a longer id', () => {
    const electricity = board('village-electricity-zh');
    const voltage = panel(electricity, '电压（GB/T 12325：198–235.4 V）');
    expect(renamed(voltage, 'maker-hall-power')).toBe('创客楼总电表');
    expect(renamed(voltage, 'maker-hall-power voltage_l2_v')).toBe('创客楼总电表 voltage_l2_v');
    const perZone = panel(electricity, '各功能区有功功率');
    expect(renamed(perZone, 'maker-workspace')).toBe('创客工作区');
    expect(renamed(perZone, 'maker-workspace-2')).toBe('maker-workspace-2');
    const perBuilding = panel(electricity, '各建筑有功功率');
    expect(renamed(perBuilding, 'maker-hall')).toBe('创客楼');
    expect(renamed(panel(board('village-electricity-en'), 'Active power per zone'), 'dining')).toBe('Dining');
  });

  it('links every per-device series to the device board, and zone series to the zone', () => {
    const voltage = panel(board('village-electricity-zh'), '电压（GB/T 12325：198–235.4 V）');
    expect(voltage.fieldConfig?.defaults?.links).toContainEqual({
      title: '设备详情',
      url: '/d/village-device-zh/?var-site=${site}&var-device=${__field.labels.device}&${__url_time_range}',
    });
    const perZone = panel(board('village-overview-zh'), '各功能区用电功率');
    expect(perZone.fieldConfig?.defaults?.links?.[0]?.url).toContain('var-zone=${__field.labels.zone}');
    // every panel whose series are devices carries the link
    for (const b of boards) {
      for (const p of panels(b)) {
        if (!(p.targets ?? []).some((t) => t.alias?.includes('$tag_device'))) continue;
        const urls = (p.fieldConfig?.defaults?.links ?? []).map((l) => l.url);
        expect(
          urls.some((u) => u.startsWith('/d/village-device-')),
          `${b.uid} ${p.title}`,
        ).toBe(true);
      }
    }
  });

  it('names ids in table cells and links a device cell to its board', () => {
    const alerts = panel(board('village-overview-zh'), '当前未恢复的告警');
    const device = alerts.fieldConfig?.overrides?.find((o) => o.matcher.options === '设备');
    const mapping = device?.properties.find((p) => p.id === 'mappings')?.value as Array<{
      options: Record<string, { text: string }>;
    }>;
    expect(mapping[0]?.options['clinic-pressure']?.text).toBe('卫生室进水压力');
    const links = device?.properties.find((p) => p.id === 'links')?.value as Array<{ url: string }>;
    expect(links[0]?.url).toContain('var-device=${__value.raw}');
    const zone = alerts.fieldConfig?.overrides?.find((o) => o.matcher.options === '功能区');
    expect(JSON.stringify(zone)).toContain('"公共服务"');
  });

  it('has a device board with one device variable by name', () => {
    const device = board('village-device-zh');
    const variable = device.templating.list.find((v) => v.name === 'device');
    expect(variable?.multi).toBe(false);
    expect(variable?.options).toHaveLength(site.devices.length);
    expect(variable?.options[0]).toMatchObject({ text: '创客楼总电表', value: 'maker-hall-power' });
    const titles = panels(device).map((p) => p.title);
    expect(titles).toEqual(
      expect.arrayContaining(['电压', '有功功率', '水压', '浊度（GB 5749：≤ 1 NTU）', '告警记录']),
    );
    for (const p of panels(device).filter((p) => p.type !== 'row')) {
      expect(
        (p.targets ?? []).every((t) => /"device" =~ \/\^\$device\$\//.test(t.query ?? '')),
        p.title,
      ).toBe(true);
    }
  });

  it('marks alert history on the time-series panels only, scoped to the zone, in Chinese on zh boards', () => {
    const water = board('village-water-zh');
    const annotations = water.annotations.list.filter((a) => a.target);
    expect(annotations.map((a) => a.name)).toEqual(['⚑ 告警触发', '⚑ 告警已确认', '⚑ 告警已恢复']);
    const timeseries = panels(water)
      .filter((p) => p.type === 'timeseries')
      .map((p) => p.id);
    expect(timeseries.length).toBeGreaterThan(2);
    for (const a of annotations) {
      expect(a.filter).toEqual({ exclude: false, ids: timeseries });
      expect(a.target?.query).toContain('"zone" =~ /^$zone$/');
      expect(a.target?.query).toContain('"message_zh" AS "text"');
      expect(a.mappings?.text?.value).toBe('text');
    }
    const en = board('village-water-en').annotations.list.find((a) => a.target);
    expect(en?.target?.query).toContain('"message" AS "text"');
    const gateways = board('village-gateways-zh').annotations.list.find((a) => a.target);
    expect(gateways?.target?.query).not.toContain('$zone');
    const device = board('village-device-zh').annotations.list.find((a) => a.target);
    expect(device?.target?.query).toContain('"device" =~ /^$device$/');
  });

  it('judges gateways online against how many the site file lists', () => {
    const twoGateways = siteSchema.parse({
      ...site,
      gateways: [...site.gateways, { id: 'gw-east', name: '东区网关' }],
    });
    for (const [s, expected] of [
      [site, 1],
      [twoGateways, 2],
    ] as const) {
      const overview = (buildDashboards(s) as unknown as Board[]).find(
        (b) => b.uid === 'village-overview-zh',
      ) as Board;
      const stat = panels(overview).find((p) => p.title.startsWith('在线网关')) as Panel & {
        fieldConfig: { defaults: { thresholds: { steps: Array<{ value: number | null; color: string }> } } };
      };
      expect(stat.title).toBe(`在线网关（应有 ${expected} 个）`);
      expect(stat.fieldConfig.defaults.thresholds.steps).toEqual([
        { value: null, color: 'red' },
        { value: expected, color: 'green' },
      ]);
      const gatewayVar = (buildDashboards(s) as unknown as Board[])
        .find((b) => b.uid === 'village-gateways-zh')
        ?.templating.list.find((v) => v.name === 'gateway');
      expect(gatewayVar?.options).toHaveLength(expected);
    }
  });

  it('lists open alerts: last state per alert id, resolved ones left out', () => {
    const open = panel(board('village-overview-zh'), '当前未恢复的告警');
    expect(open.targets?.[0]?.query).toMatch(
      /^SELECT "alert_id", "state", .* FROM "alert" WHERE time > now\(\) - 90d/,
    );
    const [groupBy, filter, organize] = open.transformations ?? [];
    expect(groupBy?.id).toBe('groupBy');
    expect((groupBy?.options.fields as Record<string, unknown>).alert_id).toEqual({
      operation: 'groupby',
      aggregations: [],
    });
    expect((groupBy?.options.fields as Record<string, unknown>).state).toEqual({
      operation: 'aggregate',
      aggregations: ['last'],
    });
    expect(filter).toMatchObject({
      id: 'filterByValue',
      options: {
        type: 'exclude',
        filters: [{ fieldName: 'state (last)', config: { options: { value: 'resolved' } } }],
      },
    });
    expect(organize?.id).toBe('organize');
  });
});
