import { setTimeout as sleep } from 'node:timers/promises';
import type { ManagedInfluxd } from '../../stack/index.js';
import { waitFor } from '../../runtime/index.js';
import type { BenchUsers } from './bench-credentials.js';
import { CanonicalTelemetry } from './canonical-telemetry.js';
import { countPoints } from './influx-count.js';
import { measureWindow } from './measure-window.js';
import { waitUntilQuiet } from './process-stats.js';
import { PublisherPool, type Gate } from './publisher-pool.js';
import { RawLineWriter } from './raw-writer.js';

export interface Timing {
  warmupS: number;
  measureS: number;
}

export interface BenchTarget {
  influxd: ManagedInfluxd;
  influxdPid: number;
  database: string;
  brokerUrl: string;
  brokerPid: number;
  users: BenchUsers | undefined;
}

/** Something that takes messages off the broker and writes them to InfluxDB. */
export interface Consumer {
  pid: number;
  /** Several processes (workers): each is metered under its own name instead of `pid`. */
  pids?: Record<string, number>;
  /** Points InfluxDB has accepted from it so far. */
  written(): number | Promise<number>;
}

export interface RunResult {
  pointsPerS: number;
  messagesPerS: number;
  /** CPU µs per stored point, per process. */
  cpuUsPerPoint: Record<string, number>;
  /** CPU cores busy, per process. */
  cores: Record<string, number>;
  /** Peak resident memory over the window, per process. */
  peakRssBytes: Record<string, number>;
  sentPoints: number;
  storedPoints: number;
  /** Seconds the run waited for influxd to finish the work earlier runs left it (compactions). */
  quietWaitS: number;
}

export type PublishMode = 'telemetry' | 'batch';

/** Each run owns a 10-minute slice of time, so counts never mix runs. */
const RUN_SPAN_MS = 10 * 60_000;
const RUNS_START = Date.now() - 12 * 3_600_000;
let runCounter = 0;
const nextBaseTs = () => RUNS_START + runCounter++ * RUN_SPAN_MS;

/** Unwritten points the publishers may run ahead of the consumer (keeps the broker's backlog bounded). */
const MAX_BACKLOG_POINTS = 50_000;
const PUBLISHERS = 4;
/** After the load, a consumer that has written nothing more for this long is not waited for. */
const STALL_MS = 20_000;
const WINDOW = 100;

function toResult(
  window: Awaited<ReturnType<typeof measureWindow>>,
  pointsPerMessage: number,
  sentPoints: number,
  storedPoints: number,
  quietWaitS: number,
): RunResult {
  const points = window.rate * window.wallS;
  const cpuUsPerPoint: Record<string, number> = {};
  const cores: Record<string, number> = {};
  for (const [name, cpu] of Object.entries(window.cpuS)) {
    cpuUsPerPoint[name] = (cpu * 1e6) / points;
    cores[name] = cpu / window.wallS;
  }
  return {
    pointsPerS: window.rate,
    messagesPerS: window.rate / pointsPerMessage,
    cpuUsPerPoint,
    cores,
    peakRssBytes: window.peakRssBytes,
    sentPoints,
    storedPoints,
    quietWaitS,
  };
}

/** Room for one ceiling line (ASCII: ids are `[a-z0-9-]`, field names snake_case); the longest is under 400 B. */
const MAX_CEILING_LINE_BYTES = 1024;
const NEWLINE = 0x0a;

/** The storage ceiling: batches of `batchPoints` lines straight to /write from `writers` concurrent writers. */
export async function runCeiling(
  target: BenchTarget,
  timing: Timing,
  writers = 3,
  batchPoints = 5000,
): Promise<RunResult> {
  const quietWaitS = await waitUntilQuiet(target.influxdPid);
  const baseTs = nextBaseTs();
  const telemetry = new CanonicalTelemetry(baseTs);
  const writer = new RawLineWriter(target.influxd.url, target.database, writers);
  let n = 0;
  // Each line is written straight into the batch's bytes: joining thousands of lines into
  // one string first cost the generator 3–4 µs per point (the string is past V8's
  // large-object size), 4× the cost of the lines themselves.
  const nextBody = () => {
    const body = Buffer.allocUnsafe(batchPoints * MAX_CEILING_LINE_BYTES);
    let length = 0;
    for (let i = 0; i < batchPoints; i++) {
      if (i > 0) body[length++] = NEWLINE;
      length += body.write(telemetry.fastLine(n++), length, 'latin1');
    }
    return { body: body.subarray(0, length), points: batchPoints };
  };
  const endAt = performance.now() + (timing.warmupS + timing.measureS) * 1000 + 200;
  const load = writer.run(nextBody, () => performance.now() < endAt);
  const window = await measureWindow({
    ...timing,
    progress: () => writer.written,
    processes: { influxd: target.influxdPid, 'load generator': process.pid },
  });
  await load;
  writer.close();
  const stored = await countPoints(target.influxd, target.database, baseTs, baseTs + RUN_SPAN_MS);
  return toResult(window, batchPoints, writer.written, stored, quietWaitS);
}

/** Canonical telemetry published as the gateway user at QoS 1 → broker → `consumer` → InfluxDB. */
export async function runPipeline(
  target: BenchTarget,
  consumer: Consumer,
  consumerName: string,
  mode: PublishMode,
  timing: Timing,
  sites?: readonly string[],
  /** Runs once the publishers are connected, before the load starts (a flood that must not hit their CONNECTs). */
  publishersConnected?: () => void,
): Promise<RunResult> {
  const quietWaitS = await waitUntilQuiet(target.influxdPid);
  const baseTs = nextBaseTs();
  const telemetry = new CanonicalTelemetry(baseTs, sites);
  const pool = new PublisherPool({
    url: target.brokerUrl,
    username: target.users?.gateway.username,
    password: target.users?.gateway.password,
    publishers: PUBLISHERS,
    clientIdPrefix: `bench-${mode}-${baseTs}`,
  });
  await pool.start();
  publishersConnected?.();
  const writtenAtStart = await consumer.written();
  let writtenSoFar = 0;
  let polling = true;
  // Twice a second: ingest renders its whole /metrics page for this, which at 10 Hz took
  // ~4 % of its CPU (Prometheus scrapes every 15 s or so); the backlog bound is loose anyway.
  const poller = (async () => {
    while (polling) {
      writtenSoFar = (await consumer.written()) - writtenAtStart;
      await sleep(500);
    }
  })();
  const endAt = performance.now() + (timing.warmupS + timing.measureS) * 1000 + 200;
  const gate = (): Gate => {
    if (performance.now() >= endAt) return 'stop';
    return pool.finished.points - writtenSoFar > MAX_BACKLOG_POINTS ? 'wait' : 'go';
  };
  const next = mode === 'batch' ? () => telemetry.batch() : () => telemetry.telemetry();
  const pointsPerMessage = mode === 'batch' ? telemetry.devices.length : 1;
  const load = pool.run(1, WINDOW, next, gate);
  const window = await measureWindow({
    ...timing,
    progress: async () => (await consumer.written()) - writtenAtStart,
    processes: {
      broker: target.brokerPid,
      ...(consumer.pids ?? { [consumerName]: consumer.pid }),
      influxd: target.influxdPid,
      'load generator': process.pid,
    },
  });
  await load;
  await pool.stop();
  const sent = pool.finished.points;
  // Until everything published is written, or nothing more was for STALL_MS (a consumer that lost points).
  let lastWritten = -1;
  let lastProgressAt = performance.now();
  await waitFor(
    'the consumer to write everything published',
    async () => {
      const written = (await consumer.written()) - writtenAtStart;
      if (written !== lastWritten) [lastWritten, lastProgressAt] = [written, performance.now()];
      return written >= sent || performance.now() - lastProgressAt > STALL_MS;
    },
    {
      timeoutMs: 120_000,
      intervalMs: 200,
    },
  ).catch(() => undefined);
  polling = false;
  await poller;
  const stored = await countPoints(target.influxd, target.database, baseTs, baseTs + RUN_SPAN_MS);
  return toResult(window, pointsPerMessage, sent, stored, quietWaitS);
}
