/**
 * Side by side with Node-RED, the tool a village integrator would use instead (issue 26,
 * target 5): Node-RED 4 with node-red-contrib-modbus and node-red-contrib-influxdb, installed
 * on first use into data/node-red-bench (support/node-red-install.ts), started with generated
 * flows (support/node-red-flows.ts).
 *
 * Ingest: canonical telemetry published as the gateway user at QoS 1 to our broker, stored
 * in the same influxd (Node-RED into a database of its own: it writes seq as a float).
 * Ours is IngestService as shipped, and once more with V8's default young generation (the
 * choice in ingest/process-env.ts); Node-RED is `mqtt in → function → influxdb batch`, per-device
 * readings through a `join` of 1000 points, once more with a persistent session (Node-RED's
 * default is a clean one, which the broker stores nothing for), and once without the join. The
 * naive subscriber of `ingest-naive` (mqtt.js, acknowledged on arrival, JSON.parse, line protocol, no
 * validation) on a persistent session shows what mqtt.js itself costs per message: the floor for
 * any consumer built on it, Node-RED's included.
 * Consumer CPU per stored point and peak RSS over the window; progress is read from
 * influxd's own counter for every consumer; afterwards a count in influxd checks every
 * point was stored.
 *
 * Gateway: 100 Modbus TCP meters (10 servers × 10, a mix of profiles) polled every second;
 * ours as shipped (batches; the daemon in one minified file, as the build writes it) and
 * Node-RED reading the same register blocks (2 requests per meter-poll), both publishing to
 * an upstream aedes: share of a core and steady RSS (median of samples every 250 ms over the
 * window).
 *
 * Consumers and gateways take turns, the order rotating per round; ratios are ours ÷
 * Node-RED in the same round, then their median.
 *
 *   npm run bench -- node-red [--quick] [--rounds N] [--gateway | --ingest]
 * `--gateway` runs the gateway part only (its ingest rows then read n/a), `--ingest` the ingest
 * part only (its gateway rows then read n/a).
 */
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startBenchGateway } from './support/bench-gateway.js';
import { BENCH_GATEWAY, BENCH_SITE } from './support/bench-credentials.js';
import { BenchEnvironment } from './support/bench-environment.js';
import { startBroker } from './support/brokers.js';
import { clearSession } from './support/clear-session.js';
import { pointsWrittenOk } from './support/influx-written.js';
import { IngestProcess } from './support/ingest-process.js';
import { ModbusFarm } from './support/modbus-farm.js';
import { gatewayFlows, ingestFlows, type IngestFlowKind } from './support/node-red-flows.js';
import { ensureNodeRed, NODE_RED_PACKAGES } from './support/node-red-install.js';
import { NaiveIngestProcess } from './support/naive-process.js';
import { NodeRedProcess } from './support/node-red-process.js';
import { runPipeline, type PublishMode, type RunResult, type Timing } from './support/pipeline-run.js';
import { cpuSeconds, loadAverage, rssBytes } from './support/process-stats.js';
import { benchArgs, fmt, fmtInt, fmtMiB, fmtRatios, markdownTable, median, print } from './support/report.js';

const args = benchArgs();
const rounds = args.rounds ?? 3;
const gatewayOnly = process.argv.includes('--gateway');
const ingestOnly = process.argv.includes('--ingest');
const ingestTiming: Timing = args.quick ? { warmupS: 2, measureS: 5 } : { warmupS: 5, measureS: 15 };
const gatewayTiming: Timing = args.quick ? { warmupS: 8, measureS: 8 } : { warmupS: 15, measureS: 30 };
const NODE_RED_DATABASE = 'bench_nodered';
const METERS_PER_BUS = 10;
const BUSES = 10;
const MIX = ['chint-dtsu666', 'eastron-sdm120', 'chint-ddsu666', 'tuf-2000m', 'generic-pressure-rs485'];
const unitProfiles = Array.from({ length: METERS_PER_BUS }, (_, i) => MIX[i % MIX.length] as string);

const CONSUMERS = [
  'ours',
  'ours-default-young',
  'node-red',
  'node-red-persistent',
  'node-red-no-join',
  'naive-persistent',
] as const;
type ConsumerKind = (typeof CONSUMERS)[number];
const CONSUMER_LABELS: Record<ConsumerKind, string> = {
  ours: 'ours (IngestService)',
  'ours-default-young': "ours with V8's default young generation (before issue 26)",
  'node-red': 'Node-RED (per-device: join of 1000)',
  'node-red-persistent': 'Node-RED, join of 1000, persistent session (as ours)',
  'node-red-no-join': 'Node-RED, per-device without join',
  'naive-persistent':
    'naive mqtt.js subscriber, persistent session (acknowledged on arrival, no validation): the floor',
};
const MODES_OF: Record<ConsumerKind, PublishMode[]> = {
  ours: ['batch', 'telemetry'],
  'ours-default-young': ['batch', 'telemetry'],
  'node-red': ['batch', 'telemetry'],
  'node-red-persistent': ['telemetry'],
  'node-red-no-join': ['telemetry'],
  'naive-persistent': ['batch', 'telemetry'],
};
const GATEWAYS = ['ours', 'node-red'] as const;
type GatewayKind = (typeof GATEWAYS)[number];

const log = (line: string) => process.stderr.write(`${line}\n`);
const nodeModules = ensureNodeRed(log);
const env = new BenchEnvironment();
await env.start();
await env.influxd.createDatabase(NODE_RED_DATABASE);
const broker = await startBroker('ours', env.dir);
const farm = new ModbusFarm({ buses: BUSES, profiles: unitProfiles, dir: env.dir });
const upstream = await startBroker('aedes', env.dir);
const ingestResults = new Map<string, RunResult[]>();
const gatewayResults = new Map<GatewayKind, GatewaySample[]>();
const key = (consumer: ConsumerKind, mode: PublishMode) => `${consumer}/${mode}`;
const loadBefore = loadAverage();
const startedAt = new Date();
const written = () => pointsWrittenOk(env.influxd);

async function startConsumer(
  consumer: ConsumerKind,
  round: number,
): Promise<{ pid: number; stop(): Promise<void> }> {
  if (consumer === 'ours' || consumer === 'ours-default-young') {
    const ingest = new IngestProcess({
      ...env.consumerPlace(broker),
      clientId: `bench-${consumer}-${round}`,
      // Without ingest/process-env.ts' young generation: V8 sizes it (up to 16 MB semi-spaces).
      ...(consumer === 'ours-default-young' ? { env: { NODE_OPTIONS: '' } } : {}),
    });
    await ingest.start();
    return { pid: ingest.pid, stop: () => ingest.stop() };
  }
  if (consumer === 'naive-persistent') {
    const naive = new NaiveIngestProcess({
      ...env.consumerPlace(broker),
      persistentSession: { clientId: `bench-naive-${round}` },
    });
    await naive.start();
    return { pid: naive.pid, stop: () => naive.stop() };
  }
  const kind: IngestFlowKind =
    consumer === 'node-red-no-join' ? 'per-device without join' : 'batch and per-device with join';
  // Node-RED's default is a clean session; `node-red-persistent` asks the broker to keep one, as ours does.
  const persistentClientId = consumer === 'node-red-persistent' ? `bench-node-red-${round}` : undefined;
  const nodeRed = new NodeRedProcess({
    nodeModules,
    dir: env.dir,
    name: `${consumer}-${round}`,
    flows: ingestFlows({
      kind,
      broker: {
        url: broker.url,
        username: broker.users?.ingest.username,
        password: broker.users?.ingest.password,
        persistentClientId,
      },
      site: BENCH_SITE,
      influxUrl: env.influxd.url,
      database: NODE_RED_DATABASE,
    }),
  });
  await nodeRed.start(1);
  // Node-RED logs the connection before its SUBACK arrives; with its clean session a message
  // published before the subscription is in place would count as lost.
  await sleep(2000);
  return {
    pid: nodeRed.pid,
    stop: async () => {
      await nodeRed.stop();
      // Nothing may be queued for it while the next consumer is measured.
      if (persistentClientId) await clearSession(broker.url, persistentClientId, broker.users?.ingest);
    },
  };
}

async function runConsumer(consumer: ConsumerKind, round: number): Promise<void> {
  const running = await startConsumer(consumer, round);
  try {
    const target = {
      ...env.target(broker),
      database: consumer.startsWith('node-red') ? NODE_RED_DATABASE : env.database,
    };
    for (const mode of MODES_OF[consumer]) {
      const result = await runPipeline(target, { pid: running.pid, written }, 'consumer', mode, ingestTiming);
      ingestResults.set(key(consumer, mode), [...(ingestResults.get(key(consumer, mode)) ?? []), result]);
    }
  } finally {
    await running.stop();
  }
}

interface GatewaySample {
  steadyRss: number;
  peakRss: number;
  coreShare: number;
  requestsPerS: number;
}

async function startGateway(
  kind: GatewayKind,
  round: number,
): Promise<{ pid: number; stop(): Promise<void> }> {
  if (kind === 'node-red') {
    const nodeRed = new NodeRedProcess({
      nodeModules,
      dir: env.dir,
      name: `gateway-${round}`,
      flows: gatewayFlows({
        busPorts: farm.ports.slice(0, BUSES),
        unitProfiles,
        upstream: { url: upstream.url },
        site: 'bench',
        gateway: BENCH_GATEWAY,
      }),
    });
    await nodeRed.start(1);
    return { pid: nodeRed.pid, stop: () => nodeRed.stop() };
  }
  // From the build, edge/main.js is the daemon as installed: one minified file (deploy/build.ts).
  const { child } = await startBenchGateway({
    at: join(env.dir, `edge-${round}`),
    upstream: { url: upstream.url, clientId: `gw-bench-${round}` },
    farm,
    publish: { mode: 'batch' },
  });
  return { pid: child.pid, stop: () => child.stop() };
}

async function runGateway(kind: GatewayKind, round: number): Promise<void> {
  const gateway = await startGateway(kind, round);
  try {
    await sleep(gatewayTiming.warmupS * 1000);
    const samples: number[] = [];
    const requestsBefore = await farm.requests();
    const cpuBefore = cpuSeconds(gateway.pid);
    const startedAt = performance.now();
    while (performance.now() - startedAt < gatewayTiming.measureS * 1000) {
      samples.push(rssBytes(gateway.pid));
      await sleep(250);
    }
    const wallS = (performance.now() - startedAt) / 1000;
    const sample: GatewaySample = {
      steadyRss: median(samples),
      peakRss: Math.max(...samples),
      coreShare: (cpuSeconds(gateway.pid) - cpuBefore) / wallS,
      requestsPerS: ((await farm.requests()) - requestsBefore) / wallS,
    };
    gatewayResults.set(kind, [...(gatewayResults.get(kind) ?? []), sample]);
  } finally {
    await gateway.stop();
  }
}

/** `items` rotated by `round`, so drift in the machine's load does not favour whoever goes first. */
const rotated = <T>(items: readonly T[], round: number): T[] => {
  const first = (round - 1) % items.length;
  return [...items.slice(first), ...items.slice(0, first)];
};

try {
  await farm.start();
  for (let round = 1; round <= rounds; round++) {
    for (const consumer of gatewayOnly ? [] : rotated(CONSUMERS, round)) await runConsumer(consumer, round);
    for (const gateway of ingestOnly ? [] : rotated(GATEWAYS, round)) await runGateway(gateway, round);
    log(`round ${round}/${rounds} done`);
  }
} finally {
  await farm.stop();
  await upstream.stop();
  await broker.stop();
  await env.stop();
}

const versions = Object.entries(NODE_RED_PACKAGES)
  .map(([name, version]) => `${name} ${version}`)
  .join(', ');
print(
  `## Side by side with Node-RED — ${startedAt.toISOString()} — ${args.quick ? 'quick' : 'default'}, ${rounds} rounds; ingest windows ${ingestTiming.measureS} s, gateway ${gatewayTiming.measureS} s`,
);
print(`load average before: ${loadBefore}; after: ${loadAverage()}; ${versions}, Node ${process.version}`);
print();

const TOPIC_LABEL: Record<PublishMode, string> = { batch: 'batch topic', telemetry: 'per-device topic' };
const consumerCpu = (r: RunResult) => r.cpuUsPerPoint.consumer ?? Number.NaN;
const consumerRss = (r: RunResult) => r.peakRssBytes.consumer ?? Number.NaN;
const ingestRows: string[][] = [];
for (const mode of ['batch', 'telemetry'] as const) {
  for (const consumer of CONSUMERS) {
    const runs = ingestResults.get(key(consumer, mode));
    if (!runs) continue;
    ingestRows.push([
      TOPIC_LABEL[mode],
      CONSUMER_LABELS[consumer],
      fmtInt(median(runs.map((r) => r.pointsPerS))),
      `${fmt(median(runs.map(consumerCpu)), 1)} µs (${runs.map((r) => fmt(consumerCpu(r), 1)).join(' / ')})`,
      `${fmtMiB(median(runs.map(consumerRss)))} (${runs.map((r) => fmtMiB(consumerRss(r))).join(' / ')})`,
      runs.every((r) => r.storedPoints === r.sentPoints)
        ? 'all'
        : runs
            .map(
              (r) =>
                `${fmtInt(r.storedPoints)}/${fmtInt(r.sentPoints)} (${fmt((1 - r.storedPoints / r.sentPoints) * 100, 0)} % lost)`,
            )
            .join(', '),
    ]);
  }
}
print('### Ingest');
print();
print(
  markdownTable(
    [
      'topic',
      'consumer',
      'points/s (median)',
      'consumer CPU per stored point (median; rounds)',
      'peak RSS',
      'stored ÷ sent',
    ],
    ingestRows,
  ),
);
print();
/** Same-round ratios of `one` to `other` by `pick`. */
const ratioOf = (
  mode: PublishMode,
  one: ConsumerKind,
  other: ConsumerKind,
  pick: (r: RunResult) => number,
) => {
  const ones = ingestResults.get(key(one, mode)) ?? [];
  const theirs = ingestResults.get(key(other, mode)) ?? [];
  return ones.map((r, i) => pick(r) / pick(theirs[i] as RunResult));
};
/** Same-round ratios of ours to `other` by `pick`. */
const sameRound = (mode: PublishMode, other: ConsumerKind, pick: (r: RunResult) => number) =>
  ratioOf(mode, 'ours', other, pick);
for (const mode of ['batch', 'telemetry'] as const) {
  print(
    `- ${TOPIC_LABEL[mode]}: ours ÷ Node-RED, same round: CPU per point ${fmtRatios(sameRound(mode, 'node-red', consumerCpu))} (target ≤ 33 %), peak RSS ${fmtRatios(sameRound(mode, 'node-red', consumerRss))} (target < 50 %)`,
  );
}
for (const mode of ['batch', 'telemetry'] as const) {
  print(
    `- ${TOPIC_LABEL[mode]}: ours ÷ ours with the default young generation, same round: CPU per point ${fmtRatios(sameRound(mode, 'ours-default-young', consumerCpu))}, peak RSS ${fmtRatios(sameRound(mode, 'ours-default-young', consumerRss))}`,
  );
}
print(
  `- per-device topic, ours ÷ Node-RED with a persistent session (the same durability), same round: CPU per point ${fmtRatios(sameRound('telemetry', 'node-red-persistent', consumerCpu))}, peak RSS ${fmtRatios(sameRound('telemetry', 'node-red-persistent', consumerRss))}`,
);
for (const mode of ['batch', 'telemetry'] as const) {
  print(
    `- ${TOPIC_LABEL[mode]}: the naive subscriber ÷ Node-RED, same round: CPU per point ${fmtRatios(ratioOf(mode, 'naive-persistent', 'node-red', consumerCpu))}; ours ÷ the naive subscriber: ${fmtRatios(sameRound(mode, 'naive-persistent', consumerCpu))}`,
  );
}
print(
  `- per-device topic, ours ÷ Node-RED without join: CPU per point ${fmtRatios(sameRound('telemetry', 'node-red-no-join', consumerCpu))}, peak RSS ${fmtRatios(sameRound('telemetry', 'node-red-no-join', consumerRss))}`,
);
print();

print(`### Gateway: ${BUSES * METERS_PER_BUS} Modbus TCP meters polled every second`);
print();
const GATEWAY_LABELS: Record<GatewayKind, string> = {
  ours: 'ours (edge/, as shipped: the daemon in one minified file, batches)',
  'node-red': 'Node-RED (modbus-read per block → function → mqtt out)',
};
print(
  markdownTable(
    [
      'gateway',
      'share of a core (median; rounds)',
      'steady RSS (median; rounds)',
      'peak RSS',
      'Modbus requests/s',
    ],
    GATEWAYS.map((kind) => {
      const samples = gatewayResults.get(kind) ?? [];
      return [
        GATEWAY_LABELS[kind],
        `${fmt(median(samples.map((s) => s.coreShare)) * 100, 1)} % (${samples.map((s) => fmt(s.coreShare * 100, 1)).join(' / ')})`,
        `${fmtMiB(median(samples.map((s) => s.steadyRss)))} (${samples.map((s) => fmtMiB(s.steadyRss)).join(' / ')})`,
        fmtMiB(Math.max(...samples.map((s) => s.peakRss))),
        fmtInt(median(samples.map((s) => s.requestsPerS))),
      ];
    }),
  ),
);
print();
const gatewayRatio = (pick: (s: GatewaySample) => number, kind: GatewayKind = 'ours') => {
  const ours = gatewayResults.get(kind) ?? [];
  const theirs = gatewayResults.get('node-red') ?? [];
  return ours.map((s, i) => pick(s) / pick(theirs[i] as GatewaySample));
};
print(
  `- ${GATEWAY_LABELS.ours} ÷ Node-RED, same round: CPU ${fmtRatios(gatewayRatio((s) => s.coreShare))} (target ≤ 50 %), steady RSS ${fmtRatios(gatewayRatio((s) => s.steadyRss))} (target ≤ 40 %)`,
);
