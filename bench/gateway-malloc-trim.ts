/**
 * What glibc's malloc_trim(0) gives back from a running gateway: the build's bundled daemon
 * polling 100 Modbus meters every second, and the bundled import floor, started side by side;
 * after a warm-up gdb calls malloc_trim(0) in some of them (in the others, the control, gdb
 * calls getpid(): the same stop of the process) and
 * RSS and PSS (smaps_rollup) and the main heap's RSS ([heap] in smaps) are sampled every
 * second: the median of 10 s before the call, the first sample after it, and the medians of
 * 10 s windows centred 60 s and 120 s later (does it come back?); what each call gave back
 * (RSS just before and just after it); malloc's free bytes (malloc_stats()) before it and at
 * the end. `--every-minute` trims again after each window, a third at 180 s. Each round is a
 * new start of every process.
 *
 *   npm run bench -- gateway-malloc-trim [--rounds N] [--trimmed N] [--controls N] [--every-minute] [--gateway /path/main.js]
 *   (needs gdb; `BENCH_KEEP=1` keeps the logs)
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { importedPackages } from '../deploy/index.js';
import { EDGE_PROCESS_ENV } from '../edge/index.js';
import { CODE_ROOT, projectFile } from '../runtime/index.js';
import { startBenchGateway } from './support/bench-gateway.js';
import { bundleFloor } from './support/gateway-floor.js';
import { startBroker } from './support/brokers.js';
import { Child } from './support/child-process.js';
import { ModbusFarm } from './support/modbus-farm.js';
import { cpuSeconds, loadAverage, readSmaps, readSmapsRollup } from './support/process-stats.js';
import { removeUnlessKept } from './support/bench-folder.js';
import { benchArgs, fmt, markdownTable, median, numberOption, print } from './support/report.js';

const args = benchArgs();
const rounds = args.rounds ?? 3;
/** Gateways trimmed per round; controls run untrimmed beside them, and a floor of each kind. */
const trimmedPerRound = numberOption('--trimmed') ?? 2;
/** Untrimmed gateways per round. */
const controlsPerRound = numberOption('--controls') ?? 1;
const gatewayAt = process.argv.indexOf('--gateway');
const gatewayFile =
  gatewayAt >= 0 ? (process.argv[gatewayAt + 1] as string) : join(CODE_ROOT, 'edge', 'main.js');
const WARMUP_S = 40;
const WINDOW_S = 10;
/** `--every-minute`: trimmed again after each window but the last (60, 120, 180 s), as a timer would. */
const everyMinute = process.argv.includes('--every-minute');
const AFTER_S = everyMinute ? [60, 120, 180] : [60, 120];
const MIX = ['chint-dtsu666', 'eastron-sdm120', 'chint-ddsu666', 'tuf-2000m', 'generic-pressure-rs485'];
const unitProfiles = Array.from({ length: 10 }, (_, i) => MIX[i % MIX.length] as string);

interface Memory {
  rss: number;
  pss: number;
  heap: number;
}
const KIB = 1024;
/** NaN for a process that is gone (the table then says it exited). */
function memory(pid: number): Memory {
  if (!existsSync(`/proc/${pid}/smaps_rollup`)) return { rss: NaN, pss: NaN, heap: NaN };
  const { rss, pss } = readSmapsRollup(pid);
  const heap = readSmaps(pid).find((mapping) => mapping.name === '[heap]')?.rss ?? 0;
  return { rss, pss, heap };
}
const cpuOf = (pid: number) => (existsSync(`/proc/${pid}/stat`) ? cpuSeconds(pid) : NaN);
const medianOf = (samples: Memory[]): Memory => ({
  rss: median(samples.map((s) => s.rss)),
  pss: median(samples.map((s) => s.pss)),
  heap: median(samples.map((s) => s.heap)),
});

/**
 * Runs gdb commands in the process. malloc_stats() prints each arena's and the total "system
 * bytes" (taken from the kernel) and "in use bytes" to the process's stderr, its log here.
 */
function gdbCall(pid: number, calls: string[]): { out: string; ms: number } {
  const startedAt = performance.now();
  if (!existsSync(`/proc/${pid}`)) return { out: 'gone', ms: 0 };
  const out = execFileSync(
    'gdb',
    ['-p', String(pid), '-batch', ...calls.flatMap((call) => ['-ex', `call ${call}`])],
    {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 30_000,
    },
  );
  return { out, ms: performance.now() - startedAt };
}
const STATS = '(void) malloc_stats()';

/** Free bytes malloc holds (system − in use, all arenas) at each malloc_stats() call in a log. */
function mallocFree(logFile: string): number[] {
  const log = readFileSync(logFile, 'utf8');
  return [
    ...log.matchAll(/Total \(incl\. mmap\):\s+system bytes\s+=\s+(\d+)\s+in use bytes\s+=\s+(\d+)/g),
  ].map((m) => Number(m[1]) - Number(m[2]));
}

interface Participant {
  kind: 'gateway' | 'floor';
  trim: boolean;
  round: number;
  child: Child;
  logFile: string;
  samples: Memory[];
  phases: Memory[];
  trimResult?: string;
  cpuBefore?: number;
  cpuAfter?: number;
  wallS?: number;
  /** RSS given back by each call: just before it − just after (gdb stops the process meanwhile). */
  released: number[];
  /** How it ended, if it ended before the round did. */
  exit?: string;
  /** malloc's free bytes: before each gdb call, and at the end. */
  mallocFree?: number[];
}

const dir = mkdtempSync(join(tmpdir(), 'village-bench-malloc-trim-'));
const bundleDir = projectFile('data/gateway-trim-bundle');
const packages = await importedPackages('edge/main.ts');
const floorFile = await bundleFloor(packages.atStart, bundleDir);
const farm = new ModbusFarm({ buses: 10, profiles: unitProfiles, dir });
const upstream = await startBroker('aedes', dir);
const done: Participant[] = [];
const loadBefore = loadAverage();
try {
  await farm.start();
  for (let round = 1; round <= rounds; round++) {
    const running: Participant[] = [];
    try {
      for (let index = 0; index < trimmedPerRound + controlsPerRound; index++) {
        const { child, logFile } = await startBenchGateway(
          {
            at: join(dir, `edge-${round}-${index}`),
            upstream: { url: upstream.url, clientId: `gw-trim-${round}-${index}` },
            farm,
            publish: { mode: 'batch' },
          },
          { bundle: gatewayFile },
        );
        running.push({
          kind: 'gateway',
          trim: index < trimmedPerRound,
          round,
          child,
          logFile,
          samples: [],
          phases: [],
          released: [],
        });
      }
      for (const trim of [true, false]) {
        const logFile = join(dir, `floor-${round}-${trim}.log`);
        const child = Child.spawn(process.execPath, [floorFile], { logFile, env: { ...EDGE_PROCESS_ENV } });
        running.push({ kind: 'floor', trim, round, child, logFile, samples: [], phases: [], released: [] });
      }
      /** One sample a second for WINDOW_S seconds; each process's median becomes its next phase. */
      const sampleWindow = async () => {
        for (let s = 0; s < WINDOW_S; s++) {
          running.forEach((p) => p.samples.push(memory(p.child.pid)));
          await sleep(1000);
        }
        running.forEach((p) => {
          p.phases.push(medianOf(p.samples));
          p.samples = [];
        });
      };
      await sleep((WARMUP_S - WINDOW_S) * 1000);
      await sampleWindow();
      running.forEach((p) => (p.cpuBefore = cpuOf(p.child.pid)));
      // A control gets the same gdb stop (malloc_stats and getpid in place of malloc_trim), so
      // that what the stop itself does to V8 (a process stopped for half a second allocates
      // nothing meanwhile) is not counted as the trim's.
      const trimAll = () => {
        for (const p of running) {
          const justBefore = memory(p.child.pid).rss;
          const { out, ms } = gdbCall(p.child.pid, [
            STATS,
            p.trim ? '(int) malloc_trim(0)' : '(int) getpid()',
          ]);
          if (p.trim) p.trimResult ??= `${/^\$1 = (\d+)/m.exec(out)?.[1] ?? '?'} (${fmt(ms, 0)} ms)`;
          p.released.push(justBefore - memory(p.child.pid).rss);
        }
      };
      const trimmedAt = performance.now();
      trimAll();
      running.forEach((p) => p.phases.push(memory(p.child.pid)));
      for (const [w, afterS] of AFTER_S.entries()) {
        const from = trimmedAt + (afterS - WINDOW_S / 2) * 1000;
        await sleep(Math.max(0, from - performance.now()));
        await sampleWindow();
        if (everyMinute && w < AFTER_S.length - 1) trimAll();
      }
      running.forEach((p) => {
        p.cpuAfter = cpuOf(p.child.pid);
        p.wallS = (performance.now() - trimmedAt) / 1000;
      });
      for (const p of running) gdbCall(p.child.pid, [STATS]);
      await sleep(1000);
      running.forEach((p) => {
        p.mallocFree = mallocFree(p.logFile);
        if (p.child.exited) p.exit = `${p.child.process.exitCode ?? p.child.process.signalCode}`;
      });
      done.push(...running);
    } finally {
      for (const { child } of running) await child.stop();
    }
    process.stderr.write(`round ${round}/${rounds} done (load average ${loadAverage()})\n`);
  }
} finally {
  await farm.stop();
  await upstream.stop();
  rmSync(bundleDir, { recursive: true, force: true });
  removeUnlessKept(dir);
}

const mib = (bytes: number) => fmt(bytes / KIB / KIB, 1);
const row = (p: Participant, key: keyof Memory) => p.phases.map((m) => mib(m[key])).join(' → ');
print(
  `## malloc_trim(0) through gdb, 100 meters a second (${new Date().toISOString()}, ${rounds} round(s), load average ${loadBefore} → ${loadAverage()})`,
);
print();
print(
  `MiB: median of ${WINDOW_S} s before → first sample after the call → medians of ${WINDOW_S} s around ${AFTER_S.join(', ')} s after${everyMinute ? ', trimmed again after each but the last' : ''}; CPU from the call to the last window's end`,
);
print();
print(
  markdownTable(
    [
      'round',
      'process',
      'malloc_trim (returned, time)',
      'RSS',
      'PSS',
      '[heap] RSS',
      'RSS given back by each gdb call (control: getpid)',
      "malloc's free bytes (before, end)",
      'share of a core after',
    ],
    done.map((p) => [
      String(p.round),
      `${p.kind}${p.trim ? ', trimmed' : ', control'}${p.exit ? `, exited before the end (${p.exit})` : ''}`,
      p.trimResult ?? '—',
      row(p, 'rss'),
      row(p, 'pss'),
      row(p, 'heap'),
      p.released.map(mib).join(', '),
      (p.mallocFree ?? []).map(mib).join(', '),
      fmt(((p.cpuAfter ?? NaN) - (p.cpuBefore ?? NaN)) / (p.wallS ?? NaN), 3),
    ]),
  ),
);
print();
for (const kind of ['gateway', 'floor'] as const) {
  const medians = (trim: boolean) => {
    const group = done.filter((p) => p.kind === kind && p.trim === trim);
    const phases = group[0]?.phases.length ?? 0;
    const rss = Array.from({ length: phases }, (_, i) =>
      mib(median(group.map((p) => p.phases[i]?.rss ?? NaN))),
    );
    const core = median(group.map((p) => ((p.cpuAfter ?? NaN) - (p.cpuBefore ?? NaN)) / (p.wallS ?? NaN)));
    return `${rss.join(' → ')} MiB, ${fmt(core, 3)} of a core (${group.length})`;
  };
  print(`- ${kind}, median RSS of each phase: trimmed ${medians(true)}; control ${medians(false)}`);
}
