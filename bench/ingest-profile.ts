/**
 * Where ingest's CPU goes on one topic form, and what a setting changes: the pipeline of
 * `ingest-ceiling` (canonical telemetry as the gateway user at QoS 1 → our broker →
 * IngestService as shipped → influxd). One run with a V8 CPU profile of ingest (self time by
 * owner and by function, start-up and warm-up left out), then, unless `--profile-only`, rounds
 * without one: ingest as shipped and each `--vs` variant in turn (ingest environment variables,
 * e.g. `--vs "INGEST_FLUSH_INTERVAL_MS=250"`), and with `--naive` the naive subscriber (mqtt.js,
 * acknowledged on arrival, no validation) on a persistent session. CPU per stored point and peak
 * RSS per run, and each variant's same-round ratio to ingest as shipped. `--profile-naive` profiles
 * the naive subscriber too, right after ingest, under the same load (where the two differ, function by
 * function). Progress is read from influxd's own counter, so ingest's /metrics page costs nothing.
 *
 *   npm run bench -- ingest-profile [telemetry|batch] [--quick] [--rounds N] [--profile-only]
 *       [--naive] [--profile-naive] [--vs "KEY=value …"]… [KEY=value …] [--node-flag=…]
 */
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { BenchEnvironment } from './support/bench-environment.js';
import { startBroker } from './support/brokers.js';
import { profileTables, summariseCpuProfile } from './support/cpu-profile-summary.js';
import { pointsWrittenOk } from './support/influx-written.js';
import { IngestProcess } from './support/ingest-process.js';
import { NaiveIngestProcess } from './support/naive-process.js';
import { runPipeline, type PublishMode, type RunResult, type Timing } from './support/pipeline-run.js';
import { loadAverage } from './support/process-stats.js';
import {
  benchArgs,
  fmt,
  fmtInt,
  fmtMiB,
  fmtRatios,
  markdownTable,
  median,
  nodeFlagOptions,
  print,
} from './support/report.js';

const args = benchArgs();
const argv = process.argv.slice(2);
const mode: PublishMode = argv.includes('batch') ? 'batch' : 'telemetry';
const profileOnly = argv.includes('--profile-only');
const withNaive = argv.includes('--naive');
const profileNaive = argv.includes('--profile-naive');
const rounds = profileOnly ? 0 : (args.rounds ?? 3);
const envOf = (words: readonly string[]) =>
  Object.fromEntries(
    words.filter((w) => /^[A-Z_]+=/.test(w)).map((w) => w.split(/=(.*)/s).slice(0, 2) as [string, string]),
  );
/** Arguments after `--vs` are variants, not ingest's base environment. */
const vsValues = new Set(argv.flatMap((arg, i) => (argv[i - 1] === '--vs' ? [i] : [])));
const baseEnv = envOf(argv.filter((_, i) => !vsValues.has(i)));
/** A variant's words: `KEY=value` for ingest's environment, `--flag` for its node (V8 flags NODE_OPTIONS refuses). */
const variants: Array<{ name: string; env: Record<string, string>; nodeFlags: string[] }> = [
  { name: 'as shipped', env: baseEnv, nodeFlags: [] },
  ...[...vsValues].map((i) => {
    const words = (argv[i] as string).split(/\s+/);
    return {
      name: argv[i] as string,
      env: { ...baseEnv, ...envOf(words) },
      nodeFlags: words.filter((w) => w.startsWith('--')),
    };
  }),
];
const nodeFlags = nodeFlagOptions(argv);
const timing: Timing = args.quick ? { warmupS: 2, measureS: 6 } : { warmupS: 5, measureS: 15 };

const env = new BenchEnvironment();
await env.start();
const broker = await startBroker('ours', env.dir);
const target = env.target(broker);
const loadBefore = loadAverage();
const startedAt = new Date();
const written = () => pointsWrittenOk(env.influxd);

/** Milliseconds from the profiled process' start to the end of the warm-up (start-up is left out of the profile). */
let profileSkipMs = 0;

async function runOurs(
  clientId: string,
  ingestEnv: Record<string, string>,
  variantFlags: readonly string[],
  cpuProfileDir?: string,
) {
  const ingest = new IngestProcess({
    ...env.consumerPlace(broker),
    clientId,
    cpuProfileDir,
    env: ingestEnv,
    nodeFlags: [...nodeFlags, ...variantFlags],
  });
  const spawnedAt = performance.now();
  await ingest.start();
  // The pipeline first waits for influxd to be quiet and connects its publishers: about a second.
  profileSkipMs = performance.now() - spawnedAt + 1000 + timing.warmupS * 1000;
  try {
    return await runPipeline(target, { pid: ingest.pid, written }, 'ingest', mode, timing);
  } finally {
    await ingest.stop();
  }
}

/** The CPU profile a run wrote into `folder`, from `skipMs` on (start-up and warm-up left out). */
function printProfile(folder: string, skipMs: number, title: string): void {
  const file = readdirSync(folder).find((f) => f.endsWith('.cpuprofile'));
  if (!file) return;
  const summary = summariseCpuProfile(join(folder, file), 30, skipMs);
  print();
  print(`### ${title} after ${fmtInt(skipMs)} ms (${fmtInt(summary.busyMs)} ms busy, self time)`);
  print();
  print(profileTables(summary));
}

async function runNaive(round: number, cpuProfileDir?: string): Promise<RunResult> {
  const naive = new NaiveIngestProcess({
    ...env.consumerPlace(broker),
    persistentSession: { clientId: `bench-naive-${round}` },
    cpuProfileDir,
  });
  const spawnedAt = performance.now();
  await naive.start();
  profileSkipMs = performance.now() - spawnedAt + 1000 + timing.warmupS * 1000;
  try {
    return await runPipeline(target, { pid: naive.pid, written }, 'ingest', mode, timing);
  } finally {
    await naive.stop();
  }
}

const cpu = (r: RunResult) => r.cpuUsPerPoint.ingest ?? Number.NaN;
const rss = (r: RunResult) => r.peakRssBytes.ingest ?? Number.NaN;
const rows: string[][] = [];
const row = (name: string, runs: readonly RunResult[], base?: readonly RunResult[]) => [
  name,
  fmtInt(median(runs.map((r) => r.pointsPerS))),
  `${fmt(median(runs.map(cpu)), 1)} µs (${runs.map((r) => fmt(cpu(r), 1)).join(' / ')})`,
  `${fmtMiB(median(runs.map(rss)))} (${runs.map((r) => fmtMiB(rss(r))).join(' / ')})`,
  base ? fmtRatios(runs.map((r, i) => cpu(r) / cpu(base[i] as RunResult))) : '—',
  base ? fmtRatios(runs.map((r, i) => rss(r) / rss(base[i] as RunResult))) : '—',
  `${fmt(median(runs.map((r) => r.cpuUsPerPoint.broker ?? Number.NaN)), 1)} µs`,
  runs.every((r) => r.storedPoints === r.sentPoints)
    ? 'all'
    : runs.map((r) => `${r.storedPoints}/${r.sentPoints}`).join(' '),
];
try {
  const dir = join(env.dir, 'cpu-prof');
  mkdirSync(dir, { recursive: true });
  const profiled = await runOurs('bench-ingest-profiled', baseEnv, [], dir);
  const skipMs = profileSkipMs;
  rows.push(row('as shipped, profiled', [profiled]));
  const naiveDir = join(env.dir, 'cpu-prof-naive');
  let naiveSkipMs = 0;
  if (profileNaive) {
    mkdirSync(naiveDir, { recursive: true });
    rows.push(row('naive subscriber, profiled', [await runNaive(0, naiveDir)]));
    naiveSkipMs = profileSkipMs;
  }
  const results = variants.map(() => [] as RunResult[]);
  const naive: RunResult[] = [];
  for (let round = 1; round <= rounds; round++) {
    for (const [v, variant] of variants.entries())
      results[v]?.push(await runOurs(`bench-ingest-${round}-${v}`, variant.env, variant.nodeFlags));
    if (withNaive) naive.push(await runNaive(round));
    process.stderr.write(`round ${round}/${rounds} done\n`);
  }
  const base = results[0] as RunResult[];
  if (rounds > 0) {
    variants.forEach((variant, v) =>
      rows.push(row(variant.name, results[v] as RunResult[], v > 0 ? base : undefined)),
    );
    if (withNaive) rows.push(row('naive subscriber, persistent session', naive, base));
  }

  print(
    `## ingest profile, ${mode} topic — ${startedAt.toISOString()} — ${rounds} rounds, windows ${timing.measureS} s; base env ${JSON.stringify(baseEnv)}`,
  );
  print(`load average before: ${loadBefore}; after: ${loadAverage()}`);
  print();
  print(
    markdownTable(
      [
        'ingest',
        'points/s',
        'CPU per stored point (median; rounds)',
        'peak RSS',
        'CPU ÷ as shipped',
        'RSS ÷ as shipped',
        'broker CPU per point',
        'stored',
      ],
      rows,
    ),
  );
  printProfile(dir, skipMs, 'CPU profile');
  if (profileNaive) printProfile(naiveDir, naiveSkipMs, 'CPU profile of the naive subscriber');
} finally {
  await broker.stop();
  await env.stop();
}
