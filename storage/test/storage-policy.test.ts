import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManagedInfluxd, rowsOf } from '../../stack/index.js';
import {
  applyStoragePolicy,
  backfillRollups,
  RANGE_POLICY_QUERY,
  storagePolicySchema,
  type InfluxAdminTarget,
} from '../index.js';
import { waitFor } from '../../runtime/index.js';
import { hasFields } from '../../test/support/index.js';

const DB = 'village';
const MINUTE = 60_000;
/** Time a write is given to reach influxd before the continuous query's next run. */
const WRITE_MARGIN_MS = 15_000;
const HOUR = 60 * MINUTE;

/**
 * One meter read every 10 s: voltage 220…225 V in each minute (mean 222.5), an energy
 * register rising 0.01 kWh per reading (0.06 kWh a minute) that resets to 0 at reading
 * `resetAt`, and its seq.
 */
function meterLines(startMs: number, readings: number, resetAt = Number.POSITIVE_INFINITY): string[] {
  const lines: string[] = [];
  for (let k = 0; k < readings; k++) {
    const energy = k < resetAt ? 1000 + k * 0.01 : (k - resetAt) * 0.01;
    lines.push(
      `electricity,site=s,zone=z,building=b,device=m1,model=eastron-sdm120,gateway=g ` +
        `voltage_v=${220 + (k % 6)},import_energy_kwh=${energy.toFixed(2)},seq=${k}i ${startMs + k * 10_000}`,
    );
  }
  return lines;
}

describe('retention policies and roll-ups in a real influxd', () => {
  const dir = mkdtempSync(join(tmpdir(), 'storage-policy-'));
  const influxd = new ManagedInfluxd({ dataDir: dir, binary: '/usr/bin/influxd' });
  let target: InfluxAdminTarget;
  const query = async (q: string) => rowsOf(await influxd.query(DB, q));
  const write = async (lines: string[]) => {
    const response = await fetch(`${influxd.url}/write?db=${DB}&precision=ms`, {
      method: 'POST',
      body: lines.join('\n'),
    });
    expect(response.status).toBe(204);
  };

  beforeAll(async () => {
    await influxd.start();
    target = { url: influxd.url };
  });
  afterAll(async () => {
    await influxd.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps raw points 90 days and roll-ups for years, and changes nothing when applied twice', async () => {
    const first = await applyStoragePolicy(target, DB, storagePolicySchema.parse({}));
    expect(first.rawRp).toBe('autogen');
    expect(first.changes).toContain('retention policy autogen: 0s → 90d');
    const policies = await query('SHOW RETENTION POLICIES ON village');
    expect(policies.map((p) => [p.name, p.duration, p.default])).toEqual([
      ['autogen', '2160h0m0s', true],
      ['rollup_1m', '17520h0m0s', false],
      ['rollup_1h', '0s', false],
    ]);
    const cqs = rowsOf(await influxd.query(DB, 'SHOW CONTINUOUS QUERIES')).filter((r) =>
      String(r.name).startsWith('cq_'),
    );
    expect(cqs.map((c) => c.name).sort()).toEqual([
      'cq_device_status_1h',
      'cq_device_status_1m',
      'cq_electricity_1h',
      'cq_electricity_1m',
      'cq_gateway_health_1h',
      'cq_gateway_health_1m',
      'cq_water_1h',
      'cq_water_1m',
    ]);
    const electricity = String(cqs.find((c) => c.name === 'cq_electricity_1m')?.query);
    expect(electricity).toContain('RESAMPLE EVERY 1m FOR 3m');
    expect(electricity).toContain('mean(voltage_v) AS voltage_v, min(voltage_v) AS voltage_v_min');
    expect(electricity).toContain(
      'non_negative_difference(last(import_energy_kwh)) AS import_energy_kwh_increase',
    );
    expect(electricity).toContain('INTO village.rollup_1m.electricity FROM village.autogen.electricity');
    const hourly = String(cqs.find((c) => c.name === 'cq_electricity_1h')?.query);
    expect(hourly).toContain('sum(import_energy_kwh_increase) AS import_energy_kwh_increase');
    expect(hourly).toContain('FROM village.rollup_1m.electricity GROUP BY time(1h), *');

    const second = await applyStoragePolicy(target, DB, storagePolicySchema.parse({}));
    expect(second.changes).toEqual([]);

    const shorter = await applyStoragePolicy(target, DB, storagePolicySchema.parse({ raw: '30d' }));
    expect(shorter.changes).toEqual(['retention policy autogen: 2160h0m0s → 30d']);
    await applyStoragePolicy(target, DB, storagePolicySchema.parse({}));
  });

  it('refuses a raw retention too short for the dashboards, naming the fix', () => {
    const result = storagePolicySchema.safeParse({ raw: '2d' });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toMatch(/at least 7d/);
    expect(storagePolicySchema.safeParse({ rollup1h: '10years' }).success).toBe(false);
  });

  it('tells the dashboards which policy serves a range', async () => {
    const rp = async (rangeMs: number) =>
      (await query(RANGE_POLICY_QUERY.replaceAll('$__range_ms', String(rangeMs))))[0]?.last;
    expect(await rp(HOUR)).toBe('autogen');
    expect(await rp(2 * 24 * HOUR)).toBe('autogen');
    expect(await rp(7 * 24 * HOUR)).toBe('rollup_1m');
    expect(await rp(90 * 24 * HOUR)).toBe('rollup_1h');
  });

  it("backfills both levels with the continuous queries' SELECT, a counter reset counting as nothing", async () => {
    const start = Math.floor(Date.now() / HOUR) * HOUR - 4 * HOUR;
    await write(meterLines(start, 3 * 360, 600)); // three hours; reset in minute 100
    const written = await backfillRollups(target, DB, 'autogen', start, start + 3 * HOUR);
    expect(written.rollup_1m).toBe(180);
    const minutes = await query(
      `SELECT * FROM "rollup_1m"."electricity" WHERE time >= ${start}ms AND time < ${start + 3 * HOUR}ms`,
    );
    expect(minutes).toHaveLength(180);
    for (const [m, row] of minutes.entries()) {
      expect(row).toMatchObject({ voltage_v: 222.5, voltage_v_min: 220, voltage_v_max: 225, samples: 6 });
      const lastReading = 6 * m + 5;
      const last = lastReading < 600 ? 1000 + lastReading * 0.01 : (lastReading - 600) * 0.01;
      expect(row.import_energy_kwh as number).toBeCloseTo(last, 6);
      if (m === 0 || m === 100) expect(row.import_energy_kwh_increase, `minute ${m}`).toBeNull();
      else expect(row.import_energy_kwh_increase as number, `minute ${m}`).toBeCloseTo(0.06, 6);
    }
    const hours = await query(
      `SELECT * FROM "rollup_1h"."electricity" WHERE time >= ${start}ms AND time < ${start + 3 * HOUR}ms`,
    );
    expect(hours).toHaveLength(3);
    expect(hours.map((h) => h.samples)).toEqual([360, 360, 360]);
    expect(hours.map((h) => [h.voltage_v, h.voltage_v_min, h.voltage_v_max])).toEqual([
      [222.5, 220, 225],
      [222.5, 220, 225],
      [222.5, 220, 225],
    ]);
    // 59 minute increases in the first hour (minute 0 has no predecessor), 59 in the
    // second (minute 100 is the reset), 60 in the third
    expect(hours.map((h) => Number((h.import_energy_kwh_increase as number).toFixed(6)))).toEqual([
      3.54, 3.54, 3.6,
    ]);
    expect(hours[1]?.import_energy_kwh as number).toBeCloseTo(1.19, 6);
  });

  it("rolls up new points on the continuous query's own schedule", async () => {
    // The 1-minute query runs at every minute boundary over the last 3 minutes: points
    // written now for the previous minutes appear within a minute, without a backfill.
    // Minute -2 is in only the next run's window: a write that reached influxd after that
    // run (the test began in a minute's last seconds) would never be rolled up.
    const untilNextRun = MINUTE - (Date.now() % MINUTE);
    if (untilNextRun < WRITE_MARGIN_MS) await sleep(untilNextRun + 1000);
    const minuteStart = Math.floor(Date.now() / MINUTE) * MINUTE;
    const from = minuteStart - 2 * MINUTE;
    const lines = meterLines(from, 12).map((l) => l.replace('device=m1', 'device=m2'));
    await write(lines);
    const rows = await waitFor(
      'the continuous query to roll up minute -2 and -1',
      async () => {
        const found = await query(
          `SELECT * FROM "rollup_1m"."electricity" WHERE "device" = 'm2' AND time >= ${from}ms`,
        );
        // Minute -2 has no minute before it in the query's window, so no increase.
        const rolledUp = ['voltage_v', 'voltage_v_min', 'voltage_v_max', 'samples'];
        const whole =
          found.length >= 2 &&
          hasFields(found[0]!, rolledUp) &&
          hasFields(found[1]!, [...rolledUp, 'import_energy_kwh_increase']);
        return whole ? found : undefined;
      },
      { timeoutMs: 150_000, intervalMs: 1000 },
    );
    expect(rows.slice(0, 2).map((r) => [r.voltage_v, r.voltage_v_min, r.voltage_v_max, r.samples])).toEqual([
      [222.5, 220, 225, 6],
      [222.5, 220, 225, 6],
    ]);
    expect(rows[1]?.import_energy_kwh_increase as number).toBeCloseTo(0.06, 6);
  }, 180_000);
});
