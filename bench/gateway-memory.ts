/**
 * The gateway's resident memory at 100 Modbus meters polled every second (10 Modbus TCP
 * servers × 10 meters, a mix of profiles, batches to an upstream aedes as in production,
 * LAN broker off), against its floor: a Node process that imports exactly the npm
 * packages the gateway imports (deploy/imported-packages.ts follows edge/main.ts) and
 * does nothing. The gateway as shipped is the build's edge/main.js, the daemon in one
 * minified file (deploy/build.ts); beside it the same daemon as one module per file, as
 * a checkout ran it before. Variants of how the gateway process is built and started alternate,
 * ROUNDS times; RSS is sampled every 250 ms over the window, its median and peak
 * printed, with the share of a core. Then the demo site: the gateway of `npm start`'s
 * village (its devices on the simulator, the LAN broker on) as shipped and per variant
 * without node flags, with its floor
 * (the same packages and the LAN broker's) measured beside it in each window.
 *
 *   npm run bench -- gateway-memory [--quick] [--rounds N] [--window-s N] [--demo-only]
 *   BENCH_GATEWAY_VARIANTS='name=flags|ENV=value;…'  other variants (as shipped always runs;
 *   those without node flags run in the demo too)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { build } from 'esbuild';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { importedPackages } from '../deploy/index.js';
import { EDGE_PROCESS_ENV } from '../edge/index.js';
import { CODE_ROOT, projectFile, RUNNING_COMPILED } from '../runtime/index.js';
import { VillageStack } from '../stack/index.js';
import { benchGatewayFiles, startBenchGateway, type BenchGatewayPlace } from './support/bench-gateway.js';
import { bundleFloor, floorCode } from './support/gateway-floor.js';
import { startBroker } from './support/brokers.js';
import { Child } from './support/child-process.js';
import { ModbusFarm } from './support/modbus-farm.js';
import { bundleNaiveGateway, startNaiveGateway } from './support/naive-gateway.js';
import { cpuSeconds, loadAverage, rssBytes } from './support/process-stats.js';
import {
  benchArgs,
  fmt,
  fmtMiB,
  fmtPct,
  markdownTable,
  median,
  numberOption,
  print,
} from './support/report.js';
import { removeUnlessKept } from './support/bench-folder.js';

const args = benchArgs();
const rounds = args.rounds ?? (args.quick ? 1 : 2);
/** `--window-s N`: windows of N seconds (the demo's gateway allocates little and collects seldom). */
const windowS = numberOption('--window-s');
const timing = {
  ...(args.quick ? { warmupS: 10, measureS: 10 } : { warmupS: 20, measureS: 30 }),
  ...(windowS !== undefined ? { measureS: windowS } : {}),
};
/** `--demo-only`: the demo site alone, not the 100 meters. */
const demoOnly = process.argv.includes('--demo-only');
const METERS_PER_BUS = 10;
const BUSES = 10;
const MIX = ['chint-dtsu666', 'eastron-sdm120', 'chint-ddsu666', 'tuf-2000m', 'generic-pressure-rs485'];
const unitProfiles = Array.from({ length: METERS_PER_BUS }, (_, i) => MIX[i % MIX.length] as string);
interface Variant {
  name: string;
  /** Starts the process at `place`: a gateway until it is ready, a floor with its log there. */
  start: (place: BenchGatewayPlace) => Promise<{ child: Child; httpPort?: number }>;
  /** A gateway of ours: it serves /metrics, whose heap and GC figures the table shows. */
  ours?: boolean;
}

/** How a gateway process starts: node flags before the entry, environment over EDGE_PROCESS_ENV. */
interface StartVariant {
  name: string;
  flags: string[];
  env: Record<string, string>;
}

const dir = mkdtempSync(join(tmpdir(), 'village-bench-gateway-memory-'));
const bundleDir = projectFile('data/gateway-bundle');

/**
 * The daemon as one module per file: edge/main.ts compiled alone beside the build's
 * per-file modules, which it imports. Only from a build (`npm run bench`), where the
 * build's edge/main.js is the bundle.
 */
async function perFileGatewayEntry(): Promise<string | undefined> {
  if (!RUNNING_COMPILED) return undefined;
  const outfile = join(CODE_ROOT, 'edge', 'main-per-file.js');
  await build({
    entryPoints: [projectFile('edge/main.ts')],
    outfile,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    logLevel: 'warning',
  });
  return outfile;
}

const packages = await importedPackages('edge/main.ts');
/** `name=flags|ENV=value|…`: a gateway started with these node flags and this environment. */
function parseVariant(spec: string): StartVariant {
  const at = spec.indexOf('=');
  const env: Record<string, string> = {};
  const flags: string[] = [];
  for (const part of at < 0 ? [] : spec.slice(at + 1).split('|')) {
    const assignment = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(part);
    if (assignment) env[assignment[1] as string] = assignment[2] as string;
    else flags.push(...part.split(' ').filter(Boolean));
  }
  return { name: at < 0 ? spec : spec.slice(0, at), flags, env };
}

const AS_SHIPPED: StartVariant = { name: 'as shipped', flags: [], env: {} };
const START_VARIANTS: StartVariant[] = [
  AS_SHIPPED,
  ...(process.env.BENCH_GATEWAY_VARIANTS?.split(';').map(parseVariant) ?? [
    // V8's default young generation, as the gateway started before issue 26.
    {
      name: "V8's default young generation (16 MB semi-spaces)",
      flags: ['--max-semi-space-size=16'],
      env: {},
    },
    // What the gateway shipped with before the per-poll allocations were cut.
    { name: '8 MB semi-spaces', flags: ['--max-semi-space-size=8'], env: {} },
    { name: '1 MB semi-spaces', flags: ['--max-semi-space-size=1'], env: {} },
  ]),
];

const floorName = (what: string) => `floor: Node importing ${what}, idle, as shipped`;
const FLOOR = floorName(`the gateway's packages (${packages.atStart.join(', ')})`);
const FLOOR_WITH_LAN = floorName(`those and the LAN broker's (${packages.onDemand.join(', ')})`);

const PER_FILE_GATEWAY = 'gateway as one module per file (a checkout before the build bundled it)';
const BUNDLED_FLOOR = floorName(`the same packages bundled as the offline install bundles the gateway`);
const NAIVE_GATEWAY =
  'a naive gateway doing the same work with the same packages, bundled (bench/support/naive-gateway-main.ts)';

function variants(perFile: string | undefined, bundledFloor: string, naiveGateway: string): Variant[] {
  const floor = (name: string, args: string[]): Variant => ({
    name,
    start: async (place) => ({
      child: Child.spawn(process.execPath, args, {
        logFile: benchGatewayFiles(place.at).logFile,
        env: { ...EDGE_PROCESS_ENV },
      }),
    }),
  });
  return [
    ...START_VARIANTS.map((variant): Variant => ({
      name: `gateway, ${variant.name}`,
      start: (place) => startBenchGateway(place, { nodeFlags: variant.flags, env: variant.env }),
      ours: true,
    })),
    ...(perFile === undefined
      ? []
      : [
          {
            name: PER_FILE_GATEWAY,
            start: (place: BenchGatewayPlace) => startBenchGateway(place, { bundle: perFile }),
            ours: true,
          },
        ]),
    { name: NAIVE_GATEWAY, start: (place) => startNaiveGateway(naiveGateway, place) },
    floor(FLOOR, ['--input-type=module', '-e', floorCode(packages.atStart)]),
    floor(BUNDLED_FLOOR, [bundledFloor]),
  ];
}

interface Sample {
  medianRss: number;
  peakRss: number;
  coreShare: number;
  /** V8 heap used and external memory at the end of the window, from the gateway's /metrics. */
  heapUsed?: number;
  external?: number;
  /** Share of a core spent in garbage collection (prom-client's nodejs_gc_duration_seconds). */
  gcShare?: number;
}

/** Figures from the gateway's /metrics: V8 heap used, external memory, seconds spent in GC so far. */
async function gatewayFigures(
  httpPort: number,
): Promise<{ heapUsed: number; external: number; gcS: number }> {
  const text = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
  const metric = (name: string) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)`, 'm').exec(text)?.[1]);
  const gcS = [...text.matchAll(/^nodejs_gc_duration_seconds_sum\{[^}]*\} (\S+)$/gm)].reduce(
    (sum, match) => sum + Number(match[1]),
    0,
  );
  return {
    heapUsed: metric('nodejs_heap_size_used_bytes'),
    external: metric('nodejs_external_memory_bytes'),
    gcS,
  };
}

/** RSS every 250 ms over the window after a warm-up, the share of a core; the gateway's figures when it has `httpPort`. */
async function sampleProcess(pid: number, httpPort?: number): Promise<Sample> {
  await sleep(timing.warmupS * 1000);
  const samples: number[] = [];
  const cpuStart = cpuSeconds(pid);
  const gcStart = httpPort === undefined ? 0 : (await gatewayFigures(httpPort)).gcS;
  const startedAt = performance.now();
  while (performance.now() - startedAt < timing.measureS * 1000) {
    samples.push(rssBytes(pid));
    await sleep(250);
  }
  const seconds = (performance.now() - startedAt) / 1000;
  const sample: Sample = {
    medianRss: median(samples),
    peakRss: Math.max(...samples),
    coreShare: (cpuSeconds(pid) - cpuStart) / seconds,
  };
  if (httpPort === undefined) return sample;
  const { heapUsed, external, gcS } = await gatewayFigures(httpPort);
  return { ...sample, heapUsed, external, gcShare: (gcS - gcStart) / seconds };
}

/**
 * The demo village as `npm start` runs it (reports aside), the gateway as shipped and as
 * each start variant that changes only the environment (the stack starts the gateway
 * without node flags of its own): each round restarts the gateway per variant and samples
 * it and, at the same time, a fresh floor process with the LAN broker's packages too.
 * Returns the samples and how many devices the gateway serves.
 */
async function measureDemo(into: Map<string, Sample[]>): Promise<number> {
  const stack = new VillageStack({ dataDir: join(dir, 'demo'), logLevel: 'warn', reports: false });
  const demoVariants = START_VARIANTS.filter((variant) => variant.flags.length === 0);
  try {
    await stack.start();
    const edge = stack.service('edge');
    const httpPort = stack.ports.edgeHttp;
    const { devices } = (await (await fetch(`http://127.0.0.1:${httpPort}/api/devices`)).json()) as {
      devices: unknown[];
    };
    for (let round = 1; round <= rounds; round++) {
      for (const variant of round % 2 === 1 ? demoVariants : [...demoVariants].reverse()) {
        await edge.stop();
        await edge.start({ env: variant.env });
        const floor = Child.spawn(
          process.execPath,
          ['--input-type=module', '-e', floorCode([...packages.atStart, ...packages.onDemand])],
          { logFile: join(dir, `demo-floor-${round}-${variant.name}.log`), env: { ...EDGE_PROCESS_ENV } },
        );
        try {
          const [gateway, idle] = await Promise.all([
            sampleProcess(edge.pid as number, httpPort),
            sampleProcess(floor.pid),
          ]);
          const name = demoGateway(variant);
          into.set(name, [...(into.get(name) ?? []), gateway]);
          into.set(FLOOR_WITH_LAN, [...(into.get(FLOOR_WITH_LAN) ?? []), idle]);
        } finally {
          await floor.stop();
        }
      }
      process.stderr.write(`demo round ${round}/${rounds} done\n`);
    }
    return devices.length;
  } finally {
    await stack.stop();
  }
}

const demoGateway = (variant: StartVariant) => `gateway of the demo village (LAN broker on), ${variant.name}`;
const farm = new ModbusFarm({ buses: BUSES, profiles: unitProfiles, dir });
const upstream = await startBroker('aedes', dir);
const results = new Map<string, Sample[]>();
const demoResults = new Map<string, Sample[]>();
let demoDevices = 0;
const loadBefore = loadAverage();
try {
  const perFile = demoOnly ? undefined : await perFileGatewayEntry();
  await farm.start();
  const all = demoOnly
    ? []
    : variants(perFile, await bundleFloor(packages.atStart, bundleDir), await bundleNaiveGateway(bundleDir));
  for (let round = 1; round <= (demoOnly ? 0 : rounds); round++) {
    for (const [index, variant] of (round % 2 === 1 ? all : [...all].reverse()).entries()) {
      const { child, httpPort } = await variant.start({
        at: join(dir, `process-${round}-${index}`),
        upstream: { url: upstream.url, clientId: `gw-bench-${round}-${index}` },
        farm,
        publish: { mode: 'batch' },
      });
      try {
        const sample = await sampleProcess(child.pid, variant.ours ? httpPort : undefined);
        results.set(variant.name, [...(results.get(variant.name) ?? []), sample]);
      } finally {
        await child.stop();
      }
    }
    process.stderr.write(`round ${round}/${rounds} done\n`);
  }
  await farm.stop();
  await upstream.stop();
  demoDevices = await measureDemo(demoResults);
} finally {
  await farm.stop();
  await upstream.stop();
  rmSync(bundleDir, { recursive: true, force: true });
  removeUnlessKept(dir);
}

const loadAfter = loadAverage();

function table(samplesByName: Map<string, Sample[]>, floorOf: string): string {
  const floor = median((samplesByName.get(floorOf) ?? []).map((s) => s.medianRss));
  return markdownTable(
    [
      'process',
      'RSS, median of the window',
      'peak RSS',
      '÷ floor',
      'share of a core',
      'in GC (wall time, inflates under load)',
      'V8 heap used, external',
    ],
    [...samplesByName.entries()].map(([name, samples]) => {
      const rss = median(samples.map((s) => s.medianRss));
      return [
        name,
        `${fmtMiB(rss)} (${samples.map((s) => fmtMiB(s.medianRss)).join(', ')})`,
        fmtMiB(Math.max(...samples.map((s) => s.peakRss))),
        fmtPct(rss / floor),
        fmt(median(samples.map((s) => s.coreShare)), 3),
        samples[0]?.gcShare === undefined ? '' : fmt(median(samples.map((s) => s.gcShare ?? 0)), 4),
        samples[0]?.heapUsed === undefined
          ? ''
          : `${fmtMiB(median(samples.map((s) => s.heapUsed ?? 0)))}, ${fmtMiB(median(samples.map((s) => s.external ?? 0)))}`,
      ];
    }),
  );
}

function printMeters(): void {
  print(
    `## Gateway memory, ${BUSES * METERS_PER_BUS} meters polled every second (${new Date().toISOString()}, ${rounds} round(s), ${timing.measureS} s windows, load average ${loadBefore} → ${loadAfter})`,
  );
  print();
  print(table(results, FLOOR));
  print();
  const medianRss = (name: string) => median((results.get(name) ?? []).map((s) => s.medianRss));
  const medianCore = (name: string) => median((results.get(name) ?? []).map((s) => s.coreShare));
  const AS_SHIPPED_GATEWAY = `gateway, ${AS_SHIPPED.name}`;
  print(
    `- the gateway as shipped (one minified file) ÷ the floor bundled the same way: ${fmtPct(medianRss(AS_SHIPPED_GATEWAY) / medianRss(BUNDLED_FLOOR))}`,
  );
  print(
    `- the gateway as shipped ÷ a naive gateway doing the same work with the same packages, bundled the same way: ${fmtPct(medianRss(AS_SHIPPED_GATEWAY) / medianRss(NAIVE_GATEWAY))} of its RSS, ${fmtPct(medianCore(AS_SHIPPED_GATEWAY) / medianCore(NAIVE_GATEWAY))} of its CPU`,
  );
  if (results.has(PER_FILE_GATEWAY))
    print(
      `- the gateway as one module per file ÷ the floor as files: ${fmtPct(medianRss(PER_FILE_GATEWAY) / medianRss(FLOOR))}`,
    );
  print();
}
if (!demoOnly) printMeters();
print(
  `## The demo village's gateway, ${demoDevices} devices (${demoOnly ? `${new Date().toISOString()}, ${rounds} round(s), load average ${loadBefore} → ${loadAfter}` : 'same run'}, ${timing.measureS} s windows)`,
);
print();
print(table(demoResults, FLOOR_WITH_LAN));
