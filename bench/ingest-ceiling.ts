/**
 * Storage ceiling vs the full pipeline, in points stored per second (a script, not a test):
 *   ceiling  — line protocol straight to influxd's /write, batches of 5000 points, 3 writers (keep-alive);
 *   pipeline — canonical telemetry as the gateway user, QoS 1, 4 publishers → BrokerService (auth + ACL)
 *              → IngestService (validation, acks after write) → the same influxd; per-device topic and batch topic;
 *   naive    — the same load and broker, consumed by the naive subscriber of ingest-naive (no validation,
 *              clean session, acknowledged on arrival): what the simplest Node pipeline reaches on this box.
 * Variants run interleaved, ROUNDS times; medians and pipeline/ceiling ratios are printed with CPU per point.
 *
 *   npm run bench -- ingest-ceiling [--quick] [--rounds N] [--cpu-prof]
 */
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { startBroker } from './support/brokers.js';
import { BenchEnvironment } from './support/bench-environment.js';
import { profileTables, summariseCpuProfile } from './support/cpu-profile-summary.js';
import { IngestProcess } from './support/ingest-process.js';
import { NaiveIngestProcess } from './support/naive-process.js';
import { runCeiling, runPipeline, type RunResult, type Timing } from './support/pipeline-run.js';
import { loadAverage } from './support/process-stats.js';
import { benchArgs, fmt, fmtInt, fmtRatios, markdownTable, median, print } from './support/report.js';

const args = benchArgs();
const profile = process.argv.includes('--cpu-prof');
const rounds = args.rounds ?? 3;
const timing: Timing = args.quick ? { warmupS: 1, measureS: 3 } : { warmupS: 3, measureS: 12 };
const VARIANTS = [
  'ceiling',
  'pipeline: per-device topic',
  'pipeline: batch topic',
  'naive subscriber: per-device topic',
  'naive subscriber: batch topic',
] as const;
type Variant = (typeof VARIANTS)[number];

const env = new BenchEnvironment();
await env.start();
const broker = await startBroker('ours', env.dir);
const target = env.target(broker);
const newIngest = (clientId: string, cpuProfileDir?: string) =>
  new IngestProcess({
    ...env.consumerPlace(broker),
    clientId,
    cpuProfileDir,
  });

const results = new Map<Variant, RunResult[]>(VARIANTS.map((v) => [v, []]));
const loadBefore = loadAverage();
const startedAt = new Date();
try {
  let invalid = 0;
  // One consumer subscribed at a time: a second one would write every point again.
  for (let round = 1; round <= rounds; round++) {
    results.get('ceiling')?.push(await runCeiling(target, timing));
    const ingest = newIngest(`bench-ingest-${round}`);
    await ingest.start();
    const ours = { pid: ingest.pid, written: () => ingest.pointsWritten() };
    for (const [variant, mode] of [
      ['pipeline: per-device topic', 'telemetry'],
      ['pipeline: batch topic', 'batch'],
    ] as const)
      results.get(variant)?.push(await runPipeline(target, ours, 'ingest', mode, timing));
    invalid += await ingest.invalid();
    await ingest.stop();
    const naive = new NaiveIngestProcess({
      ...env.consumerPlace(broker),
    });
    await naive.start();
    const naiveConsumer = { pid: naive.pid, written: () => naive.written };
    for (const [variant, mode] of [
      ['naive subscriber: per-device topic', 'telemetry'],
      ['naive subscriber: batch topic', 'batch'],
    ] as const)
      results.get(variant)?.push(await runPipeline(target, naiveConsumer, 'naive', mode, timing));
    await naive.stop();
    process.stderr.write(`round ${round}/${rounds} done\n`);
  }
  report(invalid);
  if (profile) await profileIngest();
} finally {
  await broker.stop();
  await env.stop();
}

function report(invalid: number): void {
  const ceiling = median(results.get('ceiling')?.map((r) => r.pointsPerS) ?? []);
  print(
    `## ingest ceiling — ${startedAt.toISOString()} — ${args.quick ? 'quick' : 'default'}, ${rounds} rounds × ${timing.measureS} s`,
  );
  print(`load average before: ${loadBefore}; after: ${loadAverage()}; ingest rejected ${invalid} messages`);
  print();
  const rows = VARIANTS.map((variant) => {
    const runs = results.get(variant) ?? [];
    const rates = runs.map((r) => r.pointsPerS);
    const ratios = runs.map(
      (r, i) => r.pointsPerS / ((results.get('ceiling') ?? [])[i]?.pointsPerS ?? Number.NaN),
    );
    const stored = runs.every((r) => r.storedPoints === r.sentPoints)
      ? 'all'
      : runs.map((r) => `${r.storedPoints}/${r.sentPoints}`).join(' ');
    return [
      variant,
      fmtInt(median(rates)),
      rates.map(fmtInt).join(' / '),
      variant === 'ceiling' ? '1' : fmtRatios(ratios),
      variant === 'ceiling' ? '—' : fmtInt(median(runs.map((r) => r.messagesPerS))),
      stored,
    ];
  });
  print(
    markdownTable(
      ['variant', 'points/s (median)', 'per round', 'vs ceiling (same round)', 'messages/s', 'stored = sent'],
      rows,
    ),
  );
  print();
  const names = ['broker', 'ingest', 'naive', 'influxd', 'load generator'];
  const cpuRows = VARIANTS.map((variant) => {
    const runs = results.get(variant) ?? [];
    return [
      variant,
      ...names.map((name) => {
        const us = median(runs.map((r) => r.cpuUsPerPoint[name] ?? Number.NaN));
        const cores = median(runs.map((r) => r.cores[name] ?? Number.NaN));
        return Number.isFinite(us) ? `${fmt(us, 1)} µs (${fmt(cores, 2)} cores)` : '—';
      }),
    ];
  });
  print('CPU per stored point (median), and cores busy:');
  print();
  print(markdownTable(['variant', ...names], cpuRows));
  print();
  const waits = [...results.values()].flat().map((r) => r.quietWaitS);
  print(
    `Each run started once influxd was quiet (under 5 % of a core for 1 s): waited ${fmt(median(waits), 1)} s (median), ${fmt(Math.max(...waits), 1)} s at most.`,
  );
  print(`ceiling median ${fmtInt(ceiling)} points/s; target: pipeline ≥ 80 % of it.`);
}

async function profileIngest(): Promise<void> {
  for (const mode of ['telemetry', 'batch'] as const) {
    const dir = join(env.dir, `cpu-prof-${mode}`);
    mkdirSync(dir, { recursive: true });
    const ingest = newIngest(`bench-ingest-prof-${mode}`, dir);
    await ingest.start();
    await runPipeline(
      target,
      { pid: ingest.pid, written: () => ingest.pointsWritten() },
      'ingest',
      mode,
      timing,
    );
    await ingest.stop();
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    if (!file) continue;
    const summary = summariseCpuProfile(join(dir, file));
    print();
    print(`### ingest CPU profile, ${mode} mode (${fmtInt(summary.busyMs)} ms busy, self time)`);
    print();
    print(profileTables(summary));
  }
}
