/**
 * Disk a village needs per year: the demo village's telemetry (every device at its poll
 * interval from the site file, values with a meter's resolution and noise) written for
 * DAYS days into a managed influxd, rolled up with the continuous queries' SELECT
 * (storage/backfill.ts), compacted, then `du` of each retention policy's folder.
 * Raw points are kept `raw` days (90 by default), roll-ups for years.
 *
 *   npm run bench -- storage-disk [--quick]      (--quick: 1 day instead of 3)
 */
import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { profileFields, telemetryMeasurement } from '../devices/index.js';
import { DEMO_SITE_FILE, SiteRegistry } from '../site/index.js';
import { freePort, waitFor } from '../runtime/index.js';
import {
  applyStoragePolicy,
  backfillRollups,
  fieldRole,
  storagePolicySchema,
  durationMs,
} from '../storage/index.js';
import { benchArgs, markdownTable, print } from './support/report.js';

const args = benchArgs();
const DAYS = args.quick ? 1 : 3;
const DAY_MS = 86_400_000;
const DB = 'village';

/** Deterministic noise, so two runs write the same bytes. */
let state = 42;
function random(): number {
  state = (state * 1103515245 + 12345) % 2 ** 31;
  return state / 2 ** 31;
}

/** A reading with the resolution a meter reports: voltage to 0.1 V, current to 0.001 A, … */
function reading(field: string, t: number, counter: number): number {
  const day = Math.sin((2 * Math.PI * (t % DAY_MS)) / DAY_MS);
  const noise = random() - 0.5;
  const round = (v: number, step: number) => Math.round(v / step) * step;
  if (fieldRole(field) === 'counter') return round(counter, 0.01);
  if (/^voltage/.test(field)) return round(229 + 3 * day + 2 * noise, 0.1);
  if (/^current/.test(field)) return round(8 + 4 * day + noise, 0.001);
  if (/power_w$/.test(field)) return round(3000 + 1500 * day + 300 * noise, 1);
  if (/power_kw$|kvar$/.test(field)) return round(3 + 1.5 * day + 0.3 * noise, 0.001);
  if (field === 'power_factor_ratio') return round(0.95 + 0.02 * noise, 0.001);
  if (field === 'frequency_hz') return round(50 + 0.05 * noise, 0.01);
  if (field === 'flow_m3h') return round(Math.max(0, 2 + 2 * day + noise), 0.001);
  if (field === 'pressure_mpa') return round(0.22 + 0.02 * day + 0.01 * noise, 0.001);
  if (/pct$/.test(field)) return round(90 + 5 * noise, 1);
  if (/_c$/.test(field)) return round(16 + 2 * day + noise, 0.1);
  return round(1 + noise, 0.01);
}

function linesOfDay(registry: SiteRegistry, dayStart: number, seq: Map<string, number>): string[] {
  const lines: string[] = [];
  for (const { device, profile } of registry.all()) {
    const fields = profileFields(profile);
    if (fields.length === 0) continue;
    const measurement = telemetryMeasurement(profile);
    const tags = `site=${registry.siteId},zone=${device.zone},building=${device.building},device=${device.id},model=${profile.id},gateway=${device.gateway}`;
    const step = device.pollIntervalS * 1000;
    for (let t = dayStart; t < dayStart + DAY_MS; t += step) {
      const n = (seq.get(device.id) ?? 0) + 1;
      seq.set(device.id, n);
      const values = fields.map((f) => `${f}=${reading(f, t, 1000 + n * 0.004)}`).join(',');
      lines.push(`${measurement},${tags} ${values},seq=${n}i ${t}`);
    }
  }
  return lines;
}

function influxConfig(dir: string, http: number, rpc: number): string {
  return `reporting-enabled = false
bind-address = "127.0.0.1:${rpc}"
[meta]
  dir = "${join(dir, 'meta')}"
[data]
  dir = "${join(dir, 'data')}"
  wal-dir = "${join(dir, 'wal')}"
  query-log-enabled = false
  cache-snapshot-write-cold-duration = "2s"
  compact-full-write-cold-duration = "5s"
[monitor]
  store-enabled = false
[continuous_queries]
  enabled = false
[http]
  bind-address = "127.0.0.1:${http}"
  log-enabled = false
[logging]
  level = "warn"
`;
}

const dir = mkdtempSync(join(tmpdir(), 'bench-storage-'));
const [http, rpc] = [await freePort(), await freePort()];
writeFileSync(join(dir, 'influxdb.conf'), influxConfig(dir, http, rpc));
const influxd = spawn('/usr/bin/influxd', ['-config', join(dir, 'influxdb.conf')], { stdio: 'ignore' });
const url = `http://127.0.0.1:${http}`;
try {
  await waitFor('influxd', async () => (await fetch(`${url}/ping`)).status === 204, { timeoutMs: 30_000 });
  const policy = storagePolicySchema.parse({});
  await applyStoragePolicy({ url }, DB, policy);
  const registry = SiteRegistry.fromFile(DEMO_SITE_FILE);
  const start = Math.floor(Date.now() / DAY_MS) * DAY_MS - DAYS * DAY_MS;
  const seq = new Map<string, number>();
  let points = 0;
  for (let d = 0; d < DAYS; d++) {
    const lines = linesOfDay(registry, start + d * DAY_MS, seq);
    points += lines.length;
    for (let i = 0; i < lines.length; i += 5000) {
      const response = await fetch(`${url}/write?db=${DB}&precision=ms`, {
        method: 'POST',
        body: lines.slice(i, i + 5000).join('\n'),
      });
      if (response.status !== 204) throw new Error(`write: ${response.status} ${await response.text()}`);
    }
  }
  await backfillRollups({ url }, DB, 'autogen', start, start + DAYS * DAY_MS);
  // let influxd snapshot its cache and fully compact the cold shards
  await new Promise((resolve) => setTimeout(resolve, 40_000));
  const du = (rp: string) =>
    Number(execFileSync('du', ['-sb', join(dir, 'data', DB, rp)], { encoding: 'utf8' }).split('\t')[0]);
  const perDay = { raw: du('autogen') / DAYS, m1: du('rollup_1m') / DAYS, h1: du('rollup_1h') / DAYS };
  const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
  const rawDays = durationMs(policy.raw) / DAY_MS;
  print(
    `Demo village (${registry.all().length} devices), ${DAYS} day(s), ${points} raw points (${Math.round(points / DAYS)} a day)\n\n` +
      markdownTable(
        ['retention policy', 'kept', 'MiB per day', 'MiB on disk after a year'],
        [
          ['raw (autogen)', policy.raw, mib(perDay.raw), mib(perDay.raw * Math.min(365, rawDays))],
          ['rollup_1m', policy.rollup1m, mib(perDay.m1), mib(perDay.m1 * 365)],
          ['rollup_1h', policy.rollup1h, mib(perDay.h1), mib(perDay.h1 * 365)],
          ['total', '', '', mib(perDay.raw * Math.min(365, rawDays) + (perDay.m1 + perDay.h1) * 365)],
        ],
      ),
  );
} finally {
  influxd.kill('SIGTERM');
  await new Promise((resolve) => influxd.once('exit', resolve));
  if (!process.env.BENCH_KEEP) rmSync(dir, { recursive: true, force: true });
}
