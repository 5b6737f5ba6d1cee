/**
 * The whole village platform on one box at demo load (issue 26, target 2: ≤ 250 MB RSS and
 * ≤ 5 % of one core for broker, ingest, alerting, gateway and influxd; the simulator and
 * reports excluded): the demo stack as `npm start` runs it, with broker, ingest, alerting and
 * the gateway in one process (deploy/village), against the same services each in its own
 * process (`npm start -- --processes`, a county's layout), back to back in every round.
 *
 * Each run starts a fresh stack (60 devices of site/demo-village.yaml polled from the
 * simulator, with the site's reporting as shipped: report by exception, minute batches),
 * waits for the warm-up (every device polled, the LAN devices logged in, points stored),
 * then measures a window: CPU of the platform's processes over it, their RSS sampled every
 * second (the end and the peak), and the points ingest wrote, so both layouts are shown
 * doing the same work.
 *
 *   npm run bench -- village-footprint [--quick] [--rounds N]     (--quick: 60 s windows, 2 rounds)
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { VillageStack } from '../stack/index.js';
import { findInfluxdPid } from './support/influxd-pid.js';
import { cpuSeconds, loadAverage, rssBytes } from './support/process-stats.js';
import {
  benchArgs,
  fmt,
  fmtInt,
  fmtMiB,
  fmtPct,
  fmtRatios,
  markdownTable,
  median,
  print,
} from './support/report.js';
import { removeUnlessKept } from './support/bench-folder.js';

const args = benchArgs();
const ROUNDS = args.rounds ?? (args.quick ? 2 : 3);
const WINDOW_S = args.quick ? 60 : 180;
const WARM_UP_S = 45;
const MIB = 1024 * 1024;

type Layout = 'single' | 'processes';
const LAYOUTS: readonly Layout[] = ['processes', 'single'];
const LABEL: Record<Layout, string> = {
  single: 'one process (npm start)',
  processes: 'one process per service (--processes)',
};

interface Run {
  layout: Layout;
  round: number;
  /** Sum over the platform's processes at the window's end, and the highest sum sampled in it. */
  rssBytes: number;
  peakRssBytes: number;
  rssByProcess: Record<string, number>;
  /** CPU of all of them over the window, in cores. */
  cores: number;
  pointsPerMinute: number;
  /** V8 heap in use, summed over the Node processes, at the end (from each one's /metrics). */
  heapUsedBytes: number;
}

/** A metric from a /metrics page, summed over its label sets (points written, by measurement). */
async function metricValue(url: string, name: string): Promise<number> {
  const text = await (await fetch(url)).text();
  const lines = [...text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)`, 'gm'))];
  return lines.length === 0 ? Number.NaN : lines.reduce((total, line) => total + Number(line[1]), 0);
}

/** Points ingest has written, from its own /metrics. */
const pointsWritten = (stack: VillageStack) =>
  metricValue(`http://127.0.0.1:${stack.ports.ingestHttp}/metrics`, 'ingest_points_written_total');

async function measure(layout: Layout, round: number): Promise<Run> {
  const dir = mkdtempSync(join(tmpdir(), `village-bench-footprint-${layout}-`));
  const stack = new VillageStack({
    dataDir: join(dir, 'stack'),
    logLevel: 'warn',
    reports: false,
    siteReporting: 'site',
    singleProcess: layout === 'single',
  });
  try {
    await stack.start();
    const names =
      layout === 'single' ? (['village'] as const) : (['broker', 'ingest', 'alerting', 'edge'] as const);
    const pids: Record<string, number> = {};
    for (const name of names) pids[name] = stack.service(name).pid!;
    const influxd = findInfluxdPid(join(stack.dataDir, 'influxdb'));
    if (influxd === undefined) throw new Error('cannot find the influxd process');
    pids.influxd = influxd;
    // One module's /metrics per Node process: in one process every registry reports the same heap.
    const heapUrls = (
      layout === 'single'
        ? [stack.ports.ingestHttp]
        : [stack.ports.brokerHttp, stack.ports.ingestHttp, stack.ports.alertingHttp, stack.ports.edgeHttp]
    ).map((port) => `http://127.0.0.1:${port}/metrics`);

    await sleep(WARM_UP_S * 1000);
    const rssSum = () => Object.values(pids).reduce((total, pid) => total + rssBytes(pid), 0);
    const cpu = () => Object.values(pids).reduce((total, pid) => total + cpuSeconds(pid), 0);
    const pointsAtStart = await pointsWritten(stack);
    const cpuAtStart = cpu();
    const startedAt = performance.now();
    let peak = rssSum();
    while (performance.now() - startedAt < WINDOW_S * 1000) {
      await sleep(1000);
      peak = Math.max(peak, rssSum());
    }
    const seconds = (performance.now() - startedAt) / 1000;
    const cores = (cpu() - cpuAtStart) / seconds;
    const points = (await pointsWritten(stack)) - pointsAtStart;
    const rssByProcess = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, rssBytes(pid)]));
    let heapUsedBytes = 0;
    for (const url of heapUrls) heapUsedBytes += await metricValue(url, 'nodejs_heap_size_used_bytes');
    return {
      layout,
      round,
      rssBytes: Object.values(rssByProcess).reduce((total, bytes) => total + bytes, 0),
      peakRssBytes: peak,
      rssByProcess,
      cores,
      pointsPerMinute: (points * 60) / seconds,
      heapUsedBytes,
    };
  } finally {
    await stack.stop();
    removeUnlessKept(dir);
  }
}

const loadBefore = loadAverage();
const runs: Run[] = [];
for (let round = 1; round <= ROUNDS; round++) {
  // Alternate which layout goes first, so neither always meets a box warmed by the other.
  const order = round % 2 === 1 ? LAYOUTS : [...LAYOUTS].reverse();
  for (const layout of order) {
    const run = await measure(layout, round);
    runs.push(run);
    process.stderr.write(
      `round ${round} ${layout}: ${fmtMiB(run.rssBytes)} (peak ${fmtMiB(run.peakRssBytes)}), ${fmtPct(run.cores)} of a core, load ${loadAverage()}\n`,
    );
  }
}

const of = (layout: Layout) => runs.filter((run) => run.layout === layout);
const ratio = (pick: (run: Run) => number) =>
  Array.from({ length: ROUNDS }, (_, i) => {
    const single = runs.find((run) => run.layout === 'single' && run.round === i + 1)!;
    const separate = runs.find((run) => run.layout === 'processes' && run.round === i + 1)!;
    return pick(single) / pick(separate);
  });

print(
  `## The village platform at demo load (${new Date().toISOString()}, ${ROUNDS} rounds, ${WINDOW_S} s windows after ${WARM_UP_S} s warm-up, load average ${loadBefore} → ${loadAverage()})`,
);
print();
print(
  markdownTable(
    [
      'layout',
      'RSS at the end (median; rounds)',
      'peak RSS in the window',
      'each process at the end (last round)',
      'CPU, share of one core',
      'V8 heap in use',
      'points stored a minute',
    ],
    LAYOUTS.map((layout) => {
      const mine = of(layout);
      const last = mine.at(-1)!;
      return [
        LABEL[layout],
        `${fmtMiB(median(mine.map((r) => r.rssBytes)))} (${mine.map((r) => fmtMiB(r.rssBytes)).join(', ')})`,
        fmtMiB(median(mine.map((r) => r.peakRssBytes))),
        Object.entries(last.rssByProcess)
          .map(([name, bytes]) => `${name} ${fmtInt(bytes / MIB)}`)
          .join(', '),
        `${fmtPct(median(mine.map((r) => r.cores)))} (${mine.map((r) => fmt(r.cores * 100, 1)).join(', ')} %)`,
        fmtMiB(median(mine.map((r) => r.heapUsedBytes))),
        fmtInt(median(mine.map((r) => r.pointsPerMinute))),
      ];
    }),
  ),
);
print();
print(
  `One process ÷ one per service, same round: RSS ${fmtRatios(ratio((r) => r.rssBytes))}, peak ${fmtRatios(ratio((r) => r.peakRssBytes))}, CPU ${fmtRatios(ratio((r) => r.cores))}.`,
);
print(
  'Target (issue 26): ≤ 250 MB RSS and ≤ 5 % of one core for broker, ingest, alerting, gateway and influxd.',
);
