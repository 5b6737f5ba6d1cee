/**
 * Broker throughput: our BrokerService (auth + ACL) vs bare aedes vs Debian's mosquitto
 * (anonymous, and with a password file + ACL), each as its own process. 10 publishers
 * (one process) send canonical per-device telemetry as the gateway user; one subscriber
 * (another process) counts what arrives. Messages/s received, broker CPU per message
 * (/proc/PID/stat) and peak RSS (VmRSS), at QoS 0 and QoS 1, each under two loads: as fast
 * as the subscriber takes them (saturation), and at a fixed offered rate every broker keeps up
 * with (CPU per message at equal work, without the cost of queues that saturation builds).
 * Brokers alternate, ROUNDS times.
 *
 *   npm run bench -- broker [--quick] [--rounds N] [--rate MSGS_PER_S] [--cpu-prof]
 * (--cpu-prof: one more QoS 1 run of ours and bare aedes under V8's profiler, summarised)
 */
import { mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '../runtime/index.js';
import { BENCH_SITE } from './support/bench-credentials.js';
import { BROKER_LABELS, mosquittoAvailable, startBroker, type BrokerKind } from './support/brokers.js';
import { CanonicalTelemetry } from './support/canonical-telemetry.js';
import { profileTables, summariseCpuProfile } from './support/cpu-profile-summary.js';
import { measureWindow, type WindowResult } from './support/measure-window.js';
import { loadAverage } from './support/process-stats.js';
import { PublisherPool, type Gate } from './support/publisher-pool.js';
import {
  benchArgs,
  fmt,
  fmtInt,
  fmtMiB,
  fmtPct,
  fmtRatios,
  markdownTable,
  median,
  numberOption,
  print,
} from './support/report.js';
import { SubscriberProcess } from './support/subscriber-process.js';
import { removeUnlessKept } from './support/bench-folder.js';

const args = benchArgs();
const rounds = args.rounds ?? 3;
const timing = args.quick ? { warmupS: 0.7, measureS: 1.5 } : { warmupS: 2, measureS: 8 };
const PUBLISHERS = 10;
const WINDOW = 50;
/** Messages the publishers may be ahead of the subscriber, so no broker queues without bound. */
const MAX_BACKLOG = 20_000;
/** The fixed offered load, all publishers together: under what mosquitto sustains at QoS 1 here. */
const OFFERED_RATE = numberOption('--rate') ?? 15_000;
if (!(OFFERED_RATE > 0)) throw new Error('--rate takes a positive number of messages per second');
type Load = 'saturation' | 'fixed';
const LOADS: Load[] = ['saturation', 'fixed'];
const LOAD_LABELS: Record<Load, string> = {
  saturation: 'saturation',
  fixed: `${OFFERED_RATE.toLocaleString('en')} msgs/s offered`,
};
const kinds: BrokerKind[] = [
  'ours',
  'aedes',
  ...(mosquittoAvailable() ? (['mosquitto', 'mosquitto-auth'] as const) : []),
];
const dir = mkdtempSync(join(tmpdir(), 'village-bench-broker-'));
const results = new Map<string, WindowResult[]>();
const profiles: string[] = [];
const loadBefore = loadAverage();
const startedAt = new Date();

/**
 * One broker process, one subscriber (QoS 1, so it receives at the QoS each message is
 * published with) and the publishers; then a run per QoS level and load, back to back.
 */
async function runBroker(
  kind: BrokerKind,
  qosLevels: ReadonlyArray<0 | 1>,
  loads: readonly Load[],
  nodeFlags: string[] = [],
): Promise<Map<string, WindowResult>> {
  // Sessions in memory like bare aedes and mosquitto, so the difference is auth + ACL alone.
  const broker = await startBroker(kind, dir, nodeFlags, 'memory');
  const subscriber = new SubscriberProcess({
    url: broker.url,
    username: broker.users?.ingest.username,
    password: broker.users?.ingest.password,
    filter: `v1/${BENCH_SITE}/+/+/telemetry`,
    qos: 1,
    dir,
  });
  const pool = new PublisherPool({
    url: broker.url,
    username: broker.users?.gateway.username,
    password: broker.users?.gateway.password,
    publishers: PUBLISHERS,
    clientIdPrefix: `bench-pub-${kind}`,
  });
  const windows = new Map<string, WindowResult>();
  try {
    await subscriber.start();
    await pool.start();
    const telemetry = new CanonicalTelemetry(Date.now());
    for (const qos of qosLevels) {
      for (const load of loads) {
        const startAt = performance.now();
        const endAt = startAt + (timing.warmupS + timing.measureS) * 1000 + 100;
        let sent = 0;
        const gate = (): Gate => {
          const now = performance.now();
          if (now >= endAt) return 'stop';
          if (pool.finished.messages - subscriber.received > MAX_BACKLOG) return 'wait';
          if (load === 'fixed' && sent >= ((now - startAt) / 1000) * OFFERED_RATE) return 'wait';
          sent++;
          return 'go';
        };
        const running = pool.run(qos, WINDOW, () => telemetry.telemetry(), gate);
        const window = await measureWindow({
          ...timing,
          progress: () => subscriber.received,
          processes: { broker: broker.child.pid },
        });
        await running;
        // Let the subscriber catch up before the next run starts counting.
        await waitFor('subscriber to catch up', () => subscriber.received >= pool.finished.messages, {
          timeoutMs: 10_000,
        }).catch(() => undefined);
        windows.set(`${qos}/${load}`, window);
      }
    }
    return windows;
  } finally {
    await pool.stop().catch(() => undefined);
    await subscriber.stop();
    await broker.stop();
  }
}

try {
  for (let round = 1; round <= rounds; round++) {
    const order = round % 2 === 1 ? kinds : [...kinds].reverse();
    for (const kind of order) {
      for (const [qosAndLoad, window] of await runBroker(kind, [0, 1], LOADS)) {
        const name = `${kind}/${qosAndLoad}`;
        results.set(name, [...(results.get(name) ?? []), window]);
      }
    }
    process.stderr.write(`round ${round}/${rounds} done\n`);
  }
  if (process.argv.includes('--cpu-prof')) await profileBrokers();
} finally {
  removeUnlessKept(dir);
}

print(
  `## broker — ${startedAt.toISOString()} — ${args.quick ? 'quick' : 'default'}, ${rounds} rounds × ${timing.measureS} s, ${PUBLISHERS} publishers → 1 subscriber`,
);
print(
  `load average before: ${loadBefore}; after: ${loadAverage()}${mosquittoAvailable() ? '' : '; mosquitto not installed (apt-get install mosquitto)'}`,
);
print();
const rows: string[][] = [];
for (const qos of [0, 1] as const) {
  for (const load of LOADS) {
    const bare = results.get(`aedes/${qos}/${load}`) ?? [];
    for (const kind of kinds) {
      const runs = results.get(`${kind}/${qos}/${load}`) ?? [];
      const cpuPerMsg = runs.map((r) => ((r.cpuS.broker ?? 0) * 1e6) / (r.rate * r.wallS));
      const bareCpu = bare.map((r) => ((r.cpuS.broker ?? 0) * 1e6) / (r.rate * r.wallS));
      const rateVsBare = runs.map((r, i) => r.rate / (bare[i]?.rate ?? Number.NaN));
      const cpuVsBare = cpuPerMsg.map((c, i) => c / (bareCpu[i] ?? Number.NaN));
      rows.push([
        `QoS ${qos}`,
        LOAD_LABELS[load],
        BROKER_LABELS[kind],
        fmtInt(median(runs.map((r) => r.rate))),
        runs.map((r) => fmtInt(r.rate)).join(' / '),
        `${fmt(median(cpuPerMsg), 1)} µs`,
        fmt(median(runs.map((r) => (r.cpuS.broker ?? 0) / r.wallS)), 2),
        fmtMiB(median(runs.map((r) => r.peakRssBytes.broker ?? Number.NaN))),
        fmtPct(median(rateVsBare)),
        load === 'fixed' ? fmtRatios(cpuVsBare) : fmtPct(median(cpuVsBare)),
      ]);
    }
  }
}
print(
  markdownTable(
    [
      'QoS',
      'load',
      'broker',
      'msgs/s received (median)',
      'per round',
      'broker CPU/msg',
      'broker cores',
      'peak RSS',
      'rate vs bare aedes',
      'CPU/msg vs bare aedes',
    ],
    rows,
  ),
);
print();
for (const text of profiles) print(text);
print(
  "Target: auth + ACL cost ≤ 10 % vs bare aedes (CPU/msg ≤ 110 %, rate ≥ 90 %). At a fixed offered rate every broker does the same work, so its CPU/msg ratio is the one that reads the hooks' cost; saturation adds whatever queueing the subscriber's lag causes.",
);

async function profileBrokers(): Promise<void> {
  for (const kind of ['ours', 'aedes'] as const) {
    const profileDir = join(dir, `cpu-prof-${kind}`);
    mkdirSync(profileDir, { recursive: true });
    await runBroker(kind, [1], ['saturation'], ['--cpu-prof', `--cpu-prof-dir=${profileDir}`]);
    const file = readdirSync(profileDir).find((f) => f.endsWith('.cpuprofile'));
    if (!file) continue;
    const summary = summariseCpuProfile(join(profileDir, file), 20);
    profiles.push(
      [
        `### ${BROKER_LABELS[kind]}, QoS 1, CPU profile (${fmtInt(summary.busyMs)} ms busy, self time)`,
        '',
        profileTables(summary),
        '',
      ].join('\n'),
    );
  }
}
