/**
 * Alert latency through the whole pipeline, printed as a table:
 * - fire alarm: a vendor FIRE published on the edge's LAN broker → the signed webhook
 *   arrives, over FIRE_EVENTS events (each a new alert: FIRE, notification, RESET,
 *   resolved, on the village's fire panels in parallel), while synthetic canonical
 *   telemetry flows to the broker at LOAD_RATE messages/s as the gateway user;
 *   broken down per hop: gateway (LAN publish → the event leaves for the broker),
 *   broker (→ it reaches alerting's connection), alerting (→ the webhook request starts,
 *   its X-Alert-Timestamp), notification (→ the receiver has the whole request). The
 *   first two are seen by link proxies (bench/support/link-proxy.ts, processes of their
 *   own) in front of the broker on the gateway's and on alerting's connection;
 * - meter silent: the simulator's meter-silent fault on a meter → its alert arrives.
 *
 * `npm run bench -- alert-latency [--quick] [--alarms N] [--pace-ms N] [--no-silent] [--batch] [--cpu-prof[=alerting,broker]]`
 * (a script, not a test; ~1–2 minutes; `--quick`: 200 fire alarms instead of 1000 and one silent meter;
 * `--alarms N`: N fire alarms; `--pace-ms N`: each panel waits a random 0–2N ms after an alarm's
 * reset before its next FIRE (by default the panels cycle back to back, an alarm storm that is
 * itself most of alerting's load); `--no-silent`: no meter-silent phase; `--batch`: the readings in
 * gzip batches of every meter, as the gateway ships them, not one message each; `--cpu-prof`: the CPU profile of
 * alerting, or of the services named, top functions; with BENCH_KEEP=1 the profiles are kept). On a box others share, the latencies
 * move with the load average; the CPU each service spends per telemetry message holds up better.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { topics } from '../contracts/index.js';
import { getProfile } from '../devices/index.js';
import { DEMO_SITE_FILE, loadSite } from '../site/index.js';
import { siblingEntryCommand, freePort, waitFor } from '../runtime/index.js';
import { TIMESTAMP_HEADER } from '../alerting/index.js';
import { AlertingVillage, type ReceivedNotice } from '../test/support/index.js';
import { removeUnlessKept } from './support/bench-folder.js';
import { Child } from './support/child-process.js';
import { summariseCpuProfile } from './support/cpu-profile-summary.js';
import { LinkProxy, type LinkSighting } from './support/link-proxy.js';
import { benchArgs, numberOption } from './support/report.js';
import { cpuSeconds, loadAverage } from './support/process-stats.js';

const FIRE_EVENTS = 1000;
const LOAD_RATE = 2000;
const NOTICE_TIMEOUT_MS = 15_000;
const SILENT_METERS = ['clinic-pressure', 'canteen-pressure', 'shop-pressure'];

interface Load {
  sent: number;
  acked: number;
  stop: () => Promise<void>;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)]!;
}

/** Waits for the first webhook notification matching `match`, arriving after now. */
function nextNotice(
  village: AlertingVillage,
  match: (r: ReceivedNotice) => boolean,
  timeoutMs = NOTICE_TIMEOUT_MS,
): Promise<ReceivedNotice | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      off();
      resolve(undefined);
    }, timeoutMs);
    const off = village.webhook.onNotice((r) => {
      if (!match(r)) return;
      clearTimeout(timer);
      off();
      resolve(r);
    });
  });
}

/** Canonical telemetry of the polled meters at `rate` messages/s, as the gateway sends it, from a process of its own. */
async function startLoad(
  village: AlertingVillage,
  rate: number,
  exclude: readonly string[],
  dir: string,
  batched: boolean,
): Promise<Load> {
  const { stack } = village;
  const meters: Array<{ device: string; topic: string; values: Record<string, number> }> = [];
  for (const device of stack.site.devices) {
    if (getProfile(device.profile).protocol !== 'modbus' || exclude.includes(device.id)) continue;
    const response = await stack.simControl(`/devices/${device.id}/served`);
    if (response.status !== 200) continue;
    meters.push({
      device: device.id,
      topic: topics.telemetry(village.site, stack.gatewayId, device.id),
      values: ((await response.json()) as { values: Record<string, number> }).values,
    });
  }
  const child = Child.node('bench/support/telemetry-load-main.ts', [], {
    logFile: join(dir, 'telemetry-load.log'),
    ipc: true,
    env: {
      MQTT_URL: stack.mqttUrl,
      MQTT_USERNAME: stack.gatewayId,
      MQTT_PASSWORD: stack.secrets.gatewayPassword,
      RATE: String(rate),
      METERS: JSON.stringify(meters),
      FORM: batched ? 'batch' : 'per-device',
      BATCH_TOPIC: topics.batch(village.site, stack.gatewayId),
    },
  });
  const load: Load = { sent: 0, acked: 0, stop: () => child.stop() };
  let ready = false;
  child.process.on('message', (message: { ready?: boolean; sent?: number; acked?: number }) => {
    if (message.ready) ready = true;
    if (message.sent !== undefined) load.sent = message.sent;
    if (message.acked !== undefined) load.acked = message.acked;
  });
  await waitFor('telemetry load', () => ready, { timeoutMs: 30_000 });
  return load;
}

/** One FIRE's way through the platform, Date.now() of each process on the same machine. */
interface FireTrace {
  sentAt: number;
  /** The event's PUBLISH passed the link proxy on the gateway's connection to the broker. */
  leftGateway?: number;
  /** The event's PUBLISH passed the link proxy on alerting's connection, from the broker. */
  reachedAlerting?: number;
  /** X-Alert-Timestamp: the webhook request was about to start. */
  sendingAt?: number;
  receivedAt: number;
}

/** Sightings of each panel's event topic on one link, in order. */
class Sightings {
  private readonly byMarker = new Map<string, number[]>();

  constructor(link: LinkProxy, direction: LinkSighting['direction']) {
    link.onSighting((s) => {
      if (s.direction !== direction) return;
      const list = this.byMarker.get(s.marker) ?? [];
      list.push(s.at);
      this.byMarker.set(s.marker, list);
    });
  }

  /** The first sighting of `marker` at or after `from`. */
  firstAfter(marker: string, from: number): number | undefined {
    return this.byMarker.get(marker)?.find((at) => at >= from);
  }
}

function eventMarker(device: string): string {
  return `/${device}/event`;
}

async function fireLatencies(
  village: AlertingVillage,
  total: number,
  links: { fromGateway: Sightings; toAlerting: Sightings },
  paceMs: number,
): Promise<{ traces: FireTrace[]; lost: number }> {
  const panels = village.stack.site.devices.filter((d) => d.profile === 'gst-fire-panel');
  // Each panel speaks with its own LAN credential, as the gateway's LAN broker requires.
  const lans = new Map(
    await Promise.all(
      panels.map(
        async (panel) => [panel.id, await village.lanClient(panel.id, `bench-${panel.id}`)] as const,
      ),
    ),
  );
  const traces: FireTrace[] = [];
  let lost = 0;
  let issued = 0;
  const lane = async (panel: (typeof panels)[number]) => {
    const topic = `firepanel/${panel.vendorId}/event`;
    const marker = eventMarker(panel.id);
    const lan = lans.get(panel.id)!;
    while (issued < total) {
      const n = issued++;
      const loop = 1 + (n % 8);
      const address = 1 + (n % 200);
      const fired = nextNotice(
        village,
        (r) =>
          r.notice.reason === 'firing' &&
          r.notice.alert.ruleId === 'fire-alarm' &&
          r.notice.alert.device === panel.id,
      );
      const sentAt = Date.now();
      await lan.publishAsync(topic, JSON.stringify({ event: 'FIRE', loop, address, device_type: 'smoke' }), {
        qos: 1,
      });
      const notice = await fired;
      if (notice) {
        const leftGateway = links.fromGateway.firstAfter(marker, sentAt);
        const reachedAlerting = links.toAlerting.firstAfter(marker, leftGateway ?? sentAt);
        const sending = Number(notice.headers[TIMESTAMP_HEADER]);
        traces.push({
          sentAt,
          receivedAt: notice.receivedAt,
          ...(leftGateway !== undefined ? { leftGateway } : {}),
          ...(reachedAlerting !== undefined ? { reachedAlerting } : {}),
          ...(Number.isFinite(sending) ? { sendingAt: sending } : {}),
        });
      } else lost += 1;
      const reset = nextNotice(
        village,
        (r) =>
          r.notice.reason === 'resolved' &&
          r.notice.alert.ruleId === 'fire-alarm' &&
          r.notice.alert.device === panel.id,
      );
      await lan.publishAsync(topic, JSON.stringify({ event: 'RESET', loop, address }), { qos: 1 });
      await reset;
      // Paced: a panel's next alarm a random 0–2 × paceMs later, so lanes do not move in step.
      if (paceMs > 0) await sleep(Math.random() * 2 * paceMs);
    }
  };
  await Promise.all(panels.map(lane));
  await Promise.all([...lans.values()].map((lan) => lan.endAsync()));
  return { traces, lost };
}

function traceHops(t: FireTrace): string {
  const d = (a: number | undefined, b: number | undefined) =>
    a === undefined || b === undefined ? '?' : String(b - a);
  // The time of day, to line the slowest alarms up with what else the box did then (vmstat -t 1).
  const at = new Date(t.sentAt).toISOString().slice(11, 23);
  return `${t.receivedAt - t.sentAt} = ${d(t.sentAt, t.leftGateway)} + ${d(t.leftGateway, t.reachedAlerting)} + ${d(t.reachedAlerting, t.sendingAt)} + ${d(t.sendingAt, t.receivedAt)} (at ${at})`;
}

/** Each hop's share of every trace that has both ends of it. */
function hops(traces: readonly FireTrace[]): Array<{ name: string; ms: number[] }> {
  const span = (
    name: string,
    from: (t: FireTrace) => number | undefined,
    to: (t: FireTrace) => number | undefined,
  ) => ({
    name,
    ms: traces
      .map((t) => {
        const a = from(t);
        const b = to(t);
        return a === undefined || b === undefined ? Number.NaN : b - a;
      })
      .filter(Number.isFinite)
      .sort((a, b) => a - b),
  });
  return [
    span(
      'gateway: LAN publish → leaves for broker',
      (t) => t.sentAt,
      (t) => t.leftGateway,
    ),
    span(
      'broker: → reaches alerting',
      (t) => t.leftGateway,
      (t) => t.reachedAlerting,
    ),
    // An alert's firedAt is the event's own timestamp (the gateway's clock), not when the
    // engine saw it: alerting's step is timed from its link to the webhook's timestamp.
    span(
      'alerting: → webhook request starts',
      (t) => t.reachedAlerting,
      (t) => t.sendingAt,
    ),
    span(
      'notification: → receiver has it',
      (t) => t.sendingAt,
      (t) => t.receivedAt,
    ),
  ];
}

/**
 * One meter at a time: several silent meters of one gateway at once are a network fault
 * (an incident that holds back the per-meter alerts it explains), not what this measures.
 */
async function silentLatencies(village: AlertingVillage, meters: readonly string[]): Promise<number[]> {
  const results: number[] = [];
  for (const device of meters) {
    const alerted = nextNotice(
      village,
      (r) =>
        r.notice.reason === 'firing' &&
        r.notice.alert.ruleId === 'meter-silent' &&
        r.notice.alert.device === device,
      // The silence limit, then the 30 s a lone meter waits for an incident that would explain it.
      120_000,
    );
    const id = await village.injectFault('meter-silent', device);
    const startedAt = Date.now();
    const notice = await alerted;
    // Wait for the meter to be back before the next one goes silent: two meters of one
    // gateway silent at once are the gateway-network-fault incident, which holds back
    // the per-meter alert (a meter retried at the slower offline interval can take a while).
    const back = nextNotice(
      village,
      (r) =>
        r.notice.reason === 'resolved' &&
        r.notice.alert.ruleId === 'meter-silent' &&
        r.notice.alert.device === device,
      120_000,
    );
    await village.clearFault(id);
    if (notice) await back;
    results.push(notice ? notice.receivedAt - startedAt : Number.NaN);
  }
  return results.sort((a, b) => a - b);
}

type ProfiledService = 'alerting' | 'broker';

/** `--cpu-prof` profiles alerting; `--cpu-prof=broker,alerting` the services named. */
function profiledServices(): ProfiledService[] {
  const arg = process.argv.find((a) => a === '--cpu-prof' || a.startsWith('--cpu-prof='));
  if (!arg) return [];
  const names = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1).split(',') : ['alerting'];
  return names.filter((n): n is ProfiledService => n === 'alerting' || n === 'broker');
}

function printProfile(service: ProfiledService, dir: string): void {
  if (!existsSync(dir)) {
    process.stdout.write(`no CPU profile was written in ${dir} (it needs the build: npm run bench)\n`);
    return;
  }
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))) {
    const { functions, owners, busyMs } = summariseCpuProfile(join(dir, file), 25);
    process.stdout.write(
      [
        `${service} CPU profile (${busyMs.toFixed(0)} ms busy), self time:`,
        ...owners.map((o) => `  ${o.name} ${o.selfPct.toFixed(1)} %`),
        '  functions:',
        ...functions.map((f) => `  ${f.name} ${f.selfPct.toFixed(1)} %`),
        '',
      ].join('\n'),
    );
  }
}

async function main(): Promise<void> {
  const { quick } = benchArgs();
  const batched = process.argv.includes('--batch');
  const alarms = numberOption('--alarms') ?? Number.NaN;
  const events = Number.isInteger(alarms) && alarms > 0 ? alarms : quick ? 200 : FIRE_EVENTS;
  const paceMs = numberOption('--pace-ms') ?? 0;
  if (!Number.isFinite(paceMs) || paceMs < 0) throw new Error('--pace-ms takes a number of milliseconds ≥ 0');
  const silentMeters = process.argv.includes('--no-silent')
    ? []
    : quick
      ? SILENT_METERS.slice(0, 1)
      : SILENT_METERS;
  const dir = mkdtempSync(join(tmpdir(), 'village-bench-alert-latency-'));
  const site = loadSite(DEMO_SITE_FILE);
  const markers = site.devices.filter((d) => d.profile === 'gst-fire-panel').map((d) => eventMarker(d.id));
  const mqttPort = await freePort();
  const profiled = profiledServices();
  const profileEnv = (service: ProfiledService): Record<string, string> =>
    profiled.includes(service)
      ? {
          NODE_OPTIONS: `--import=${siblingEntryCommand('bench/support/cpu-profile-preload.ts').at(-1)}`,
          CPU_PROFILE_DIR: join(dir, `cpu-prof-${service}`),
        }
      : {};
  const gatewayLink = new LinkProxy({ targetPort: mqttPort, dir, name: 'gateway', markers });
  const alertingLink = new LinkProxy({ targetPort: mqttPort, dir, name: 'alerting', markers });
  await gatewayLink.start();
  await alertingLink.start();
  const village = new AlertingVillage({
    name: 'bench-alert-latency',
    // Every FIRE/RESET cycle on a panel must be a new alert: no flap hold in a benchmark.
    alertingConfig: { engine: { flap: { maxChanges: 0 } } },
    ports: { mqtt: mqttPort },
    edgeUpstreamUrl: `mqtt://127.0.0.1:${gatewayLink.listenPort}`,
    env: {
      alerting: {
        ALERTING_MQTT_URL: `mqtt://127.0.0.1:${alertingLink.listenPort}`,
        ...profileEnv('alerting'),
      },
      broker: profileEnv('broker'),
    },
  });
  const links = {
    fromGateway: new Sightings(gatewayLink, 'up'),
    toAlerting: new Sightings(alertingLink, 'down'),
  };
  const benchStart = Date.now();
  const loadBefore = loadAverage();
  try {
    await village.start();
    await sleep(3_000);
    const load = await startLoad(village, LOAD_RATE, SILENT_METERS, dir, batched);
    await sleep(3_000);
    const services = ['broker', 'alerting'] as const;
    const cpuOf = () => services.map((name) => cpuSeconds(village.stack.service(name).pid!));
    const loadStart = { at: Date.now(), sent: load.sent, acked: load.acked, cpu: cpuOf() };
    const fire = await fireLatencies(village, events, links, paceMs);
    const fireDone = { at: Date.now(), sent: load.sent, acked: load.acked, cpu: cpuOf() };
    const silent = await silentLatencies(village, silentMeters);
    const loadEnd = { at: Date.now(), sent: load.sent, acked: load.acked };
    await load.stop();

    const rate = (a: { at: number; sent: number }, b: { at: number; sent: number }) =>
      Math.round(((b.sent - a.sent) * 1000) / (b.at - a.at));
    const row = (name: string, values: readonly number[], lost: number) =>
      `| ${name.padEnd(42)} | ${String(values.length).padStart(5)} | ${String(lost).padStart(4)} | ${[
        50, 90, 99,
      ]
        .map((p) => percentile(values, p).toFixed(0).padStart(7))
        .join(' | ')} | ${(values.at(-1) ?? Number.NaN).toFixed(0).padStart(7)} |`;
    const total = fire.traces.map((t) => t.receivedAt - t.sentAt).sort((a, b) => a - b);
    // The hops of the slowest 1 %: where the tail comes from.
    const tail = [...fire.traces]
      .sort((a, b) => b.receivedAt - b.sentAt - (a.receivedAt - a.sentAt))
      .slice(0, Math.max(1, Math.ceil(fire.traces.length / 100)));
    const lines = [
      '',
      `alert latency through the whole pipeline (${new Date().toISOString()}; load average before ${loadBefore}, after ${loadAverage()})`,
      `telemetry load (${batched ? 'gzip batches of every meter, as the gateway ships' : 'one message per reading, per-device topic'}): ${rate(loadStart, fireDone)} readings/s during the fire phase${silentMeters.length > 0 ? `, ${rate(fireDone, loadEnd)} during the silent phase` : ''} (target ${LOAD_RATE}); ${loadEnd.acked}/${loadEnd.sent} acknowledged by the broker`,
      `fire phase: the broker acknowledged ${fireDone.acked - loadStart.acked} readings (${Math.round(((fireDone.acked - loadStart.acked) * 1000) / (fireDone.at - loadStart.at))}/s); CPU per acknowledged reading: ${services
        .map(
          (name, i) =>
            `${name} ${(((fireDone.cpu[i]! - loadStart.cpu[i]!) * 1e6) / Math.max(1, fireDone.acked - loadStart.acked)).toFixed(0)} µs (${((fireDone.cpu[i]! - loadStart.cpu[i]!) / ((fireDone.at - loadStart.at) / 1000)).toFixed(2)} of a core)`,
        )
        .join(', ')}`,
      '',
      '| what                                       |     n | lost |  p50 ms |  p90 ms |  p99 ms |  max ms |',
      '|--------------------------------------------|-------|------|---------|---------|---------|---------|',
      row('fire FIRE on LAN → webhook', total, fire.lost),
      ...hops(fire.traces).map((hop) => row(`  ${hop.name}`, hop.ms, 0)),
      row(
        'meter-silent fault → webhook',
        silent.filter(Number.isFinite),
        silent.filter((v) => !Number.isFinite(v)).length,
      ),
      '',
      `the slowest 1 % of fire alarms, total = gateway + broker + alerting + notification, ms:`,
      ...tail.map((t) => `  ${traceHops(t)}`),
      `meter silent: limit 3 × 5 s = 15 s after the last reading, told alone 30 s later (settleS of the zone's network-fault incident); each: ${silent.map((v) => `${(v / 1000).toFixed(1)} s`).join(', ')}`,
      `fire phase ${((fireDone.at - loadStart.at) / 1000).toFixed(1)} s, ${((events * 1000) / (fireDone.at - loadStart.at)).toFixed(1)} FIRE/RESET cycles a second on ${site.devices.filter((d) => d.profile === 'gst-fire-panel').length} panels (${paceMs > 0 ? `paced: a random 0–${2 * paceMs} ms between a panel's cycles` : 'back to back'}); whole run ${((Date.now() - benchStart) / 1000).toFixed(0)} s`,
      '',
    ];
    process.stdout.write(lines.join('\n'));
  } finally {
    await village.stop();
    await gatewayLink.stop();
    await alertingLink.stop();
    for (const service of profiled) printProfile(service, join(dir, `cpu-prof-${service}`));
    removeUnlessKept(dir);
  }
}

await main();
