/**
 * Where ingest's memory goes under load, and what a change does to it: IngestService as
 * shipped on the pipeline of `ingest-ceiling` (canonical telemetry as the gateway user at QoS 1
 * → our broker → ingest → influxd), each topic form in turn in one process (batch first, as
 * in `node-red`). Per run: CPU per stored point, peak RSS, and what the resident pages are at
 * the peak, read from /proc/PID/smaps every 100 ms: glibc's main heap (`[heap]`: Buffers'
 * bytes, socket reads), other anonymous maps (V8's heap, thread arenas) and mapped files (the
 * node binary).
 *
 * `--build DIR` runs another build's ingest (`DIR/ingest/main.js`, e.g. a copy of
 * data/bench-build made before a change) in the same rounds, for a same-round A/B, with the
 * process environment that build ships (`DIR/ingest/process-env.js`, e.g. its NODE_OPTIONS).
 * `--heap-profile` instead runs one sampled run per topic form and prints where ingest
 * allocates (a V8 sampling heap profile that keeps collected objects), per site, and the
 * total divided by the bytes of `readPublish` (the read-ahead's packet and topic, the same per
 * message in every build since 9133ee5): a figure of allocation per message that the
 * machine's load does not move.
 *
 * `--node-flag=--trace-gc-nvp` and the like pass flags to ingest's node (V8 flags NODE_OPTIONS
 * refuses; with BENCH_KEEP=1 its log, and so the trace, is kept).
 *
 *   npm run bench -- ingest-memory [batch] [telemetry] [--rounds N] [--build DIR] [--heap-profile]
 *       [--node-flag=…]
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { INGEST_PROCESS_ENV } from '../ingest/index.js';
import { siblingEntryCommand } from '../runtime/index.js';
import { BenchEnvironment } from './support/bench-environment.js';
import { startBroker } from './support/brokers.js';
import { heapProfileTable } from './support/heap-profile-summary.js';
import { pointsWrittenOk } from './support/influx-written.js';
import { IngestProcess } from './support/ingest-process.js';
import { runPipeline, type PublishMode } from './support/pipeline-run.js';
import { loadAverage, readSmaps } from './support/process-stats.js';
import {
  benchArgs,
  fmt,
  fmtMiB,
  fmtRatios,
  markdownTable,
  median,
  nodeFlagOptions,
  print,
} from './support/report.js';

const args = benchArgs();
const argv = process.argv.slice(2);
const rounds = args.rounds ?? 3;
const modes: PublishMode[] = (['batch', 'telemetry'] as const).filter((m) => argv.includes(m));
if (modes.length === 0) modes.push('batch', 'telemetry');
const buildAt = argv.indexOf('--build');
const otherBuild = buildAt >= 0 ? resolve(argv[buildAt + 1] as string) : undefined;
const heapProfile = argv.includes('--heap-profile');
const nodeFlags = nodeFlagOptions(argv);
const timing = { warmupS: 2, measureS: 5 };
const BUILDS = otherBuild ? ['this build', otherBuild] : ['this build'];

/**
 * The environment a build starts its ingest with (its own process-env.js), NODE_OPTIONS
 * empty where it sets none: IngestProcess would start it with this build's otherwise.
 */
async function shippedProcessEnv(build: string): Promise<Record<string, string> | undefined> {
  const file = join(build, 'ingest/process-env.js');
  if (!existsSync(file)) return undefined;
  const shipped = (await import(pathToFileURL(file).href)) as { INGEST_PROCESS_ENV?: Record<string, string> };
  return { NODE_OPTIONS: '', ...shipped.INGEST_PROCESS_ENV };
}
const otherBuildEnv = otherBuild ? await shippedProcessEnv(otherBuild) : undefined;

interface Pages {
  heap: number;
  anon: number;
  file: number;
}

const MIB = 1024 * 1024;

/** Resident MiB of glibc's main heap, other anonymous maps and mapped files. */
function residentPages(pid: number): Pages {
  const pages: Pages = { heap: 0, anon: 0, file: 0 };
  for (const { name, rss } of readSmaps(pid))
    pages[name === '[heap]' ? 'heap' : name.startsWith('/') ? 'file' : 'anon'] += rss / MIB;
  return pages;
}

interface Run {
  cpuUs: number;
  peakRss: number;
  atPeak: Pages;
}

const env = new BenchEnvironment();
await env.start();
const broker = await startBroker('ours', env.dir);
const target = env.target(broker);
const written = () => pointsWrittenOk(env.influxd);
const loadBefore = loadAverage();
const startedAt = new Date();
const results = new Map<string, Run[]>();
const profiles: Array<[PublishMode, string]> = [];

async function runIngest(
  build: string,
  round: number,
  runModes: readonly PublishMode[],
  heapFile?: string,
): Promise<void> {
  const ingest = new IngestProcess({
    ...env.consumerPlace(broker),
    clientId: `bench-memory-${round}-${BUILDS.indexOf(build)}`,
    nodeFlags,
    ...(build === 'this build'
      ? {}
      : { entry: join(build, 'ingest/main.js'), ...(otherBuildEnv ? { env: otherBuildEnv } : {}) }),
    ...(heapFile
      ? {
          env: {
            NODE_OPTIONS: `${INGEST_PROCESS_ENV.NODE_OPTIONS} --import=${siblingEntryCommand('bench/support/heap-sampling-preload.ts').at(-1)}`,
            HEAP_PROFILE_FILE: heapFile,
            // Start-up and the first warm-up left out.
            HEAP_PROFILE_AFTER_MS: '5000',
          },
        }
      : {}),
  });
  await ingest.start();
  let peak = { total: 0, pages: residentPages(ingest.pid) };
  const sampler = setInterval(() => {
    const pages = residentPages(ingest.pid);
    const total = pages.heap + pages.anon + pages.file;
    if (total > peak.total) peak = { total, pages };
  }, 100);
  try {
    for (const mode of runModes) {
      const result = await runPipeline(target, { pid: ingest.pid, written }, 'ingest', mode, timing);
      process.stderr.write(`${build}, ${mode}, round ${round}: ${result.sentPoints} points sent\n`);
      const key = `${build}/${mode}`;
      const run = {
        cpuUs: result.cpuUsPerPoint.ingest ?? Number.NaN,
        peakRss: result.peakRssBytes.ingest ?? Number.NaN,
        atPeak: peak.pages,
      };
      results.set(key, [...(results.get(key) ?? []), run]);
    }
  } finally {
    clearInterval(sampler);
    await ingest.stop();
  }
}

try {
  if (heapProfile) {
    for (const mode of modes) {
      const file = join(env.dir, `ingest-${mode}.heapprofile`);
      await runIngest('this build', 0, [mode], file);
      // Read now: the environment's folder goes at the end.
      profiles.push([mode, heapProfileTable(file)]);
    }
  } else {
    for (let round = 1; round <= rounds; round++) {
      const order = round % 2 === 1 ? BUILDS : [...BUILDS].reverse();
      for (const build of order) await runIngest(build, round, modes);
      process.stderr.write(`round ${round}/${rounds} done\n`);
    }
  }
} finally {
  await broker.stop();
  await env.stop();
}

print(
  `## ingest memory — ${startedAt.toISOString()} — ${heapProfile ? 'heap profile' : `${rounds} rounds`}, windows ${timing.measureS} s`,
);
print(`load average before: ${loadBefore}; after: ${loadAverage()}`);
print();
for (const [mode, table] of profiles) {
  print(`### Allocation, ${mode} topic`);
  print();
  print(table);
  print();
}
if (!heapProfile) {
  const mib = (values: number[]) => `${fmt(median(values), 0)} (${values.map((v) => fmt(v, 0)).join(' / ')})`;
  const rows: string[][] = [];
  for (const mode of modes)
    for (const build of BUILDS) {
      const runs = results.get(`${build}/${mode}`) ?? [];
      const base = results.get(`this build/${mode}`) ?? [];
      rows.push([
        mode === 'batch'
          ? 'batch topic'
          : modes.length > 1
            ? 'per-device topic (after batch)'
            : 'per-device topic',
        build,
        `${fmt(median(runs.map((r) => r.cpuUs)), 2)} µs (${runs.map((r) => fmt(r.cpuUs, 2)).join(' / ')})`,
        `${fmtMiB(median(runs.map((r) => r.peakRss)))} (${runs.map((r) => fmtMiB(r.peakRss)).join(' / ')})`,
        mib(runs.map((r) => r.atPeak.heap)),
        mib(runs.map((r) => r.atPeak.anon)),
        mib(runs.map((r) => r.atPeak.file)),
        build === 'this build'
          ? '—'
          : `CPU ${fmtRatios(base.map((b, i) => b.cpuUs / (runs[i]?.cpuUs ?? Number.NaN)))}, RSS ${fmtRatios(base.map((b, i) => b.peakRss / (runs[i]?.peakRss ?? Number.NaN)))}`,
      ]);
    }
  print(
    markdownTable(
      [
        'topic',
        'ingest',
        'CPU per stored point',
        'peak RSS',
        'at peak: glibc heap MiB',
        'other anonymous MiB',
        'files MiB',
        'this build ÷ it, same round',
      ],
      rows,
    ),
  );
}
