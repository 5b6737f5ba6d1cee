/**
 * Ingest on an MQTT 5 broker vs on ours, in points stored per second (a script, not a test).
 * The same canonical load (gateway user, QoS 1, 4 publishers, per-device and batch topics) goes
 * into the same influxd through:
 *   ours, 3.1.1         — BrokerService (auth + ACL) → IngestService on MQTT 3.1.1 (the default);
 *   mosquitto, 3.1.1    — Debian's mosquitto 2 (password file + ACL) → the same IngestService;
 *   mosquitto, MQTT 5   — the same mosquitto → IngestService on MQTT 5 (customHandleAcks, one
 *                         `$share` group, INGEST_MQTT_CONNECTIONS connections), one worker;
 *   mosquitto, MQTT 5 ×2 — two such workers in the group.
 * Variants alternate, ROUNDS times; medians and ratios to `ours, 3.1.1` measured in the same round.
 *
 *   npm run bench -- ingest-mqtt5 [--quick] [--rounds N]
 */
import { clearSession } from './support/clear-session.js';
import { mosquittoAvailable, startBroker, type RunningBroker } from './support/brokers.js';
import { BenchEnvironment } from './support/bench-environment.js';
import { IngestProcess, workersConsumer, workersCpuPerPoint } from './support/ingest-process.js';
import { runPipeline, type PublishMode, type RunResult, type Timing } from './support/pipeline-run.js';
import { loadAverage } from './support/process-stats.js';
import { benchArgs, fmt, fmtInt, fmtRatios, markdownTable, median, print } from './support/report.js';

const args = benchArgs();
const rounds = args.rounds ?? 3;
const timing: Timing = args.quick ? { warmupS: 1, measureS: 3 } : { warmupS: 3, measureS: 12 };
const MODES: PublishMode[] = ['telemetry', 'batch'];
/** The ingest default: each connection holds one message until it is written. */
const CONNECTIONS = 32;

interface Variant {
  name: string;
  broker: 'ours' | 'mosquitto';
  protocol: 4 | 5;
  workers: number;
}
const VARIANTS: Variant[] = [
  { name: 'ours, 3.1.1', broker: 'ours', protocol: 4, workers: 1 },
  { name: 'mosquitto, 3.1.1', broker: 'mosquitto', protocol: 4, workers: 1 },
  { name: 'mosquitto, MQTT 5', broker: 'mosquitto', protocol: 5, workers: 1 },
  { name: 'mosquitto, MQTT 5 ×2', broker: 'mosquitto', protocol: 5, workers: 2 },
];

if (!mosquittoAvailable()) throw new Error('mosquitto is not installed (stack/system-deps.sh installs it)');
const env = new BenchEnvironment();
await env.start();
const brokers: Record<Variant['broker'], RunningBroker> = {
  ours: await startBroker('ours', env.dir),
  mosquitto: await startBroker('mosquitto-auth', env.dir),
};
const results = new Map<string, RunResult[]>();
const key = (variant: Variant, mode: PublishMode) => `${variant.name}/${mode}`;
const loadBefore = loadAverage();
const startedAt = new Date();

async function runOnce(variant: Variant, round: number): Promise<void> {
  const broker = brokers[variant.broker];
  const tag = `${variant.broker}-${variant.protocol}-${variant.workers}-r${round}`;
  const workers = Array.from(
    { length: variant.workers },
    (_, i) =>
      new IngestProcess({
        ...env.consumerPlace(broker),
        clientId: `bench-${tag}-${i + 1}`,
        env:
          variant.protocol === 5
            ? {
                INGEST_MQTT_PROTOCOL_VERSION: '5',
                // A group of its own: sessions of an earlier run must not take a share of this one's load.
                INGEST_MQTT_SHARE_GROUP: `bench-${tag}`,
                INGEST_MQTT_CONNECTIONS: String(CONNECTIONS),
              }
            : {},
      }),
  );
  await Promise.all(workers.map((w) => w.start()));
  const consumer = workersConsumer(workers);
  const target = env.target(broker);
  for (const mode of MODES) {
    results.set(key(variant, mode), [
      ...(results.get(key(variant, mode)) ?? []),
      await runPipeline(target, consumer, 'ingest', mode, timing),
    ]);
  }
  for (const [i, worker] of workers.entries()) {
    await worker.stop();
    if (variant.protocol === 5) {
      for (let c = 0; c < CONNECTIONS; c++)
        await clearSession(broker.url, `bench-${tag}-${i + 1}-${c}`, broker.users?.ingest);
    }
  }
}

try {
  for (let round = 1; round <= rounds; round++) {
    const order = round % 2 === 1 ? VARIANTS : [...VARIANTS].reverse();
    for (const variant of order) await runOnce(variant, round);
    process.stderr.write(`round ${round}/${rounds} done\n`);
  }
} finally {
  await brokers.ours.stop();
  await brokers.mosquitto.stop();
  await env.stop();
}

print(
  `## ingest on MQTT 5 (mosquitto 2, shared subscription) vs ours — ${startedAt.toISOString()} — ${args.quick ? 'quick' : 'default'}, ${rounds} rounds × ${timing.measureS} s, ${CONNECTIONS} connections per MQTT 5 worker`,
);
print(`load average before: ${loadBefore}; after: ${loadAverage()}`);
print();
const rows: string[][] = [];
for (const mode of MODES) {
  const baseline = results.get(key(VARIANTS[0]!, mode)) ?? [];
  for (const variant of VARIANTS) {
    const runs = results.get(key(variant, mode)) ?? [];
    rows.push([
      mode === 'telemetry' ? 'per-device topic' : 'batch topic',
      variant.name,
      fmtInt(median(runs.map((r) => r.pointsPerS))),
      runs.map((r) => fmtInt(r.pointsPerS)).join(' / '),
      `${fmt(median(runs.map(workersCpuPerPoint)), 1)} µs`,
      `${fmt(median(runs.map((r) => r.cpuUsPerPoint.broker ?? Number.NaN)), 1)} µs`,
      runs.every((r) => r.storedPoints === r.sentPoints)
        ? 'all'
        : runs.map((r) => `${r.storedPoints}/${r.sentPoints}`).join(' '),
      fmtRatios(runs.map((r, i) => r.pointsPerS / (baseline[i]?.pointsPerS ?? Number.NaN))),
    ]);
  }
}
print(
  markdownTable(
    [
      'topic',
      'broker, ingest',
      'points/s (median)',
      'per round',
      'ingest CPU/point',
      'broker CPU/point',
      'stored = sent',
      'vs ours, 3.1.1',
    ],
    rows,
  ),
);
