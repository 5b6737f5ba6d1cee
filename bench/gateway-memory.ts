/**
 * The gateway's resident memory at 100 Modbus meters polled every second (10 Modbus TCP
 * servers × 10 meters, a mix of profiles, batches to an upstream aedes as in production),
 * against the floor: a Node process that imports the gateway's dependencies and does
 * nothing. Variants of how the gateway process is built and started alternate, ROUNDS
 * times; RSS is sampled every 250 ms over the window, its median and peak printed, with
 * the share of a core.
 *
 *   npm run bench -- gateway-memory [--quick] [--rounds N]
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { build } from 'esbuild';
import { EDGE_PROCESS_ENV } from '../edge/index.js';
import { freePort, projectFile, waitFor } from '../runtime/index.js';
import { writeBenchGatewayConfig } from './support/bench-gateway.js';
import { startBroker } from './support/brokers.js';
import { Child } from './support/child-process.js';
import { ModbusFarm } from './support/modbus-farm.js';
import { cpuSeconds, loadAverage, rssBytes } from './support/process-stats.js';
import { benchArgs, fmt, fmtMiB, fmtPct, markdownTable, median, print } from './support/report.js';

const args = benchArgs();
const rounds = args.rounds ?? (args.quick ? 1 : 2);
const timing = args.quick ? { warmupS: 10, measureS: 10 } : { warmupS: 20, measureS: 30 };
const METERS_PER_BUS = 10;
const BUSES = 10;
const MIX = ['chint-dtsu666', 'eastron-sdm120', 'chint-ddsu666', 'tuf-2000m', 'generic-pressure-rs485'];
const unitProfiles = Array.from({ length: METERS_PER_BUS }, (_, i) => MIX[i % MIX.length] as string);
/** What the gateway imports from npm at start (package.json dependencies it reaches). */
const GATEWAY_DEPENDENCIES = [
  'mqtt',
  'modbus-serial',
  'classic-level',
  'fastify',
  'pino',
  'zod',
  'prom-client',
  'yaml',
  'commander',
  'aedes',
];

interface Variant {
  name: string;
  /** Starts the process; a gateway when `gateway` is true (it has a config and polls). */
  start: (configFile: string, logFile: string) => Child;
  gateway: boolean;
}

const dir = mkdtempSync(join(tmpdir(), 'village-bench-gateway-memory-'));
const bundleDir = projectFile('data/gateway-bundle');

/** The gateway as one ES module (esbuild), npm packages with native parts left outside. */
async function bundleGatewayEntry(): Promise<string> {
  mkdirSync(bundleDir, { recursive: true });
  const outfile = join(bundleDir, 'edge-main.mjs');
  await build({
    entryPoints: [projectFile('edge/main.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    external: ['classic-level', 'serialport', '@serialport/*'],
    // CommonJS packages inside an ES module bundle still call require().
    banner: {
      js: "import { createRequire as bundleRequire } from 'node:module'; const require = bundleRequire(import.meta.url);",
    },
    logLevel: 'silent',
  });
  return outfile;
}

const floorCode = `${GATEWAY_DEPENDENCIES.map((name) => `await import('${name}');`).join(' ')} setInterval(() => {}, 1000);`;

/** Node flags the gateway variants start with on the command line, over EDGE_PROCESS_ENV's NODE_OPTIONS. */
const FLAG_SETS: ReadonlyArray<readonly string[]> = (
  process.env.BENCH_GATEWAY_FLAGS?.split(';') ?? [
    '',
    // V8's default young generation, as the gateway started before issue 26.
    '--max-semi-space-size=16',
    '--max-old-space-size=48',
    '--optimize-for-size',
  ]
).map((set) => set.split(' ').filter(Boolean));

const label = (flags: readonly string[]) => (flags.length === 0 ? 'as shipped' : flags.join(' '));
const floorName = (flags: readonly string[]) =>
  `floor: Node importing the gateway's dependencies, idle, ${label(flags)}`;

function variants(bundle: string): Variant[] {
  const env = { ...EDGE_PROCESS_ENV };
  const floor = (flags: readonly string[]): Variant => ({
    name: floorName(flags),
    start: (_config, logFile) =>
      Child.spawn(process.execPath, [...flags, '--input-type=module', '-e', floorCode], { logFile, env }),
    gateway: false,
  });
  return [
    ...FLAG_SETS.map((flags): Variant => ({
      name: `gateway, ${label(flags)}`,
      start: (config, logFile) =>
        Child.node('edge/main.ts', ['--config', config], { logFile, env, nodeFlags: [...flags] }),
      gateway: true,
    })),
    {
      name: 'gateway bundled (esbuild, one file), as shipped',
      start: (config, logFile) =>
        Child.spawn(process.execPath, [bundle, '--config', config], { logFile, env }),
      gateway: true,
    },
    floor([]),
    floor(FLAG_SETS.at(-1) ?? []),
  ];
}

interface Sample {
  medianRss: number;
  peakRss: number;
  coreShare: number;
  /** V8 heap used and external memory at the end of the window, from the gateway's /metrics. */
  heapUsed?: number;
  external?: number;
}

async function heapOf(httpPort: number): Promise<{ heapUsed: number; external: number }> {
  const text = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
  const metric = (name: string) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)`, 'm').exec(text)?.[1]);
  return {
    heapUsed: metric('nodejs_heap_size_used_bytes'),
    external: metric('nodejs_external_memory_bytes'),
  };
}

async function sampleProcess(pid: number): Promise<Sample> {
  await sleep(timing.warmupS * 1000);
  const samples: number[] = [];
  const cpuStart = cpuSeconds(pid);
  const startedAt = performance.now();
  while (performance.now() - startedAt < timing.measureS * 1000) {
    samples.push(rssBytes(pid));
    await sleep(250);
  }
  const coreShare = (cpuSeconds(pid) - cpuStart) / ((performance.now() - startedAt) / 1000);
  return { medianRss: median(samples), peakRss: Math.max(...samples), coreShare };
}

const farm = new ModbusFarm({ buses: BUSES, profiles: unitProfiles, dir });
const upstream = await startBroker('aedes', dir);
const results = new Map<string, Sample[]>();
const loadBefore = loadAverage();
try {
  const bundle = await bundleGatewayEntry();
  await farm.start();
  const all = variants(bundle);
  for (let round = 1; round <= rounds; round++) {
    for (const [index, variant] of (round % 2 === 1 ? all : [...all].reverse()).entries()) {
      const httpPort = await freePort();
      const configFile = join(dir, `edge-${round}-${index}.yaml`);
      writeBenchGatewayConfig({
        file: configFile,
        upstream: { url: upstream.url, clientId: `gw-bench-${round}-${index}` },
        httpPort,
        dataDir: join(dir, `edge-data-${round}-${index}`),
        busPorts: farm.ports.slice(0, BUSES),
        unitProfiles,
        publish: { mode: 'batch' },
      });
      const child = variant.start(configFile, join(dir, `process-${round}-${index}.log`));
      try {
        if (variant.gateway)
          await waitFor(
            'gateway ready',
            async () => (await fetch(`http://127.0.0.1:${httpPort}/readyz`)).ok,
            {
              timeoutMs: 60_000,
              intervalMs: 200,
            },
          );
        const sample = await sampleProcess(child.pid);
        if (variant.gateway) Object.assign(sample, await heapOf(httpPort));
        results.set(variant.name, [...(results.get(variant.name) ?? []), sample]);
      } finally {
        await child.stop();
      }
    }
    process.stderr.write(`round ${round}/${rounds} done\n`);
  }
} finally {
  await farm.stop();
  await upstream.stop();
  rmSync(bundleDir, { recursive: true, force: true });
  if (process.env.BENCH_KEEP === '1') process.stderr.write(`kept ${dir}\n`);
  else rmSync(dir, { recursive: true, force: true });
}

const floor = median((results.get(floorName([])) ?? []).map((s) => s.medianRss));
print(
  `## Gateway memory, ${BUSES * METERS_PER_BUS} meters polled every second (${new Date().toISOString()}, ${rounds} round(s), ${timing.measureS} s windows, load average ${loadBefore} → ${loadAverage()})`,
);
print();
print(
  markdownTable(
    [
      'process',
      'RSS, median of the window',
      'peak RSS',
      '÷ floor as shipped',
      'share of a core',
      'V8 heap used, external',
    ],
    [...results.entries()].map(([name, samples]) => {
      const rss = median(samples.map((s) => s.medianRss));
      return [
        name,
        `${fmtMiB(rss)} (${samples.map((s) => fmtMiB(s.medianRss)).join(', ')})`,
        fmtMiB(Math.max(...samples.map((s) => s.peakRss))),
        fmtPct(rss / floor),
        fmt(median(samples.map((s) => s.coreShare)), 3),
        samples[0]?.heapUsed === undefined
          ? ''
          : `${fmtMiB(median(samples.map((s) => s.heapUsed ?? 0)))}, ${fmtMiB(median(samples.map((s) => s.external ?? 0)))}`,
      ];
    }),
  ),
);
