/**
 * Our IngestService vs a naive subscriber (bench/support/naive-ingest-main.ts: mqtt.js
 * subscribe, JSON.parse, line protocol, POST /write every 1000 points, no validation,
 * no ack discipline), on the same BrokerService (auth + ACL) and the same influxd and
 * database, with the same load (canonical telemetry, QoS 1, per-device and batch topics).
 * The naive subscriber runs twice: with mqtt.js' default clean session, whose messages
 * the broker does not store (lost while the script is down), and with a persistent
 * session, stored by the broker as ours are. Consumers take turns, one at a time, ROUNDS
 * times; medians, and ours ÷ each naive variant in the same round.
 *
 *   npm run bench -- ingest-naive [--quick] [--rounds N]
 */
import { startBroker } from './support/brokers.js';
import { BenchEnvironment } from './support/bench-environment.js';
import { IngestProcess } from './support/ingest-process.js';
import { NaiveIngestProcess } from './support/naive-process.js';
import { runPipeline, type PublishMode, type RunResult, type Timing } from './support/pipeline-run.js';
import { loadAverage } from './support/process-stats.js';
import { benchArgs, fmt, fmtInt, fmtPct, markdownTable, median, print } from './support/report.js';

const args = benchArgs();
const rounds = args.rounds ?? 3;
const timing: Timing = args.quick ? { warmupS: 1, measureS: 2.5 } : { warmupS: 3, measureS: 12 };
const MODES: PublishMode[] = ['telemetry', 'batch'];
const CONSUMERS = ['ours', 'naive', 'naive-persistent'] as const;
type ConsumerKind = (typeof CONSUMERS)[number];

const env = new BenchEnvironment();
await env.start();
const broker = await startBroker('ours', env.dir);
const target = env.target(broker);
const results = new Map<string, RunResult[]>();
const key = (consumer: ConsumerKind, mode: PublishMode) => `${consumer}/${mode}`;
const loadBefore = loadAverage();
const startedAt = new Date();

async function runOnce(consumer: ConsumerKind, round: number): Promise<void> {
  const common = {
    brokerUrl: broker.url,
    users: broker.users,
    influxUrl: env.influxd.url,
    database: env.database,
    dir: env.dir,
  };
  if (consumer === 'ours') {
    const ingest = new IngestProcess({ ...common, clientId: `bench-ingest-${round}` });
    await ingest.start();
    for (const mode of MODES)
      push(
        key(consumer, mode),
        await runPipeline(
          target,
          { pid: ingest.pid, written: () => ingest.pointsWritten() },
          'consumer',
          mode,
          timing,
        ),
      );
    await ingest.stop();
  } else {
    const naive = new NaiveIngestProcess({
      ...common,
      ...(consumer === 'naive-persistent' ? { persistentSession: { clientId: `bench-naive-${round}` } } : {}),
    });
    await naive.start();
    for (const mode of MODES)
      push(
        key(consumer, mode),
        await runPipeline(target, { pid: naive.pid, written: () => naive.written }, 'consumer', mode, timing),
      );
    await naive.stop();
  }
}

function push(name: string, result: RunResult): void {
  results.set(name, [...(results.get(name) ?? []), result]);
}

try {
  for (let round = 1; round <= rounds; round++) {
    // Rotate which consumer goes first so drift in the machine's load does not favour one.
    const first = (round - 1) % CONSUMERS.length;
    const order = [...CONSUMERS.slice(first), ...CONSUMERS.slice(0, first)];
    for (const consumer of order) await runOnce(consumer, round);
    process.stderr.write(`round ${round}/${rounds} done\n`);
  }
} finally {
  await broker.stop();
  await env.stop();
}

print(
  `## ingest vs naive subscriber — ${startedAt.toISOString()} — ${args.quick ? 'quick' : 'default'}, ${rounds} rounds × ${timing.measureS} s`,
);
print(`load average before: ${loadBefore}; after: ${loadAverage()}`);
print();
const CONSUMER_LABELS: Record<ConsumerKind, string> = {
  ours: 'ours (IngestService)',
  naive: 'naive subscriber, clean session',
  'naive-persistent': 'naive subscriber, persistent session',
};
const rows: string[][] = [];
for (const mode of MODES) {
  const ours = results.get(key('ours', mode)) ?? [];
  for (const consumer of CONSUMERS) {
    const runs = results.get(key(consumer, mode)) ?? [];
    const ratios = ours.map((r, i) => r.pointsPerS / (runs[i]?.pointsPerS ?? Number.NaN));
    rows.push([
      mode === 'telemetry' ? 'per-device topic' : 'batch topic',
      CONSUMER_LABELS[consumer],
      fmtInt(median(runs.map((r) => r.pointsPerS))),
      runs.map((r) => fmtInt(r.pointsPerS)).join(' / '),
      `${fmt(median(runs.map((r) => r.cpuUsPerPoint.consumer ?? Number.NaN)), 1)} µs`,
      `${fmt(median(runs.map((r) => r.cpuUsPerPoint.broker ?? Number.NaN)), 1)} µs`,
      runs.every((r) => r.storedPoints === r.sentPoints)
        ? 'all'
        : runs.map((r) => `${r.storedPoints}/${r.sentPoints}`).join(' '),
      consumer === 'ours' ? '' : `${fmtPct(median(ratios))} (${ratios.map(fmtPct).join(', ')})`,
    ]);
  }
}
print(
  markdownTable(
    [
      'topic',
      'consumer',
      'points/s (median)',
      'per round',
      'consumer CPU/point',
      'broker CPU/point',
      'stored = sent',
      'ours ÷ this, same round',
    ],
    rows,
  ),
);
print();
print('Target: ours not slower than the naive subscriber (ratio ≥ 100 %).');
print(
  'The persistent-session row prices the same durability for the naive script: the broker stores its messages too.',
);
