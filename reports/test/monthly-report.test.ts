import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManagedInfluxd } from '../../stack/index.js';
import {
  applyStoragePolicy,
  backfillRollups,
  ROLLUP_LEVELS,
  storagePolicySchema,
} from '../../storage/index.js';
import { buildMonthlyReport, reportPeriod, ruleTitles, type MonthlyReport } from '../index.js';
import { checkRenderings } from './renderings.js';
import {
  FROM,
  MINUTE,
  MINUTES,
  REPLACED_AT,
  RESET_AT,
  local,
  seededAlertLines,
  seededLines,
  seededSite,
} from './seeded-month.js';

const DB = 'village';
const site = seededSite();
const period = reportPeriod({ month: '2026-11' });

/** Rounds away the float noise of summing a month of minutes. */
const r = (value: number | undefined, digits = 6) =>
  value === undefined ? undefined : Number(value.toFixed(digits));

describe('the monthly report of a seeded November, in a real influxd', () => {
  const dir = mkdtempSync(join(tmpdir(), 'monthly-report-'));
  const influxd = new ManagedInfluxd({ dataDir: dir, binary: '/usr/bin/influxd' });
  let raw: MonthlyReport;
  let rolled: MonthlyReport;

  beforeAll(async () => {
    await influxd.start();
    const target = { url: influxd.url };
    // kept forever here, so the seeded month survives whatever the machine's clock says
    await applyStoragePolicy(target, DB, storagePolicySchema.parse({ raw: 'INF', rollup1m: 'INF' }));
    const lines = [...seededLines(), ...seededAlertLines()];
    for (let i = 0; i < lines.length; i += 10_000) {
      const response = await fetch(`${influxd.url}/write?db=${DB}&precision=ms`, {
        method: 'POST',
        body: lines.slice(i, i + 10_000).join('\n'),
      });
      expect(response.status).toBe(204);
    }
    // the titles of alerting's rules, fixed here so the figures do not move when a rule is renamed
    const titles = new Map([
      ['low-pressure', { zh: '供水压力过低', en: 'Low water pressure' }],
      ['overvoltage', { zh: '电压过高', en: 'Overvoltage' }],
      ['undervoltage', { zh: '电压过低', en: 'Undervoltage' }],
    ]);
    const inputs = { target, database: DB, site, ruleTitles: titles };
    raw = await buildMonthlyReport({ ...inputs, source: 'auto' }, period);
    // the report reads the 1-minute level only
    await backfillRollups(target, DB, 'autogen', FROM - 2 * MINUTE, period.toMs, ROLLUP_LEVELS.slice(0, 1));
    rolled = await buildMonthlyReport({ ...inputs, source: 'rollup_1m' }, period);
  }, 240_000);

  afterAll(async () => {
    await influxd.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("names alert classes by the titles in alerting's rule files", () => {
    const shipped = ruleTitles();
    expect(shipped.get('low-pressure')).toEqual({
      zh: expect.stringMatching(/[\u4e00-\u9fff]/),
      en: expect.any(String),
    });
    expect(shipped.size).toBeGreaterThan(10);
  });

  it('covers November, China time, from raw points', () => {
    expect(period).toMatchObject({
      fromMs: local(1, 0),
      toMs: local(1, 0) + MINUTES * MINUTE,
      label: '2026-11',
    });
    expect(raw.source).toBe('raw');
    expect(raw.site).toEqual({
      id: 'demo-village',
      name: '示范村乡村创客社区',
      name_en: 'Demo village maker community',
    });
  });

  it('counts each meter from its register: a reset, a replacement and a gap counted honestly', () => {
    const totals = Object.fromEntries(raw.consumption.meters.map((m) => [m.device.id, r(m.total, 4)]));
    expect(totals).toEqual({
      // 43,200 minutes × 0.1 kWh, plus 30 minutes at 12 kW (0.1 kWh more each); the reset loses nothing
      'maker-hall-power': 4323,
      // 43,200 × 0.02 kWh
      'fab-lab-power': 864,
      // 43,200 × 0.05 kWh less the hour without power; across the replacement and both gaps
      'clinic-power': 2157,
      // 30 days × 16 h × 3 m³/h, plus 6 nights × 6 h × 0.6 m³/h of leak
      'maker-hall-flow': 1461.6,
      'clinic-flow': 480,
      'water-station-flow': 2427,
    });
    const events = raw.dataEvents.map((e) => ({
      device: e.device.id,
      kind: e.kind,
      fromMs: e.fromMs,
      toMs: e.toMs,
      before: r(e.before, 4),
      after: r(e.after, 4),
      countedAcross: r(e.countedAcross, 4),
    }));
    expect(events).toEqual([
      // two hours without a reading: from the reading before (09:59) to the one after
      // (12:00) the register rose 121 × 0.05 kWh, counted and shown
      {
        device: 'clinic-power',
        kind: 'gap',
        fromMs: local(8, 10),
        toMs: local(8, 12),
        before: undefined,
        after: undefined,
        countedAcross: 6.05,
      },
      {
        device: 'maker-hall-power',
        kind: 'reset',
        fromMs: FROM + (RESET_AT - 1) * MINUTE,
        toMs: FROM + RESET_AT * MINUTE,
        before: r(5000 + RESET_AT * 0.1 + 3, 4),
        after: 0.1,
        countedAcross: undefined,
      },
      {
        device: 'clinic-power',
        kind: 'replacement',
        fromMs: FROM + (REPLACED_AT - 1) * MINUTE,
        toMs: FROM + (REPLACED_AT + 10) * MINUTE,
        before: r(2000 + 0.05 * REPLACED_AT, 4),
        after: 100,
        countedAcross: undefined,
      },
      {
        device: 'clinic-power',
        kind: 'gap',
        fromMs: local(18, 10),
        toMs: local(18, 10, 10),
        before: undefined,
        after: undefined,
        countedAcross: undefined,
      },
    ]);
  });

  it('adds meters up per zone, building, tenant and site, leaving the water main out', () => {
    const figures = (groups: MonthlyReport['consumption']['zones']) =>
      groups.map((g) => [
        g.group.id,
        r(g.electricityKwh, 4),
        r(g.waterM3, 4),
        r(g.peakDemand?.kw, 4),
        g.peakDemand?.atMs,
        g.flagged,
      ]);
    const nov10at9 = local(10, 9);
    const start = local(1, 0);
    expect(figures(raw.consumption.zones)).toEqual([
      ['maker-workspace', 5187, 1461.6, 13.2, nov10at9, true],
      ['public-exchange', 0, 0, undefined, undefined, false],
      ['incubation', 0, 0, undefined, undefined, false],
      ['culture-leisure', 0, 0, undefined, undefined, false],
      ['dining', 0, 0, undefined, undefined, false],
      ['public-services', 2157, 480, 3, start, true],
    ]);
    expect(figures(raw.consumption.buildings).filter(([, kwh, m3]) => kwh !== 0 || m3 !== 0)).toEqual([
      ['maker-hall', 4323, 1461.6, 12, nov10at9, true],
      ['fab-lab', 864, 0, 1.2, start, false],
      ['clinic', 2157, 480, 3, start, true],
    ]);
    expect(figures(raw.consumption.tenants)).toEqual([
      // fab lab whole, half the maker hall
      ['maker-team', 3025.5, 730.8, 7.2, nov10at9, true],
      ['clinic', 2157, 480, 3, start, true],
    ]);
    expect(figures([raw.consumption.site])).toEqual([['demo-village', 7344, 1941.6, 16.2, nov10at9, true]]);
  });

  it('judges voltage by GB/T 12325 per supply type and frequency by GB/T 15945, minute by minute', () => {
    expect(
      raw.voltage.devices.map((v) => [
        v.device.id,
        v.supply,
        v.limits,
        v.monitoredMinutes,
        v.withinMinutes,
        v.aboveMinutes,
        v.belowMinutes,
        v.minV,
        v.maxV,
      ]),
    ).toEqual([
      ['maker-hall-power', 'three_phase', { low: 204.6, high: 235.4 }, 43200, 43200, 0, 0, 230, 230],
      // 90 minutes at 240 V, 45 at 190 V
      ['fab-lab-power', 'single_phase', { low: 198, high: 235.4 }, 43200, 43065, 90, 45, 190, 240],
      // 130 minutes without readings and the hour without power are not monitored time
      ['clinic-power', 'single_phase', { low: 198, high: 235.4 }, 43010, 43010, 0, 0, 225, 225],
    ]);
    expect(raw.voltage.devices.map((v) => r(v.rate))).toEqual([1, r(43065 / 43200), 1]);
    expect(
      raw.voltage.zones
        .filter((z) => z.monitoredMinutes > 0)
        .map((z) => [z.zone.id, z.monitoredMinutes, z.withinMinutes, r(z.rate)]),
    ).toEqual([
      ['maker-workspace', 86400, 86265, r(86265 / 86400)],
      ['public-services', 43010, 43010, 1],
    ]);
    expect(r(raw.voltage.siteRate)).toBe(r(129275 / 129410));
    expect(
      raw.frequency.devices.map((f) => [f.device.id, f.monitoredMinutes, f.withinMinutes, f.minHz, f.maxHz]),
    ).toEqual([
      ['maker-hall-power', 43200, 43188, 49.7, 50],
      ['fab-lab-power', 43200, 43200, 50, 50],
      ['clinic-power', 43010, 43010, 50, 50],
    ]);
    expect(r(raw.frequency.siteRate)).toBe(r(129398 / 129410));
  });

  it('rates water quality per GB 5749 parameter', () => {
    expect(
      raw.waterQuality.map((q) => [
        q.field,
        q.limits,
        q.monitoredMinutes,
        q.compliantMinutes,
        r(q.rate),
        q.min,
        q.max,
      ]),
    ).toEqual([
      ['turbidity_ntu', { high: 1 }, 43200, 43170, r(43170 / 43200), 0.3, 1.5],
      ['water_ph', { low: 6.5, high: 8.5 }, 43200, 43200, 1, 7.2, 7.2],
      ['free_chlorine_mgl', { low: 0.05, high: 2 }, 43200, 43180, r(43180 / 43200), 0.02, 0.4],
    ]);
  });

  it('counts minutes without power or water per zone, apart from minutes without data', () => {
    const zones = raw.availability.filter((a) => ['maker-workspace', 'public-services'].includes(a.zone.id));
    expect(
      zones.map((a) => [
        a.zone.id,
        a.periodMinutes,
        a.powerOffMinutes,
        a.powerNoDataMinutes,
        a.waterOffMinutes,
        a.waterNoDataMinutes,
      ]),
    ).toEqual([
      ['maker-workspace', 43200, 0, 0, 0, 0],
      ['public-services', 43200, 60, 130, 60, 0],
    ]);
    const outage = [{ fromMs: local(22, 3), toMs: local(22, 4) }];
    expect(zones[1]?.powerOutages).toEqual(outage);
    expect(zones[1]?.waterOutages).toEqual(outage);
    expect(raw.availability.find((a) => a.zone.id === 'dining')).toMatchObject({
      powerOffMinutes: 0,
      powerNoDataMinutes: 0,
    });
  });

  it('balances the main against the sub-meters and finds the night leak', () => {
    expect(raw.waterBalance.mains.map((m) => m.id)).toEqual(['water-station-flow']);
    expect([
      r(raw.waterBalance.mainM3, 4),
      r(raw.waterBalance.subM3, 4),
      r(raw.waterBalance.nonRevenueRatio),
    ]).toEqual([2427, 1941.6, 0.2]);
    expect(
      raw.nightFlow.map((n) => [
        n.subject.id,
        n.nights,
        n.nightsMeasured,
        n.medianMinM3h,
        r(n.maxMinM3h),
        n.leakNights,
        n.firstLeakNight,
      ]),
    ).toEqual([
      ['maker-workspace', 30, 30, 0, 0.6, 6, '2026-11-25'],
      ['public-services', 30, 30, 0, 0, 0, undefined],
      ['water-station-flow', 30, 30, 0, 0.75, 6, '2026-11-25'],
    ]);
  });

  it('counts alerts fired in the month by class, with times to acknowledge and resolve', () => {
    expect(raw.alerts).toEqual([
      {
        rule: 'low-pressure',
        title: '供水压力过低',
        title_en: 'Low water pressure',
        severity: 'warning',
        fired: 2,
        acknowledged: 1,
        resolved: 1,
        openAtEnd: 1,
        medianAckMinutes: 10,
        maxAckMinutes: 10,
        medianResolveMinutes: 59,
        maxResolveMinutes: 59,
      },
      {
        rule: 'overvoltage',
        title: '电压过高',
        title_en: 'Overvoltage',
        severity: 'warning',
        fired: 1,
        acknowledged: 1,
        resolved: 1,
        openAtEnd: 0,
        medianAckMinutes: 30,
        maxAckMinutes: 30,
        medianResolveMinutes: 90,
        maxResolveMinutes: 90,
      },
      {
        rule: 'undervoltage',
        title: '电压过低',
        title_en: 'Undervoltage',
        severity: 'warning',
        fired: 1,
        acknowledged: 1,
        resolved: 1,
        openAtEnd: 0,
        medianAckMinutes: 4,
        maxAckMinutes: 4,
        medianResolveMinutes: 45,
        maxResolveMinutes: 45,
      },
    ]);
  });

  it("measures completeness against each device's poll interval and lists its gaps", () => {
    expect(
      raw.completeness.map((c) => [c.device.id, c.expected, c.received, r(c.ratio), c.gaps.length]),
    ).toEqual([
      ['maker-hall-power', 43200, 43200, 1, 0],
      ['maker-hall-pressure', 43200, 43200, 1, 0],
      ['maker-hall-flow', 43200, 43200, 1, 0],
      ['fab-lab-power', 43200, 43200, 1, 0],
      ['clinic-power', 43200, 43070, r(43070 / 43200), 2],
      ['clinic-pressure', 43200, 43200, 1, 0],
      ['clinic-flow', 43200, 43200, 1, 0],
      ['water-station-flow', 43200, 43200, 1, 0],
      ['water-station-quality', 43200, 43200, 1, 0],
    ]);
  });

  it('gives the same figures from the 1-minute roll-up as from raw points', () => {
    expect(rolled.source).toBe('rollup_1m');
    const strip = (report: MonthlyReport) =>
      JSON.parse(
        JSON.stringify({ ...report, source: undefined, generatedAtMs: undefined }, (_, v) =>
          typeof v === 'number' ? Number(v.toFixed(6)) : v,
        ),
      );
    expect(strip(rolled)).toEqual(strip(raw));
  });

  describe('rendered', () => checkRenderings(() => raw));
});
