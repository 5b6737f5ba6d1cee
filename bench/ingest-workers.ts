/**
 * One ingest worker vs two workers splitting the sites (INGEST_PARTITION 1/2 and 2/2), on
 * the same BrokerService and influxd, with the same multi-site load (four copies of the
 * demo site's gateway, published by an admin loader at QoS 1, per-device and batch topics).
 * Variants alternate, ROUNDS times; medians, the 2-worker/1-worker ratio, CPU per point
 * per worker. On a 2-core box with broker, influxd and load generator beside them, two
 * workers cannot double anything: the point is that the split adds no overhead and
 * every point is written once.
 *
 *   npm run bench -- ingest-workers [--quick] [--rounds N]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { partitionOf } from '../ingest/index.js';
import { DEMO_SITE_FILE } from '../site/index.js';
import { startBroker } from './support/brokers.js';
import { BenchEnvironment } from './support/bench-environment.js';
import { IngestProcess, workersConsumer, workersCpuPerPoint } from './support/ingest-process.js';
import { runPipeline, type PublishMode, type RunResult, type Timing } from './support/pipeline-run.js';
import { loadAverage } from './support/process-stats.js';
import { benchArgs, fmt, fmtInt, fmtRatios, markdownTable, median, print } from './support/report.js';

const args = benchArgs();
const rounds = args.rounds ?? 3;
const timing: Timing = args.quick ? { warmupS: 1, measureS: 2.5 } : { warmupS: 3, measureS: 12 };
const MODES: PublishMode[] = ['telemetry', 'batch'];
const VARIANTS = [1, 2] as const;
type Workers = (typeof VARIANTS)[number];

/** Four site ids, two in each partition of two, so both workers get half the load. */
function balancedSites(): string[] {
  const chosen: Record<number, string[]> = { 1: [], 2: [] };
  for (let i = 1; chosen[1]!.length < 2 || chosen[2]!.length < 2; i++) {
    const site = `village-${i}`;
    const share = chosen[partitionOf(site, 2)]!;
    if (share.length < 2) share.push(site);
  }
  return [...chosen[1]!, ...chosen[2]!];
}

const env = new BenchEnvironment();
await env.start();
const sites = balancedSites();
const demo = parseYaml(readFileSync(DEMO_SITE_FILE, 'utf8')) as { site: Record<string, unknown> };
const siteFiles = sites.map((id) => {
  const file = join(env.dir, `${id}.yaml`);
  writeFileSync(file, toYaml({ ...demo, site: { ...demo.site, id } }));
  return file;
});
const broker = await startBroker('ours', env.dir);
const users = broker.users!;
const target = env.target(broker, { ...users, gateway: users.loader! });
const results = new Map<string, RunResult[]>();
const key = (workers: Workers, mode: PublishMode) => `${workers}/${mode}`;
const loadBefore = loadAverage();
const startedAt = new Date();

async function runOnce(workers: Workers, round: number): Promise<void> {
  const processes = Array.from(
    { length: workers },
    (_, i) =>
      new IngestProcess({
        ...env.consumerPlace(broker, users),
        clientId: `bench-workers-${workers}-${i + 1}-r${round}`,
        env: { INGEST_SITE_FILES: siteFiles.join(','), INGEST_PARTITION: `${i + 1}/${workers}` },
      }),
  );
  await Promise.all(processes.map((p) => p.start()));
  const consumer = workersConsumer(processes);
  for (const mode of MODES) {
    const name = key(workers, mode);
    results.set(name, [
      ...(results.get(name) ?? []),
      await runPipeline(target, consumer, 'ingest', mode, timing, sites),
    ]);
  }
  for (const p of processes) await p.stop();
}

try {
  for (let round = 1; round <= rounds; round++) {
    const order = round % 2 === 1 ? VARIANTS : ([...VARIANTS].reverse() as Workers[]);
    for (const workers of order) await runOnce(workers, round);
    process.stderr.write(`round ${round}/${rounds} done\n`);
  }
} finally {
  await broker.stop();
  await env.stop();
}

print(
  `## ingest workers by site partition — ${startedAt.toISOString()} — ${args.quick ? 'quick' : 'default'}, ${rounds} rounds × ${timing.measureS} s, sites ${sites.join(', ')}`,
);
print(`load average before: ${loadBefore}; after: ${loadAverage()}`);
print();
const rows: string[][] = [];
for (const mode of MODES) {
  const one = results.get(key(1, mode)) ?? [];
  for (const workers of VARIANTS) {
    const runs = results.get(key(workers, mode)) ?? [];
    const ratios = runs.map((r, i) => r.pointsPerS / (one[i]?.pointsPerS ?? Number.NaN));
    rows.push([
      mode === 'telemetry' ? 'per-device topic' : 'batch topic',
      String(workers),
      fmtInt(median(runs.map((r) => r.pointsPerS))),
      runs.map((r) => fmtInt(r.pointsPerS)).join(' / '),
      `${fmt(median(runs.map(workersCpuPerPoint)), 1)} µs`,
      `${fmt(median(runs.map((r) => r.cpuUsPerPoint.broker ?? Number.NaN)), 1)} µs`,
      `${fmt(median(runs.map((r) => r.cpuUsPerPoint.influxd ?? Number.NaN)), 1)} µs`,
      runs.every((r) => r.storedPoints === r.sentPoints)
        ? 'all'
        : runs.map((r) => `${r.storedPoints}/${r.sentPoints}`).join(' '),
      workers === 1 ? '100 %' : fmtRatios(ratios),
    ]);
  }
}
print(
  markdownTable(
    [
      'topic',
      'workers',
      'points/s (median)',
      'per round',
      'ingest CPU/point (all workers)',
      'broker CPU/point',
      'influxd CPU/point',
      'stored = sent',
      'vs 1 worker',
    ],
    rows,
  ),
);
