/**
 * What the demo village's gateway costs on a metered 4G uplink: the gateway of the whole
 * demo stack (60 devices of site/demo-village.yaml, polled from the simulator) reaches the
 * broker over MQTT over TLS through a link proxy (bench/support/link-proxy.ts) that counts
 * the bytes at the socket, both ways (4G plans bill both). A subscriber on the broker
 * counts the readings the batches carried in the same window, so the table shows bytes on
 * the wire per reading and extrapolated per 30-day month, for each way of publishing.
 *
 * The window runs from one batch's arrival to a later one's, so every variant counts
 * whole batches (and the health reports, keep-alives and PUBACKs between them). Variants
 * with report by exception (the site's `reporting.maxIntervalS`) measure one maximum
 * interval: exactly one heartbeat of every device falls in it.
 *
 * `site` is the demo village as shipped: its site file's own `reporting` (report by
 * exception, health interval, batch interval and encoding), no publish options of ours.
 *
 * Replay: with the `site` variant's stack still up and its gateway stopped, the messages
 * the gateway sent in the window, repeated to make a day, are published over TLS through a
 * link proxy shaped to 1 Mbit/s each way with 100 ms one way (a 4G uplink), with the
 * gateway's in-flight window (64 unacknowledged): how long a day's backlog takes to drain.
 *
 *   npm run bench -- uplink [--quick]        (~6 min; --quick ~4 min)
 *   BENCH_UPLINK_VARIANTS=json-1s,gzip-1s,site   runs only those (the row of bench/README.md)
 *   BENCH_UPLINK_WINDOW_S=30 BENCH_UPLINK_MAX_INTERVAL_S=30   shorter windows (a try, not a figure)
 *   BENCH_SERVICE_NODE_OPTIONS='--max-semi-space-size=1'   starts broker, ingest and alerting with it
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import {
  batchMessageSchema,
  decodeBatchPayload,
  gatewayClientId,
  parseTopic,
  topicFilters,
} from '../contracts/index.js';
import { issuePrivateCa } from '../deploy/index.js';
import type { EdgeConfigFromSiteOptions } from '../edge/index.js';
import { freePort, waitFor } from '../runtime/index.js';
import { DEMO_SITE_FILE } from '../site/index.js';
import { VillageStack } from '../stack/index.js';
import { LinkProxy } from './support/link-proxy.js';
import { findInfluxdPid } from './support/influxd-pid.js';
import { cpuSeconds, loadAverage, rssBytes } from './support/process-stats.js';
import { benchArgs, fmt, fmtInt, fmtMiB, fmtPct, markdownTable, print } from './support/report.js';
import { removeUnlessKept } from './support/bench-folder.js';

type Publish = NonNullable<EdgeConfigFromSiteOptions['publish']>;

interface Variant {
  name: string;
  label: string;
  /** Absent: the site file's own `reporting` decides (the demo village as shipped). */
  publish?: Publish;
  /** The site's `reporting.maxIntervalS` (report by exception) and the gateway's health interval with it; absent: every reading sent, health every 30 s. */
  maxIntervalS?: number;
}

function variant(encoding: 'json' | 'gzip' | 'brotli', intervalS: number, maxIntervalS?: number): Variant {
  const batch = `${encoding === 'json' ? 'JSON' : encoding} batch every ${intervalS} s`;
  return {
    name: `${maxIntervalS ? 'rbe-' : ''}${encoding}-${intervalS}s`,
    label: maxIntervalS ? `report by exception (max ${maxIntervalS} s, health every 300 s), ${batch}` : batch,
    publish: { mode: 'batch', batchIntervalMs: intervalS * 1000, batchEncoding: encoding },
    ...(maxIntervalS ? { maxIntervalS } : {}),
  };
}

/** The maximum interval and health interval the demo village declares. */
const MAX_INTERVAL_S = Number(process.env.BENCH_UPLINK_MAX_INTERVAL_S ?? 300);
const HEALTH_INTERVAL_S = 300;
const VARIANTS: readonly Variant[] = [
  variant('json', 1),
  variant('gzip', 1),
  variant('gzip', 60),
  variant('gzip', 10, MAX_INTERVAL_S),
  variant('gzip', 30, MAX_INTERVAL_S),
  variant('gzip', 60, MAX_INTERVAL_S),
  variant('brotli', 60, MAX_INTERVAL_S),
  shipped(),
];

/** The demo village as shipped: its site file's `reporting` (report by exception, health, batch interval and encoding). */
function shipped(): Variant {
  const site = parseYaml(readFileSync(DEMO_SITE_FILE, 'utf8')) as { reporting?: Record<string, unknown> };
  const reporting = site.reporting ?? {};
  const described = Object.entries(reporting)
    .map(([key, value]) => `${key} ${String(value)}`)
    .join(', ');
  return {
    name: 'site',
    label: `the demo village as shipped (${described || 'no reporting section'})`,
    ...(typeof reporting.maxIntervalS === 'number' ? { maxIntervalS: reporting.maxIntervalS } : {}),
  };
}
/** The variant whose window is replayed as a day's backlog over the shaped link. */
const REPLAYED = process.env.BENCH_UPLINK_REPLAY ?? 'site';

const args = benchArgs();
const WINDOW_S = Number(process.env.BENCH_UPLINK_WINDOW_S ?? (args.quick ? 60 : 180));
/** A 4G uplink: 1 Mbit/s each way, 100 ms one way; the gateway's default in-flight window. */
const REPLAY_LINK = { rateBps: 1_000_000, delayMs: 100, inflight: 64 };
const DAY_S = 24 * 3600;
const MONTH_S = 30 * 24 * 3600;
const MAX_PAYLOAD_BYTES = 1024 * 1024;
const wanted = process.env.BENCH_UPLINK_VARIANTS?.split(',');
/** NODE_OPTIONS for broker, ingest and alerting (`BENCH_SERVICE_NODE_OPTIONS`), to try a footprint setting. */
const serviceOptions: Record<string, string> = process.env.BENCH_SERVICE_NODE_OPTIONS
  ? { NODE_OPTIONS: process.env.BENCH_SERVICE_NODE_OPTIONS }
  : {};
const variants = wanted ? VARIANTS.filter((variant) => wanted.includes(variant.name)) : VARIANTS;

interface Measured {
  variant: Variant;
  seconds: number;
  up: number;
  down: number;
  readings: number;
  values: number;
  batches: number;
  /** Payload bytes of the batches as published (compressed or not) and as JSON. */
  payloadBytes: number;
  jsonBytes: number;
  /** Messages other than batches the gateway sent in the window (events, health, status), by topic kind. */
  others: Record<string, { messages: number; bytes: number }>;
  /** The platform's processes over the window (simulator excluded). */
  village: Footprint;
  replay?: Replay;
}

interface Replay {
  messages: number;
  seconds: number;
  up: number;
  down: number;
}

interface Sent {
  topic: string;
  payload: Buffer;
}

interface Footprint {
  /** Sum of each process' RSS at the start of the window, and at its end. */
  rssAtStartBytes: number;
  rssBytes: number;
  rssByProcess: Record<string, number>;
  /** CPU of all of them over the window, in cores. */
  cores: number;
  /** The gateway's V8 heap in use and its external memory at the end, from its /metrics. */
  gatewayHeapUsedBytes?: number;
  gatewayExternalBytes?: number;
}

/** Broker, ingest, alerting, gateway and influxd: what the village runs on its box. */
function footprintOf(stack: VillageStack): { begin: () => void; end: () => Footprint } {
  const pids: Record<string, number> = {};
  for (const name of ['broker', 'ingest', 'alerting', 'edge'] as const) {
    const pid = stack.service(name).pid;
    if (pid !== undefined) pids[name] = pid;
  }
  const influxd = findInfluxdPid(join(stack.dataDir, 'influxdb'));
  if (influxd !== undefined) pids.influxd = influxd;
  let cpuAtStart = 0;
  let startedAt = 0;
  let rssAtStartBytes = 0;
  const rssSum = () => Object.values(pids).reduce((total, pid) => total + rssBytes(pid), 0);
  const cpu = () => Object.values(pids).reduce((total, pid) => total + cpuSeconds(pid), 0);
  return {
    begin: () => {
      cpuAtStart = cpu();
      startedAt = performance.now();
      rssAtStartBytes = rssSum();
    },
    end: () => {
      const rssByProcess = Object.fromEntries(
        Object.entries(pids).map(([name, pid]) => [name, rssBytes(pid)]),
      );
      return {
        rssAtStartBytes,
        rssBytes: Object.values(rssByProcess).reduce((total, bytes) => total + bytes, 0),
        rssByProcess,
        cores: (cpu() - cpuAtStart) / ((performance.now() - startedAt) / 1000),
      };
    },
  };
}

interface BatchSeen {
  at: number;
  readings: number;
  /** Field values the readings carry. */
  values: number;
  payloadBytes: number;
  jsonBytes: number;
}

/** The demo village's site file with the variant's `reporting`: every reading and health every 30 s, or report by exception. */
function siteFileOf(variant: Variant, dir: string): string {
  if (!variant.publish) return DEMO_SITE_FILE;
  const site = parseYaml(readFileSync(DEMO_SITE_FILE, 'utf8')) as Record<string, unknown>;
  const file = join(dir, 'site.yaml');
  const reporting =
    variant.maxIntervalS === undefined
      ? {}
      : { maxIntervalS: variant.maxIntervalS, healthIntervalS: HEALTH_INTERVAL_S };
  writeFileSync(file, toYaml({ ...site, reporting }));
  return file;
}

/**
 * A day's backlog drained over the shaped link: `window` (what the gateway sent in the
 * measured window) repeated to cover a day, published at QoS 1 as the gateway, at most
 * REPLAY_LINK.inflight unacknowledged at a time, as its forwarder does.
 */
async function replayDay(
  stack: VillageStack,
  tlsPort: number,
  caCert: string,
  dir: string,
  window: readonly Sent[],
  windowS: number,
): Promise<Replay> {
  const proxy = new LinkProxy({
    targetPort: tlsPort,
    dir,
    name: 'replay',
    rateBps: REPLAY_LINK.rateBps,
    delayMs: REPLAY_LINK.delayMs,
  });
  await proxy.start();
  const client = await mqtt.connectAsync(`mqtts://127.0.0.1:${proxy.listenPort}`, {
    username: stack.gatewayId,
    password: stack.secrets.gatewayPassword,
    // The gateway's own identity (it is stopped): the broker binds its ACL to it.
    clientId: gatewayClientId(stack.site.site.id, stack.gatewayId),
    ca: readFileSync(caCert),
    reconnectPeriod: 0,
  });
  try {
    const copies = Math.ceil(DAY_S / windowS);
    const backlog = Array.from({ length: copies }, () => window).flat();
    const before = await proxy.settledBytes();
    const started = performance.now();
    let next = 0;
    const lane = async () => {
      while (next < backlog.length) {
        const message = backlog[next++]!;
        await client.publishAsync(message.topic, message.payload, { qos: 1 });
      }
    };
    await Promise.all(Array.from({ length: REPLAY_LINK.inflight }, lane));
    const seconds = (performance.now() - started) / 1000;
    const after = await proxy.settledBytes();
    return { messages: backlog.length, seconds, up: after.up - before.up, down: after.down - before.down };
  } finally {
    await client.endAsync().catch(() => undefined);
    await proxy.stop();
  }
}

async function measure(variant: Variant, dir: string): Promise<Measured> {
  const tls = issuePrivateCa({ dir: join(dir, 'tls'), hosts: ['127.0.0.1'] }).files;
  const siteFile = siteFileOf(variant, dir);
  const tlsPort = await freePort();
  const proxy = new LinkProxy({ targetPort: tlsPort, dir, name: variant.name });
  await proxy.start();
  const stack = new VillageStack({
    dataDir: join(dir, 'stack'),
    logLevel: 'warn',
    reports: false,
    edgeUpstreamUrl: `mqtts://127.0.0.1:${proxy.listenPort}`,
    ...(variant.publish ? { edgePublish: variant.publish } : {}),
    siteFile,
    siteReporting: 'site',
    env: {
      broker: {
        ...serviceOptions,
        BROKER_TLS_HOST: '127.0.0.1',
        BROKER_TLS_PORT: String(tlsPort),
        BROKER_TLS_CERT_FILE: tls.serverCert,
        BROKER_TLS_KEY_FILE: tls.serverKey,
      },
      ingest: serviceOptions,
      alerting: serviceOptions,
      edge: { NODE_EXTRA_CA_CERTS: tls.caCert },
    },
  });
  let subscriber: mqtt.MqttClient | undefined;
  try {
    await stack.start();
    const seen: BatchSeen[] = [];
    subscriber = await mqtt.connectAsync(stack.mqttUrl, {
      username: 'admin',
      password: stack.secrets.adminPassword,
      clientId: `bench-uplink-${variant.name}`,
    });
    const others = new Map<string, { messages: number; bytes: number }>();
    let counting = false;
    const sent: Sent[] = [];
    subscriber.on('message', (topic, payload, packet) => {
      const kind = parseTopic(topic)?.kind ?? 'other';
      if (counting && !packet.retain && kind !== 'status') sent.push({ topic, payload });
      if (kind !== 'batch') {
        if (!counting) return;
        const tally = others.get(kind) ?? { messages: 0, bytes: 0 };
        tally.messages++;
        tally.bytes += payload.length;
        others.set(kind, tally);
        return;
      }
      const decoded = decodeBatchPayload(payload, MAX_PAYLOAD_BYTES);
      if (!decoded.ok) throw new Error(`undecodable batch: ${decoded.reason}`);
      const batch = batchMessageSchema.parse(JSON.parse(decoded.json.toString('utf8')));
      seen.push({
        at: performance.now(),
        readings: batch.telemetry.length,
        values: batch.telemetry.reduce((n, t) => n + Object.keys(t.values).length, 0),
        payloadBytes: payload.length,
        jsonBytes: decoded.json.length,
      });
    });
    await subscriber.subscribeAsync(topicFilters.gatewayPrefix(stack.site.site.id, stack.gatewayId), {
      qos: 1,
    });
    // Warm-up: every device polled at least once and the first batch through.
    await waitFor('a first batch', () => seen.length >= 1, { timeoutMs: 180_000, intervalMs: 100 });
    const first = seen.length;
    await waitFor('a batch', () => seen.length > first, { timeoutMs: 120_000, intervalMs: 20 });
    const start = seen.length - 1;
    const startAt = seen[start]!.at;
    const startBytes = await proxy.settledBytes();
    counting = true;
    const footprint = footprintOf(stack);
    footprint.begin();
    // Report by exception: one maximum interval, so that every device's heartbeat falls in it once.
    const windowS = variant.maxIntervalS ?? WINDOW_S;
    await waitFor('the window', () => (seen.at(-1)?.at ?? 0) - startAt >= windowS * 1000, {
      timeoutMs: (windowS + 180) * 1000,
      intervalMs: 20,
    });
    const end = seen.length - 1;
    const endBytes = await proxy.settledBytes();
    counting = false;
    const village = footprint.end();
    const edgeMetrics = await (await fetch(`http://127.0.0.1:${stack.ports.edgeHttp}/metrics`)).text();
    const metric = (name: string) =>
      Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)`, 'm').exec(edgeMetrics)?.[1]);
    village.gatewayHeapUsedBytes = metric('nodejs_heap_size_used_bytes');
    village.gatewayExternalBytes = metric('nodejs_external_memory_bytes');
    const inWindow = seen.slice(start + 1, end + 1);
    const sum = (pick: (batch: BatchSeen) => number) => inWindow.reduce((total, b) => total + pick(b), 0);
    const seconds = (seen[end]!.at - startAt) / 1000;
    let replay: Replay | undefined;
    if (variant.name === REPLAYED) {
      // The gateway is stopped so that the replay has the link and its identity to itself.
      await stack.service('edge').stop();
      replay = await replayDay(stack, tlsPort, tls.caCert, dir, sent, seconds);
    }
    return {
      ...(replay ? { replay } : {}),
      variant,
      seconds,
      up: endBytes.up - startBytes.up,
      down: endBytes.down - startBytes.down,
      readings: sum((b) => b.readings),
      values: sum((b) => b.values),
      batches: inWindow.length,
      payloadBytes: sum((b) => b.payloadBytes),
      jsonBytes: sum((b) => b.jsonBytes),
      others: Object.fromEntries(others),
      village,
    };
  } finally {
    await subscriber?.endAsync().catch(() => undefined);
    await stack.stop();
    await proxy.stop();
  }
}

const loadBefore = loadAverage();
const results: Measured[] = [];
for (const variant of variants) {
  const dir = mkdtempSync(join(tmpdir(), `village-bench-uplink-${variant.name}-`));
  try {
    results.push(await measure(variant, dir));
  } finally {
    removeUnlessKept(dir);
  }
}

const perMonth = (r: Measured) => ((r.up + r.down) / r.seconds) * MONTH_S;
const baseline = results.find((r) => r.variant.name === 'json-1s');
print(
  `## Uplink of the demo village (${new Date().toISOString()}, ${WINDOW_S} s windows, under report by exception one maximum interval; load average ${loadBefore} → ${loadAverage()})`,
);
print();
print(
  markdownTable(
    [
      'variant',
      'window',
      'readings (values)',
      'batches',
      'wire up / down (TLS, at the socket)',
      'wire bytes per reading (per value)',
      'payload bytes per reading (JSON)',
      'per 30-day month',
      '÷ JSON every 1 s, same run',
      'other messages per minute: count, payload bytes',
    ],
    results.map((r) => [
      r.variant.label,
      `${fmt(r.seconds, 1)} s`,
      `${fmtInt(r.readings)} (${fmtInt(r.values)})`,
      fmtInt(r.batches),
      `${fmtInt(r.up)} / ${fmtInt(r.down)} B`,
      `${fmt((r.up + r.down) / r.readings, 1)} B (${fmt((r.up + r.down) / r.values, 1)} B)`,
      `${fmt(r.payloadBytes / r.readings, 1)} B (${fmt(r.jsonBytes / r.readings, 1)} B)`,
      `${fmt(perMonth(r) / 1e6, 1)} MB`,
      baseline ? fmtPct(perMonth(r) / perMonth(baseline)) : 'n/a',
      Object.entries(r.others)
        .map(
          ([kind, t]) =>
            `${kind} ${fmt((t.messages * 60) / r.seconds, 1)}, ${fmtInt((t.bytes * 60) / r.seconds)} B`,
        )
        .join('; '),
    ]),
  ),
);
print();
print(
  'Wire bytes are TLS records both ways between the gateway and the broker (MQTT PUBLISH, PUBACK, PINGREQ/PINGRESP, the gateway health report every 30 s, events); TCP/IP headers are not counted. A month is the window extrapolated to 30 days. Target: ≤ 100 MB a month.',
);
const replayed = results.filter((r) => r.replay);
if (replayed.length > 0) {
  print();
  print(
    markdownTable(
      ['backlog of a day', 'messages', 'wire up / down (TLS)', 'drained in', 'messages/s', 'link use, up'],
      replayed.map((r) => {
        const replay = r.replay!;
        return [
          r.variant.label,
          fmtInt(replay.messages),
          `${fmtInt(replay.up)} / ${fmtInt(replay.down)} B`,
          `${fmt(replay.seconds, 1)} s`,
          fmt(replay.messages / replay.seconds, 1),
          fmtPct((replay.up * 8) / replay.seconds / REPLAY_LINK.rateBps),
        ];
      }),
    ),
  );
  print();
  print(
    `A day's backlog is the gateway's messages of the window repeated to 24 h, published as the gateway over TLS through a link proxy shaped to ${REPLAY_LINK.rateBps / 1e6} Mbit/s each way and ${REPLAY_LINK.delayMs} ms one way, ${REPLAY_LINK.inflight} unacknowledged at most (the gateway's in-flight window).`,
  );
}
print();
print(
  markdownTable(
    [
      'variant',
      'village RSS (broker + ingest + alerting + gateway + influxd), window start → end',
      'each at the end',
      'CPU, share of one core',
      'gateway V8 heap used, external',
    ],
    results.map((r) => [
      r.variant.label,
      `${fmtMiB(r.village.rssAtStartBytes)} → ${fmtMiB(r.village.rssBytes)}`,
      Object.entries(r.village.rssByProcess)
        .map(([name, bytes]) => `${name} ${fmtMiB(bytes)}`)
        .join(', '),
      fmtPct(r.village.cores),
      `${fmtMiB(r.village.gatewayHeapUsedBytes ?? Number.NaN)}, ${fmtMiB(r.village.gatewayExternalBytes ?? Number.NaN)}`,
    ]),
  ),
);
print();
print('Footprint targets (issue 26): ≤ 250 MB RSS and ≤ 5 % of one core for the whole village at demo load.');
