/**
 * Alert latency through the whole pipeline, printed as a table:
 * - fire alarm: a vendor FIRE published on the edge's LAN broker → the signed webhook
 *   arrives, over FIRE_EVENTS events (each a new alert: FIRE, notification, RESET,
 *   resolved, on the village's fire panels in parallel), while synthetic canonical
 *   telemetry flows to the broker at LOAD_RATE messages/s as the gateway user;
 * - meter silent: the simulator's meter-silent fault on a meter → its alert arrives.
 *
 * `npm run bench -- alert-latency` (a script, not a test; ~1–2 minutes).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import mqtt from 'mqtt';
import { topics } from '../contracts/index.js';
import { getProfile } from '../devices/index.js';
import { AlertingVillage, type ReceivedNotice } from '../test/support/index.js';

const FIRE_EVENTS = 1000;
const LOAD_RATE = 2000;
const LOAD_TICK_MS = 10;
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

/** Canonical telemetry of the polled meters at `rate` messages/s, as the gateway sends it. */
async function startLoad(village: AlertingVillage, rate: number, exclude: readonly string[]): Promise<Load> {
  const { stack } = village;
  const meters: Array<{ id: string; values: Record<string, number> }> = [];
  for (const device of stack.site.devices) {
    if (getProfile(device.profile).protocol !== 'modbus' || exclude.includes(device.id)) continue;
    const response = await stack.simControl(`/devices/${device.id}/served`);
    if (response.status !== 200) continue;
    meters.push({
      id: device.id,
      values: ((await response.json()) as { values: Record<string, number> }).values,
    });
  }
  const client = await mqtt.connectAsync(stack.mqttUrl, {
    username: stack.gatewayId,
    password: stack.secrets.gatewayPassword,
    clientId: 'bench-telemetry-load',
    reconnectPeriod: 1_000,
  });
  const load: Load = { sent: 0, acked: 0, stop: async () => undefined };
  const perTick = Math.round((rate * LOAD_TICK_MS) / 1000);
  const started = Date.now();
  let seq = 1_000_000;
  const timer = setInterval(() => {
    // Catch up to the wall clock so the rate holds even when a tick runs late.
    const due = Math.floor(((Date.now() - started) * rate) / 1000) - load.sent;
    for (let i = 0; i < Math.min(due, perTick * 5); i++) {
      const meter = meters[load.sent % meters.length]!;
      seq += 1;
      const topic = topics.telemetry(village.site, stack.gatewayId, meter.id);
      client.publish(
        topic,
        JSON.stringify({ ts: Date.now(), seq, values: meter.values }),
        { qos: 1 },
        (error) => {
          if (!error) load.acked += 1;
        },
      );
      load.sent += 1;
    }
  }, LOAD_TICK_MS);
  load.stop = async () => {
    clearInterval(timer);
    await client.endAsync();
  };
  return load;
}

async function fireLatencies(
  village: AlertingVillage,
  total: number,
): Promise<{ ms: number[]; lost: number }> {
  const panels = village.stack.site.devices.filter((d) => d.profile === 'gst-fire-panel');
  // Each panel speaks with its own LAN credential, as the gateway's LAN broker requires.
  const lans = new Map(
    await Promise.all(
      panels.map(
        async (panel) => [panel.id, await village.lanClient(panel.id, `bench-${panel.id}`)] as const,
      ),
    ),
  );
  const ms: number[] = [];
  let lost = 0;
  let issued = 0;
  const lane = async (panel: (typeof panels)[number]) => {
    const topic = `firepanel/${panel.vendorId}/event`;
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
      if (notice) ms.push(notice.receivedAt - sentAt);
      else lost += 1;
      const reset = nextNotice(
        village,
        (r) =>
          r.notice.reason === 'resolved' &&
          r.notice.alert.ruleId === 'fire-alarm' &&
          r.notice.alert.device === panel.id,
      );
      await lan.publishAsync(topic, JSON.stringify({ event: 'RESET', loop, address }), { qos: 1 });
      await reset;
    }
  };
  await Promise.all(panels.map(lane));
  await Promise.all([...lans.values()].map((lan) => lan.endAsync()));
  return { ms: ms.sort((a, b) => a - b), lost };
}

async function silentLatencies(village: AlertingVillage): Promise<number[]> {
  const results = await Promise.all(
    SILENT_METERS.map(async (device) => {
      const alerted = nextNotice(
        village,
        (r) =>
          r.notice.reason === 'firing' &&
          r.notice.alert.ruleId === 'meter-silent' &&
          r.notice.alert.device === device,
        60_000,
      );
      const id = await village.injectFault('meter-silent', device);
      const startedAt = Date.now();
      const notice = await alerted;
      await village.clearFault(id);
      return notice ? notice.receivedAt - startedAt : Number.NaN;
    }),
  );
  return results.sort((a, b) => a - b);
}

async function main(): Promise<void> {
  const village = new AlertingVillage({
    name: 'bench-alert-latency',
    // Every FIRE/RESET cycle on a panel must be a new alert: no flap hold in a benchmark.
    alertingConfig: { engine: { flap: { maxChanges: 0 } } },
  });
  const benchStart = Date.now();
  try {
    await village.start();
    await sleep(3_000);
    const load = await startLoad(village, LOAD_RATE, SILENT_METERS);
    await sleep(3_000);
    const loadStart = { at: Date.now(), sent: load.sent };
    const fire = await fireLatencies(village, FIRE_EVENTS);
    const fireDone = { at: Date.now(), sent: load.sent };
    const silent = await silentLatencies(village);
    const loadEnd = { at: Date.now(), sent: load.sent, acked: load.acked };
    await load.stop();

    const rate = (a: { at: number; sent: number }, b: { at: number; sent: number }) =>
      Math.round(((b.sent - a.sent) * 1000) / (b.at - a.at));
    const row = (name: string, values: readonly number[], lost: number) =>
      `| ${name.padEnd(34)} | ${String(values.length).padStart(5)} | ${String(lost).padStart(4)} | ${[
        50, 90, 99,
      ]
        .map((p) => percentile(values, p).toFixed(0).padStart(7))
        .join(' | ')} | ${(values.at(-1) ?? Number.NaN).toFixed(0).padStart(7)} |`;
    const lines = [
      '',
      `alert latency through the whole pipeline (${new Date().toISOString()})`,
      `telemetry load: ${rate(loadStart, fireDone)} msg/s during the fire phase, ${rate(fireDone, loadEnd)} msg/s during the silent phase (target ${LOAD_RATE}); ${loadEnd.acked}/${loadEnd.sent} acknowledged by the broker`,
      '',
      '| what                               |     n | lost |  p50 ms |  p90 ms |  p99 ms |  max ms |',
      '|------------------------------------|-------|------|---------|---------|---------|---------|',
      row('fire FIRE on LAN → webhook', fire.ms, fire.lost),
      row(
        'meter-silent fault → webhook',
        silent.filter(Number.isFinite),
        silent.filter((v) => !Number.isFinite(v)).length,
      ),
      '',
      `meter silent: limit 3 × 5 s = 15 s after the last reading; each: ${silent.map((v) => `${(v / 1000).toFixed(1)} s`).join(', ')}`,
      `fire phase ${((fireDone.at - loadStart.at) / 1000).toFixed(1)} s; whole run ${((Date.now() - benchStart) / 1000).toFixed(0)} s`,
      '',
    ];
    process.stdout.write(lines.join('\n'));
  } finally {
    await village.stop();
  }
}

await main();
