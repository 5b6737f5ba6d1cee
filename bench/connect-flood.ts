/**
 * What a CONNECT flood costs the clients already connected. The pipeline of the ingest
 * benchmarks (4 gateway publishers, QoS 1, per-device topic → BrokerService with its
 * journal → IngestService → influxd) runs at saturation, first alone, then while a
 * flood process sends 1,000 CONNECTs/s that must fail:
 *
 * - `unknown-users`: a new random username each time, all from 127.0.0.1 (a script on
 *   the box, or one machine on the network);
 * - `known-user, 250 addresses`: `ingest` with wrong passwords from 127.0.2.1 … 127.0.2.250
 *   (a botnet that guessed a real username: every try would cost a password check).
 *
 * Each against our broker with its default limits and against the same broker with the
 * limits lifted (every CONNECT checked as it comes, as before issue 20). The figure is
 * the share of the no-flood rate the pipeline keeps, in the same round.
 *
 *   npm run bench -- connect-flood [--quick] [--rounds N]
 */
import { startBroker, type RunningBroker } from './support/brokers.js';
import { BenchEnvironment } from './support/bench-environment.js';
import { ConnectFlood, type FloodMode, type FloodReport } from './support/connect-flood.js';
import { IngestProcess } from './support/ingest-process.js';
import { runPipeline, type RunResult, type Timing } from './support/pipeline-run.js';
import { loadAverage, ProcessMeter } from './support/process-stats.js';
import { benchArgs, fmt, fmtInt, fmtRatios, markdownTable, median, print } from './support/report.js';

const args = benchArgs();
const rounds = args.rounds ?? 3;
const timing: Timing = args.quick ? { warmupS: 1.5, measureS: 4 } : { warmupS: 3, measureS: 10 };
const FLOOD_RATE = 1000;

type BrokerVariant = 'limited' | 'unlimited';
const BROKER_LABELS: Record<BrokerVariant, string> = {
  limited: 'default limits',
  unlimited: 'limits lifted (as before)',
};
const LIFTED_LIMITS = {
  BROKER_MAX_CONNECTIONS: '1000000',
  BROKER_MAX_CONNECTIONS_PER_ADDRESS: '1000000',
  BROKER_CONNECTS_PER_SECOND_PER_ADDRESS: '100000',
  BROKER_CONNECTS_PER_SECOND: '1000000',
  BROKER_FAILED_LOGINS_PER_MINUTE_PER_ADDRESS: '100000',
  BROKER_CONCURRENT_PASSWORD_CHECKS: '64',
  BROKER_WAITING_PASSWORD_CHECKS: '100000',
};

interface Flood {
  name: string;
  mode: FloodMode;
  addresses: number;
}
const FLOODS: Array<Flood | undefined> = [
  undefined,
  { name: 'unknown users, 1 address', mode: 'unknown-users', addresses: 1 },
  { name: 'known user, 250 addresses', mode: 'known-user', addresses: 250 },
];
const floodName = (flood: Flood | undefined) => flood?.name ?? 'none';

interface Run {
  result: RunResult;
  flood: FloodReport | undefined;
  floodCores: number;
}

const env = new BenchEnvironment();
await env.start();
const results = new Map<string, Run[]>();
const key = (broker: BrokerVariant, flood: Flood | undefined) => `${broker}/${floodName(flood)}`;
const loadBefore = loadAverage();
const startedAt = new Date();

async function runBroker(variant: BrokerVariant, round: number): Promise<void> {
  const broker: RunningBroker = await startBroker(
    'ours',
    env.dir,
    [],
    'disk',
    variant === 'unlimited' ? LIFTED_LIMITS : {},
  );
  const port = Number(new URL(broker.url).port);
  const ingest = new IngestProcess({
    ...env.consumerPlace(broker),
    clientId: `ingest-flood-${variant}-${round}`,
  });
  try {
    await ingest.start();
    const consumer = { pid: ingest.pid, written: () => ingest.pointsWritten() };
    const order = round % 2 === 1 ? FLOODS : [...FLOODS].reverse();
    for (const flood of order) {
      const generator = flood
        ? new ConnectFlood({
            port,
            rate: FLOOD_RATE,
            mode: flood.mode,
            username: 'ingest',
            addresses: flood.addresses,
            dir: env.dir,
          })
        : undefined;
      let meter: ProcessMeter | undefined;
      const result = await runPipeline(
        env.target(broker),
        consumer,
        'ingest',
        'telemetry',
        timing,
        undefined,
        () => {
          if (!generator) return;
          generator.start();
          meter = new ProcessMeter(generator.pid);
          meter.begin();
        },
      );
      const used = meter?.end();
      const report = await generator?.stop();
      const name = key(variant, flood);
      results.set(name, [
        ...(results.get(name) ?? []),
        { result, flood: report, floodCores: used ? used.cpuS / used.wallS : 0 },
      ]);
    }
  } finally {
    await ingest.stop();
    await broker.stop();
  }
}

try {
  for (let round = 1; round <= rounds; round++) {
    const variants: BrokerVariant[] = round % 2 === 1 ? ['limited', 'unlimited'] : ['unlimited', 'limited'];
    for (const variant of variants) await runBroker(variant, round);
    process.stderr.write(`round ${round}/${rounds} done\n`);
  }
} finally {
  await env.stop();
}

print(
  `## connect-flood — ${startedAt.toISOString()} — ${args.quick ? 'quick' : 'default'}, ${rounds} rounds × ${timing.measureS} s, ${FLOOD_RATE} bad CONNECTs/s offered, per-device topic, QoS 1`,
);
print(`load average before: ${loadBefore}; after: ${loadAverage()}`);
print();
const rows: string[][] = [];
for (const variant of ['limited', 'unlimited'] as const) {
  const calm = results.get(key(variant, undefined)) ?? [];
  for (const flood of FLOODS) {
    const runs = results.get(key(variant, flood)) ?? [];
    const shares = runs.map((run, i) => run.result.pointsPerS / (calm[i]?.result.pointsPerS ?? Number.NaN));
    const outcomes: Record<string, number> = {};
    let attemptedPerS = 0;
    for (const run of runs) {
      for (const [outcome, n] of Object.entries(run.flood?.outcomes ?? {}))
        outcomes[outcome] = (outcomes[outcome] ?? 0) + n;
      attemptedPerS += (run.flood?.attempted ?? 0) / (run.flood?.elapsedS || 1) / runs.length;
    }
    rows.push([
      BROKER_LABELS[variant],
      floodName(flood),
      fmtInt(median(runs.map((r) => r.result.pointsPerS))),
      flood ? fmtRatios(shares) : '100 %',
      `${fmt(median(runs.map((r) => r.result.cores.broker ?? Number.NaN)), 2)}`,
      flood ? fmtInt(attemptedPerS) : '—',
      flood ? fmt(median(runs.map((r) => r.floodCores)), 2) : '—',
      Object.entries(outcomes)
        .sort(([, a], [, b]) => b - a)
        .map(([outcome, n]) => `${outcome}: ${n}`)
        .join(', ') || '—',
      runs.every((r) => r.result.storedPoints === r.result.sentPoints)
        ? 'all'
        : runs.map((r) => `${r.result.storedPoints}/${r.result.sentPoints}`).join(' '),
    ]);
  }
}
print(
  markdownTable(
    [
      'broker',
      'flood',
      'points/s (median)',
      'share of no-flood rate (per round)',
      'broker cores',
      'bad CONNECTs/s sent',
      'flood generator cores',
      'how the CONNECTs ended (all rounds)',
      'stored / sent',
    ],
    rows,
  ),
);
