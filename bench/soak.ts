/**
 * Memory soak: RATE canonical telemetry messages/s (QoS 1, as the gateway user) through
 * broker → ingest → influxd for DURATION, sampling the RSS (/proc/PID/status VmRSS) of the
 * broker and ingest every INTERVAL, printed as a table with the growth after a warm-up,
 * and checking at the end that every acknowledged message was stored.
 *
 * `npm run bench -- soak [--duration-s 600] [--rate 2000] [--interval-s 10]`
 * (a script, not a test; the default run takes 10 minutes).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { waitFor } from '../runtime/index.js';
import {
  FaultVillage,
  LOAD_SEQ_BASE,
  RssSampler,
  storedCounts,
  type LoadPublisher,
  type RssSample,
} from '../test/faults/support/index.js';

const { values: args } = parseArgs({
  options: {
    'duration-s': { type: 'string', default: '600' },
    rate: { type: 'string', default: '2000' },
    'interval-s': { type: 'string', default: '10' },
  },
});
const DURATION_S = Number(args['duration-s']);
const RATE = Number(args.rate);
const INTERVAL_S = Number(args['interval-s']);
const WARMUP_S = 30;

const mb = (bytes: number | undefined) => ((bytes ?? 0) / 1048576).toFixed(1).padStart(8);
const print = (line: string) => process.stdout.write(`${line}\n`);

async function main(): Promise<void> {
  const village = new FaultVillage({ name: 'soak', pollIntervalS: 5 });
  await village.start();
  try {
    const devices = await village.loadDevices();
    for (const name of ['edge', 'simulator', 'alerting'] as const) await village.stack.service(name).stop();
    await village.forgetSession('alerting', 'alerting', village.stack.secrets.alertingPassword);
    const { stack } = village;
    const state: { load?: LoadPublisher } = {};
    print(`soak: ${RATE} msg/s for ${DURATION_S} s, RSS every ${INTERVAL_S} s`);
    print(
      `${'t (s)'.padStart(6)} ${'broker MB'.padStart(9)} ${'ingest MB'.padStart(9)} ${'acked'.padStart(9)}`,
    );
    const sampler = new RssSampler(
      () => ({ broker: stack.service('broker').pid, ingest: stack.service('ingest').pid }),
      INTERVAL_S * 1000,
      (s: RssSample) =>
        print(
          `${String(s.atS).padStart(6)} ${mb(s.bytes.broker)}  ${mb(s.bytes.ingest)}  ${String(state.load?.ackedCount ?? 0).padStart(8)}`,
        ),
    );
    const load = await village.startLoad(RATE, 12, devices);
    state.load = load;
    sampler.start();
    await sleep(DURATION_S * 1000);
    load.pause();
    sampler.stop();
    const growth = sampler.growth(WARMUP_S);
    const stored = await waitFor(
      'every acknowledged message stored',
      async () => {
        let total = 0;
        for (const m of ['electricity', 'water']) {
          for (const { count } of (await storedCounts(stack, m, LOAD_SEQ_BASE)).values()) total += count;
        }
        return total >= load.ackedCount ? total : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 1000 },
    ).catch(() => -1);
    const peak = (name: string) => Math.max(...sampler.samples.map((s) => s.bytes[name] ?? 0));
    print('');
    print(
      `published ${load.publishedCount}, acknowledged ${load.ackedCount}, stored ${stored < 0 ? 'NOT ALL' : stored}`,
    );
    print(`achieved rate ${(load.ackedCount / DURATION_S).toFixed(0)} msg/s`);
    print(
      `growth after ${WARMUP_S} s warm-up: broker ${mb(growth.broker)} MB, ingest ${mb(growth.ingest)} MB`,
    );
    print(`peak: broker ${mb(peak('broker'))} MB, ingest ${mb(peak('ingest'))} MB`);
  } finally {
    await village.stop();
  }
}

void main();
