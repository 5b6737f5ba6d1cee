/**
 * Our IngestService vs a naive subscriber (bench/support/naive-ingest-main.ts: mqtt.js
 * subscribe, JSON.parse, line protocol, POST /write every 1000 points, no validation,
 * no ack discipline), on the same BrokerService (auth + ACL) and the same influxd and
 * database, with the same load (canonical telemetry, QoS 1, per-device and batch topics).
 *
 * Every rate is divided by the naive script's with mqtt.js' default clean session in the
 * same round: the broker stores nothing for that one, so its messages are lost while it
 * is down. Two more rows tell where a difference comes from: the naive script with a
 * persistent session (journalled by the broker as ours is), and ours on a second broker
 * that keeps sessions in memory (`BROKER_PERSISTENCE=memory`, not journalled). And the naive
 * script on mqtt-packet (the protocol library under mqtt.js) over a bare socket, persistent:
 * what a subscriber of our own instead of mqtt.js could save at most. Consumers
 * take turns, one at a time, ROUNDS times; medians.
 *
 *   npm run bench -- ingest-naive [--quick] [--rounds N]
 */
import { startBroker, type RunningBroker } from './support/brokers.js';
import { BenchEnvironment } from './support/bench-environment.js';
import { IngestProcess } from './support/ingest-process.js';
import { NaiveIngestProcess } from './support/naive-process.js';
import {
  runPipeline,
  type Consumer,
  type PublishMode,
  type RunResult,
  type Timing,
} from './support/pipeline-run.js';
import { loadAverage } from './support/process-stats.js';
import { benchArgs, fmt, fmtInt, fmtRatios, markdownTable, median, print } from './support/report.js';

const args = benchArgs();
const rounds = args.rounds ?? 3;
const timing: Timing = args.quick ? { warmupS: 1, measureS: 2.5 } : { warmupS: 3, measureS: 12 };
const MODES: PublishMode[] = ['telemetry', 'batch'];
const CONSUMERS = ['ours', 'naive', 'naive-persistent', 'naive-mqtt-packet', 'ours-memory-sessions'] as const;
type ConsumerKind = (typeof CONSUMERS)[number];
const CONSUMER_LABELS: Record<ConsumerKind, string> = {
  ours: 'ours (IngestService)',
  naive: 'naive subscriber, clean session',
  'naive-persistent': 'naive subscriber, persistent session',
  'naive-mqtt-packet': 'naive subscriber on mqtt-packet over a bare socket, persistent session',
  'ours-memory-sessions': 'ours, broker sessions in memory',
};

const env = new BenchEnvironment();
await env.start();
const broker = await startBroker('ours', env.dir);
const memoryBroker = await startBroker('ours', env.dir, [], 'memory');
const results = new Map<string, RunResult[]>();
const key = (consumer: ConsumerKind, mode: PublishMode) => `${consumer}/${mode}`;
const loadBefore = loadAverage();
const startedAt = new Date();

/** Starts `consumer` on `on`, runs every mode through it, stops it. */
async function measure(
  consumer: ConsumerKind,
  on: RunningBroker,
  start: () => Promise<Consumer & { stop(): Promise<void> }>,
): Promise<void> {
  const running = await start();
  for (const mode of MODES)
    push(key(consumer, mode), await runPipeline(env.target(on), running, 'consumer', mode, timing));
  await running.stop();
}

async function runOnce(consumer: ConsumerKind, round: number): Promise<void> {
  const on = consumer === 'ours-memory-sessions' ? memoryBroker : broker;
  const common = env.consumerPlace(on);
  await measure(consumer, on, async () => {
    if (consumer === 'ours' || consumer === 'ours-memory-sessions') {
      const ingest = new IngestProcess({ ...common, clientId: `bench-${consumer}-${round}` });
      await ingest.start();
      return { pid: ingest.pid, written: () => ingest.pointsWritten(), stop: () => ingest.stop() };
    }
    const naive = new NaiveIngestProcess({
      ...common,
      ...(consumer === 'naive-persistent' || consumer === 'naive-mqtt-packet'
        ? { persistentSession: { clientId: `bench-${consumer}-${round}` } }
        : {}),
      ...(consumer === 'naive-mqtt-packet' ? { client: 'mqtt-packet' as const } : {}),
    });
    await naive.start();
    return { pid: naive.pid, written: () => naive.written, stop: () => naive.stop() };
  });
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
  await memoryBroker.stop();
  await broker.stop();
  await env.stop();
}

print(
  `## ingest vs naive subscriber — ${startedAt.toISOString()} — ${args.quick ? 'quick' : 'default'}, ${rounds} rounds × ${timing.measureS} s`,
);
print(`load average before: ${loadBefore}; after: ${loadAverage()}`);
print();
const rows: string[][] = [];
const ratioTo = (runs: RunResult[], baseline: RunResult[]) =>
  runs.map((r, i) => r.pointsPerS / (baseline[i]?.pointsPerS ?? Number.NaN));
for (const mode of MODES) {
  const naive = results.get(key('naive', mode)) ?? [];
  for (const consumer of CONSUMERS) {
    const runs = results.get(key(consumer, mode)) ?? [];
    const ratios = ratioTo(runs, naive);
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
      consumer === 'naive' ? '100 %' : fmtRatios(ratios),
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
      '÷ naive clean session, same round',
    ],
    rows,
  ),
);
print();
for (const mode of MODES) {
  const ratios = ratioTo(
    results.get(key('ours', mode)) ?? [],
    results.get(key('naive-persistent', mode)) ?? [],
  );
  print(
    `${mode === 'telemetry' ? 'per-device' : 'batch'}: ours ÷ naive with a persistent session (the same journalled durability), same round: ${fmtRatios(ratios)}`,
  );
}
print();
print('Target: ours not slower than the naive subscriber (ours ÷ naive clean session ≥ 100 %).');
